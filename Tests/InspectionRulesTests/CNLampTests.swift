import InspectionRules
import Testing

func lampCase(vehicle: String, lamps: [String]) -> String {
    #"{"ruleset": "CN-GB7258-2017", "vehicle": {\#(vehicle)}, "headlamps": [\#(lamps.joined(separator: ","))]}"#
}

func beam(_ side: String, _ lamp: String = "main", cd: Double) -> String {
    #"{"side": "\#(side)", "lamp": "\#(lamp)", "high_beam_cd": \#(j(cd))}"#
}

struct CNLampTests {
    struct IntensityRow: Sendable, CustomTestStringConvertible {
        var vehicle: String
        var lamps: Int
        var limit: Double
        var testDescription: String { "\(vehicle) \(lamps)-lamp ≥ \(limit)" }
    }

    static let rows: [IntensityRow] = [
        IntensityRow(vehicle: #""type_code": "K33", "max_design_speed_kmh": 180, "use_phase": "new_registration""#, lamps: 2, limit: 18000),
        IntensityRow(vehicle: #""type_code": "K33", "max_design_speed_kmh": 180, "use_phase": "in_use""#, lamps: 2, limit: 15000),
        IntensityRow(vehicle: #""type_code": "H51", "max_total_mass_kg": 3000, "max_design_speed_kmh": 50, "use_phase": "new_registration""#, lamps: 2, limit: 10000),
        IntensityRow(vehicle: #""type_code": "H51", "max_total_mass_kg": 3000, "max_design_speed_kmh": 50, "use_phase": "in_use""#, lamps: 2, limit: 8000),
        IntensityRow(vehicle: #""type_code": "N11", "use_phase": "new_registration""#, lamps: 1, limit: 8000),
        IntensityRow(vehicle: #""type_code": "N11", "use_phase": "in_use""#, lamps: 2, limit: 5000),
        IntensityRow(vehicle: #""type_code": "M21", "use_phase": "new_registration""#, lamps: 1, limit: 10000),
        IntensityRow(vehicle: #""type_code": "M21", "use_phase": "in_use""#, lamps: 2, limit: 6000),
        IntensityRow(vehicle: #""type_code": "M22", "use_phase": "in_use""#, lamps: 1, limit: 3000),
        IntensityRow(vehicle: #""type_code": "T11", "rated_power_kw": 20, "use_phase": "new_registration""#, lamps: 2, limit: 8000),
        IntensityRow(vehicle: #""type_code": "T11", "rated_power_kw": 18, "use_phase": "in_use""#, lamps: 2, limit: 5000),
    ]

    @Test(arguments: rows)
    func highBeamIsJudgedAtEachClassLimit(row: IntensityRow) throws {
        for (cd, expected) in [(row.limit, ItemVerdict.pass), (row.limit - 1, .fail), (row.limit + 1, .pass)] {
            let lamps = row.lamps == 1 ? [beam("left", cd: cd)] : [beam("left", cd: cd), beam("right", cd: row.limit + 5000)]
            let vehicle = row.vehicle + #", "headlamp_system": \#(row.lamps)"#
            let item = try judge(lampCase(vehicle: vehicle, lamps: lamps)).required("headlamp.left.high_beam_intensity")
            #expect(item.limit == .atLeast(row.limit), "\(row)")
            #expect(item.verdict == expected, "\(row) at \(cd)")
        }
    }

    static let car = #""type_code": "K33", "max_design_speed_kmh": 180, "use_phase": "in_use", "headlamp_system": 4"#

    @Test func fourLampSystemPassesWhenASymmetricPairMeetsTheTwoLampLimit() throws {
        // In use: 4-lamp limit 12000, 2-lamp limit 15000. Auxiliary lamps are weak.
        let result = try judge(lampCase(vehicle: Self.car, lamps: [
            beam("left", cd: 15000), beam("right", cd: 15000), beam("left", "aux", cd: 5000), beam("right", "aux", cd: 5000),
        ]))
        #expect(result.verdict == .pass)
        #expect(try result.required("headlamp.left_aux.high_beam_intensity").verdict == .pass)
        #expect(try result.required("headlamp.left.high_beam_intensity").limit == .atLeast(15000))
        #expect(try result.required("headlamp.right_aux.high_beam_intensity").explain.en.contains("main pair"))
    }

    @Test func fourLampSystemWithoutAPairJudgesEachLampAgainstTheFourLampLimit() throws {
        let passing = try judge(lampCase(vehicle: Self.car, lamps: [
            beam("left", cd: 14000), beam("right", cd: 14000), beam("left", "aux", cd: 12000), beam("right", "aux", cd: 12000),
        ]))
        #expect(passing.verdict == .pass)
        let failing = try judge(lampCase(vehicle: Self.car, lamps: [
            beam("left", cd: 14000), beam("right", cd: 11999), beam("left", "aux", cd: 14000), beam("right", "aux", cd: 14000),
        ]))
        #expect(try failing.required("headlamp.right.high_beam_intensity").verdict == .fail)
        #expect(try failing.required("headlamp.right.high_beam_intensity").limit == .atLeast(12000))
        #expect(try failing.required("headlamp.left.high_beam_intensity").verdict == .pass)
    }

    @Test func sumOverFourHundredThirtyThousandCandelaFailsEveryLamp() throws {
        let over = try judge(lampCase(vehicle: Self.car, lamps: [
            beam("left", cd: 110000), beam("right", cd: 110000), beam("left", "aux", cd: 110000), beam("right", "aux", cd: 110000),
        ]))
        #expect(try over.required("headlamp.total_high_beam_intensity").verdict == .fail)
        for id in ["left", "right", "left_aux", "right_aux"] {
            let item = try over.required("headlamp.\(id).high_beam_intensity")
            #expect(item.verdict == .fail)
            #expect(item.explain.en.contains("430 000"))
        }
        let at = try judge(lampCase(vehicle: Self.car, lamps: [
            beam("left", cd: 107500), beam("right", cd: 107500), beam("left", "aux", cd: 107500), beam("right", "aux", cd: 107500),
        ]))
        #expect(at.verdict == .pass)
    }

    @Test(arguments: [
        (true, 0.70, ItemVerdict.pass), (true, 0.695, .pass), (true, 0.694, .fail), (true, 0.90, .pass), (true, 0.905, .fail),
        (false, 0.60, .pass), (false, 0.594, .fail), (false, 0.80, .pass), (false, 0.81, .fail),
    ])
    func lowBeamHeightIsRoundedToHundredthsOfHAndJudgedByClass(passengerCar: Bool, ratio: Double, expected: ItemVerdict) throws {
        let vehicle = passengerCar ? #""type_code": "K33""# : #""type_code": "H11", "max_total_mass_kg": 20000"#
        let item = try judge(lampCase(vehicle: vehicle, lamps: [#"{"side": "left", "low_beam_vertical_H": \#(j(ratio))}"#]))
            .required("headlamp.left.low_beam_vertical")
        #expect(item.verdict == expected, "\(passengerCar) \(ratio)")
        #expect(item.unit == "H")
    }

    @Test(arguments: [(-170.0, ItemVerdict.pass), (-171, .fail), (350, .pass), (351, .fail), (0, .pass)])
    func lowBeamHorizontalOffsetIsLeft170Right350(offset: Double, expected: ItemVerdict) throws {
        let lamps = [#"{"side": "right", "low_beam_horizontal_mm": \#(j(offset))}"#, #"{"side": "left", "high_beam_cd": 20000}"#]
        let item = try judge(lampCase(vehicle: #""type_code": "K33", "headlamp_system": 2"#, lamps: lamps))
            .required("headlamp.right.low_beam_horizontal")
        #expect(item.verdict == expected)
    }

    @Test func singleLampVehicleHorizontalOffsetIsNotApplicable() throws {
        let lamps = [#"{"side": "left", "low_beam_horizontal_mm": 500}"#]
        let item = try judge(lampCase(vehicle: #""type_code": "M21", "headlamp_system": 1"#, lamps: lamps))
            .required("headlamp.left.low_beam_horizontal")
        #expect(item.verdict == .notApplicable)
    }

    @Test func unknownDesignSpeedLeavesIntensityIncompleteNamingIt() throws {
        let result = try judge(lampCase(vehicle: #""type_code": "K33", "use_phase": "in_use""#, lamps: [beam("left", cd: 20000), beam("right", cd: 20000)]))
        let item = try result.required("headlamp.left.high_beam_intensity")
        #expect(item.verdict == .incomplete)
        #expect(item.missing == ["vehicle.max_design_speed_kmh"])
    }
}
