import LaneCore
import Testing
import Valet

struct CheckInTests {
    static let lanes = [LaneSetup(id: "L1", categories: ["M1", "N1"]), LaneSetup(id: "L2", categories: ["N3", "H11"])]

    static func vehicle(_ change: (inout Vehicle) -> Void) -> Vehicle {
        var v = Vehicle(plate: "鲁G·12345")
        v.category = "M1"
        change(&v)
        return v
    }

    @Test(arguments: [
        (vehicle { $0.axles = 0 }, "axles"),
        (vehicle { $0.axles = 13 }, "axles"),
        (vehicle { $0.maxTotalMassKg = -5 }, "mass"),
        (vehicle { $0.maxTotalMassKg = 1500; $0.curbMassKg = 1800 }, "mass"),
        (vehicle { $0.firstRegistered = "2023-02-30" }, "date"),
        (vehicle { $0.firstRegistered = "21/11/2026" }, "date"),
        (vehicle { $0.category = "L3e" }, "no_lane"),
        (vehicle { $0.plate = "鲁G·1234" }, "plate"),
        (vehicle { $0.vin = "LSVAU2180N2183294" }, "vin"),
    ])
    func refusesImpossibleData(_ v: Vehicle, _ code: String) {
        guard case .failure(let refusal) = CheckIn.validate(v, ruleset: .china, lanes: Self.lanes) else {
            Issue.record("accepted \(v)")
            return
        }
        #expect(refusal.code == code)
        #expect(!refusal.zh.isEmpty && !refusal.en.isEmpty && refusal.zh != refusal.en)
    }

    @Test func acceptsGoodDataAndCanonicalisesPlateAndVIN() throws {
        let v = Self.vehicle {
            $0.plate = "鲁g12345"
            $0.vin = "lsvau218xn2183294"
            $0.axles = 2
            $0.maxTotalMassKg = 1850
            $0.curbMassKg = 1400
            $0.firstRegistered = "2024-02-29"
        }
        let ok = try CheckIn.validate(v, ruleset: .china, lanes: Self.lanes).get()
        #expect(ok.plate == "鲁G·12345")
        #expect(ok.vin == "LSVAU218XN2183294")
        var truck = Vehicle(plate: "鲁G·1234挂")
        truck.typeCode = "H11"
        #expect(throws: Never.self) { try CheckIn.validate(truck, ruleset: .china, lanes: Self.lanes).get() }
    }
}
