import InspectionRules
import Testing

/// One row of the GB 7258-2017 roller table as the tests expect it (`standards.md` §1.2).
struct ClassRow: Sendable, CustomTestStringConvertible {
    var name: String
    var vehicle: String
    var front: Double?
    var rear: Double?
    var vehicleRate: Double?
    var singleWheel = false
    var testDescription: String { name }
}

let classRows: [ClassRow] = [
    ClassRow(name: "passenger car K33", vehicle: #""type_code": "K33", "passenger_car": true, "use_phase": "in_use""#, front: 60, rear: 20, vehicleRate: 60),
    ClassRow(name: "light truck H31 ≤ 3500 kg", vehicle: #""type_code": "H31", "max_total_mass_kg": 3500, "use_phase": "in_use""#, front: 60, rear: 20, vehicleRate: 60),
    ClassRow(name: "bus K11 > 3500 kg", vehicle: #""type_code": "K11", "max_total_mass_kg": 16000, "use_phase": "in_use""#, front: 60, rear: 40, vehicleRate: 60),
    ClassRow(name: "heavy truck H11", vehicle: #""type_code": "H11", "max_total_mass_kg": 25000, "use_phase": "in_use""#, front: 60, rear: 50, vehicleRate: 60),
    ClassRow(name: "special-purpose Z ≤ 1.2 curb", vehicle: #""type_code": "Z51", "max_total_mass_kg": 2000, "curb_mass_kg": 1800, "use_phase": "in_use""#, front: 60, rear: 50, vehicleRate: 50),
    ClassRow(name: "trailer B11 (all axles rear)", vehicle: #""type_code": "B11", "use_phase": "in_use""#, front: 55, rear: 55, vehicleRate: 55),
    ClassRow(name: "road train", vehicle: #""type_code": "Q11", "combination": true, "use_phase": "in_use""#, front: nil, rear: nil, vehicleRate: 55),
    ClassRow(name: "three-wheeled car N11", vehicle: #""type_code": "N11", "use_phase": "in_use""#, front: nil, rear: 60, vehicleRate: nil),
    ClassRow(name: "motorcycle M21", vehicle: #""type_code": "M21", "use_phase": "in_use""#, front: 60, rear: 55, vehicleRate: nil, singleWheel: true),
    ClassRow(name: "moped M22", vehicle: #""type_code": "M22", "use_phase": "in_use""#, front: 60, rear: 50, vehicleRate: nil, singleWheel: true),
    ClassRow(name: "category M1 without type code", vehicle: #""category": "M1", "use_phase": "new_registration""#, front: 60, rear: 20, vehicleRate: 60),
]

/// Axle JSON with a given brake rate on a 1000 daN axle.
func axle(_ position: String, rate: Double, single: Bool = false) -> String {
    let force = rate * 10
    if single {
        return #"{"position": "\#(position)", "wheels": 1, "load": 1000, "peak_left": \#(j(force))}"#
    }
    return #"{"position": "\#(position)", "load": 1000, "peak_left": \#(j(force / 2)), "peak_right": \#(j(force / 2))}"#
}

struct CNBrakeTests {
    @Test(arguments: classRows)
    func axleRateIsJudgedAtJustBelowAndAboveEachClassLimit(row: ClassRow) throws {
        for (position, limit) in [("front", row.front), ("rear", row.rear)] {
            let id = position == "front" ? "brake.axle1.rate" : "brake.axle2.rate"
            let reference = limit ?? 50
            for (rate, expected) in [(reference, ItemVerdict.pass), (reference - 0.1, .fail), (reference + 0.1, .pass)] {
                let axles = position == "front"
                    ? [axle("front", rate: rate, single: row.singleWheel), axle("rear", rate: 80, single: row.singleWheel)]
                    : [axle("front", rate: 80, single: row.singleWheel), axle("rear", rate: rate, single: row.singleWheel)]
                let result = try judge(cnBrakeCase(vehicle: row.vehicle, axles: axles))
                let item = try result.required(id)
                if let limit {
                    #expect(item.limit == .atLeast(limit), "\(row.name) \(id)")
                    #expect(item.verdict == expected, "\(row.name) \(id) at \(rate) %")
                    #expect(abs((item.value ?? 0) - rate) < 1e-9)
                } else {
                    #expect(item.verdict == .notApplicable, "\(row.name) \(id) is not judged")
                }
            }
        }
    }

    @Test(arguments: classRows)
    func serviceRateIsJudgedAtJustBelowAndAboveEachClassLimit(row: ClassRow) throws {
        let reference = row.vehicleRate ?? 50
        for (rate, expected) in [(reference, ItemVerdict.pass), (reference - 0.1, .fail), (reference + 0.1, .pass)] {
            // Two axles of 1000 daN; the whole vehicle's rate is the mean of the two.
            let axles = [axle("front", rate: rate + 10, single: row.singleWheel), axle("rear", rate: rate - 10, single: row.singleWheel)]
            let item = try judge(cnBrakeCase(vehicle: row.vehicle, axles: axles)).required("brake.service.rate")
            if let limit = row.vehicleRate {
                #expect(item.limit == .atLeast(limit))
                #expect(item.verdict == expected, "\(row.name) service rate \(rate)")
                #expect(item.basis == .testWeight)
            } else {
                #expect(item.verdict == .notApplicable)
            }
        }
    }

    @Test func percentagesAreRoundedHalfUpToATenthBeforeComparing() throws {
        let car = #""type_code": "K33", "use_phase": "in_use""#
        // 59.95 % rounds to 60.0 % and passes; 59.94 % rounds to 59.9 % and fails.
        let passing = try judge(cnBrakeCase(vehicle: car, axles: [axle("front", rate: 59.95), axle("rear", rate: 80)]))
        #expect(try passing.required("brake.axle1.rate").verdict == .pass)
        #expect(JSONWriter().write(try passing.required("brake.axle1.rate").json).contains("59.95"))
        let failing = try judge(cnBrakeCase(vehicle: car, axles: [axle("front", rate: 59.94), axle("rear", rate: 80)]))
        #expect(try failing.required("brake.axle1.rate").verdict == .fail)
        #expect(try failing.required("brake.axle1.rate").explain.en.contains("59.9 % < 60 %"))
    }

    struct ImbalanceRow: Sendable, CustomTestStringConvertible {
        var phase: String
        var position: String
        var peaks: (Double, Double)
        var limit: Double
        var basis: Basis
        var testDescription: String { "\(phase) \(position) \(peaks) ≤ \(limit) of \(basis)" }
    }

    static let imbalanceRows: [ImbalanceRow] = [
        ImbalanceRow(phase: "new_registration", position: "front", peaks: (500, 400), limit: 20, basis: .peak),
        ImbalanceRow(phase: "in_use", position: "front", peaks: (500, 400), limit: 24, basis: .peak),
        // Front axle stays in ratio form even below 60 % axle rate.
        ImbalanceRow(phase: "in_use", position: "front", peaks: (300, 250), limit: 24, basis: .peak),
        ImbalanceRow(phase: "new_registration", position: "rear", peaks: (400, 300), limit: 24, basis: .peak),
        ImbalanceRow(phase: "in_use", position: "rear", peaks: (400, 300), limit: 30, basis: .peak),
        ImbalanceRow(phase: "new_registration", position: "rear", peaks: (300, 250), limit: 8, basis: .axleLoad),
        ImbalanceRow(phase: "in_use", position: "rear", peaks: (300, 250), limit: 10, basis: .axleLoad),
    ]

    @Test(arguments: imbalanceRows)
    func imbalanceIsJudgedAtItsLimitForEachPhaseAndForm(row: ImbalanceRow) throws {
        let basis = row.basis == .peak ? max(row.peaks.0, row.peaks.1) : 1000
        for (percentValue, expected) in [(row.limit, ItemVerdict.pass), (row.limit - 0.1, .pass), (row.limit + 0.1, .fail)] {
            let difference = percentValue / 100 * basis
            let axles = [
                #"{"position": "\#(row.position)", "load": 1000, "peak_left": \#(j(row.peaks.0)), "peak_right": \#(j(row.peaks.1)), "max_rise_difference": \#(j(difference))}"#
            ]
            let vehicle = #""type_code": "H31", "max_total_mass_kg": 3000, "use_phase": "\#(row.phase)""#
            let item = try judge(cnBrakeCase(vehicle: vehicle, axles: axles)).required("brake.axle1.imbalance")
            #expect(item.limit == .atMost(row.limit))
            #expect(item.basis == row.basis)
            #expect(item.verdict == expected, "\(row) at \(percentValue)")
        }
    }

    @Test func rearImbalanceFormSwitchesAtAnAxleRateOfSixtyPercent() throws {
        let vehicle = #""type_code": "H31", "max_total_mass_kg": 3000, "use_phase": "in_use""#
        func rear(_ each: Double) -> String {
            #"{"position": "rear", "load": 1000, "peak_left": \#(j(each)), "peak_right": \#(j(each)), "max_rise_difference": 95}"#
        }
        // Exactly 60 %: ratio form, 95 / 300 = 31.67 % > 30 %.
        let at = try judge(cnBrakeCase(vehicle: vehicle, axles: [axle("front", rate: 80), rear(300)])).required("brake.axle2.imbalance")
        #expect(at.basis == .peak)
        #expect(at.verdict == .fail)
        // 59.9 %: load form, 95 / 1000 = 9.5 % ≤ 10 %.
        let below = try judge(cnBrakeCase(vehicle: vehicle, axles: [axle("front", rate: 80), rear(299.5)])).required("brake.axle2.imbalance")
        #expect(below.basis == .axleLoad)
        #expect(below.verdict == .pass)
        #expect(abs((below.value ?? 0) - 9.5) < 1e-9)
        #expect(below.explain.zh.contains("在用车限值"))
    }

    @Test func imbalanceIsNotJudgedForSingleWheelAxlesAndMotorcycles() throws {
        let bike = cnBrakeCase(
            vehicle: #""type_code": "M21", "use_phase": "in_use""#,
            axles: [#"{"position": "front", "wheels": 1, "load": 100, "peak_left": 80, "max_rise_difference": 0}"#])
        #expect(try judge(bike).required("brake.axle1.imbalance").verdict == .notApplicable)
        let tricar = cnBrakeCase(
            vehicle: #""type_code": "N11", "use_phase": "in_use""#,
            axles: [#"{"position": "rear", "load": 500, "peak_left": 200, "peak_right": 100, "max_rise_difference": 100}"#])
        #expect(try judge(tricar).required("brake.axle1.imbalance").verdict == .notApplicable)
    }

    @Test(arguments: [(100.0, ItemVerdict.pass), (99.4, .pass), (100.5, .fail), (101, .fail)])
    func wheelDragIsAtMostTenPercentOfTheAxleLoad(drag: Double, expected: ItemVerdict) throws {
        let axles = [#"{"position": "front", "load": 1000, "peak_left": 400, "peak_right": 400, "drag_left": \#(j(drag)), "drag_right": 0}"#]
        let result = try judge(cnBrakeCase(vehicle: #""type_code": "K33", "use_phase": "in_use""#, axles: axles))
        let left = try result.required("brake.axle1.drag_left")
        #expect(left.verdict == expected)
        #expect(left.limit == .atMost(10))
        #expect(try result.required("brake.axle1.drag_right").verdict == .pass)
    }

    @Test func parkingNeedsTwentyPercentOrFifteenBelowOnePointTwoTimesCurbMass() throws {
        func parking(_ force: Double, masses: String) throws -> RuleItem {
            let json = cnBrakeCase(
                vehicle: #""type_code": "H31", "use_phase": "in_use", \#(masses)"#,
                axles: [axle("front", rate: 70), axle("rear", rate: 50)], extra: #", "parking_total": \#(j(force))"#)
            return try judge(json).required("brake.parking.rate")
        }
        let normal = #""max_total_mass_kg": 3000, "curb_mass_kg": 2000"#
        #expect(try parking(400, masses: normal).verdict == .pass)  // 20.0 %
        #expect(try parking(398, masses: normal).verdict == .fail)  // 19.9 %
        let light = #""max_total_mass_kg": 2300, "curb_mass_kg": 2000"#  // 2300 < 2400
        #expect(try parking(300, masses: light).limit == .atLeast(15))
        #expect(try parking(300, masses: light).verdict == .pass)
        #expect(try parking(298, masses: light).verdict == .fail)
        let exactly = #""max_total_mass_kg": 2400, "curb_mass_kg": 2000"#  // not below 1.2×: 20 %
        #expect(try parking(300, masses: exactly).limit == .atLeast(20))
        // Unknown masses: the vendor's documented default of 20 %.
        let unknown = try parking(400, masses: #""max_total_mass_kg": null"#)
        #expect(unknown.limit == .atLeast(20))
        #expect(unknown.verdict == .pass)
        #expect(unknown.explain.en.contains("default 20 %"))
    }

    @Test func motorcyclesAreExemptFromTheParkingBrake() throws {
        let json = cnBrakeCase(
            vehicle: #""type_code": "M21", "use_phase": "in_use""#,
            axles: [axle("front", rate: 70, single: true), axle("rear", rate: 60, single: true)], extra: #", "parking_total": 10"#)
        #expect(try judge(json).required("brake.parking.rate").verdict == .notApplicable)
    }

    @Test func exampleCaseOfTheStandardJudgesAsDocumented() throws {
        let json = """
            {"ruleset": "CN-GB7258-2017",
             "vehicle": {"type_code": "K33", "passenger_car": true, "use_phase": "in_use", "max_total_mass_kg": 1800, "curb_mass_kg": 1350},
             "brake": {"unit": "daN", "axles": [
               {"index": 1, "position": "front", "load": 800, "peak_left": 330, "peak_right": 320, "max_rise_difference": 30, "drag_left": 12, "drag_right": 10},
               {"index": 2, "position": "rear", "load": 600, "curve": {"period_ms": 10, "left": [0, 40, 90, 120, 118], "right": [0, 35, 80, 115, 117]}, "drag_left": 8, "drag_right": 6}],
               "parking_total": 310}}
            """
        let result = try judge(json)
        #expect(result.verdict == .pass)
        let rate = try result.required("brake.axle1.rate")
        #expect(Rounding.display(rate.value!) == 81.25)
        let front = try result.required("brake.axle1.imbalance")
        #expect(front.explain.en == "axle 1 (front) imbalance 9.1 % ≤ 24 % (in-use limit)")
        #expect(front.explain.zh == "1轴（前轴）制动不平衡率 9.1% ≤ 24%（在用车限值）")
        let rear = try result.required("brake.axle2.imbalance")
        #expect(rear.basis == .axleLoad)
        #expect(Rounding.display(rear.value!) == 1.67)
        #expect(rear.limit == .atMost(10))
    }
}
