import InspectionRules
import Testing

func ukBrake(_ ruleset: String = "UK-MOT", vehicle: String, axles: [String], extra: String = "") -> String {
    #"{"ruleset": "\#(ruleset)", "vehicle": {\#(vehicle)}, "brake": {"axles": [\#(axles.joined(separator: ","))]\#(extra)}}"#
}

/// Two axles of 500 daN each (test weight 1000) giving `efficiency` % in total.
func ukAxles(efficiency: Double, lockedWheels: Int = 0) -> [String] {
    let each = efficiency * 10 / 4
    return (0..<2).map { axle in
        let lockL = lockedWheels > axle * 2
        let lockR = lockedWheels > axle * 2 + 1
        return #"{"position": "\#(axle == 0 ? "front" : "rear")", "load": 500, "peak_left": \#(j(each)), "peak_right": \#(j(each)), "locked_left": \#(lockL), "locked_right": \#(lockR)}"#
    }
}

struct EuropeanRulesTests {
    struct EfficiencyRow: Sendable, CustomTestStringConvertible {
        var ruleset = "UK-MOT"
        var vehicle: String
        var minimum: Double
        var testDescription: String { "\(ruleset) \(vehicle) ≥ \(minimum)" }
    }

    static let rows: [EfficiencyRow] = [
        .init(vehicle: #""category": "M1", "first_used": "2010-09-01""#, minimum: 58),
        .init(vehicle: #""category": "M1", "first_used": "2010-08-31""#, minimum: 50),
        .init(vehicle: #""category": "M1", "first_registered": "2015-01-01""#, minimum: 58),
        .init(vehicle: #""category": "N1", "first_used": "2020-01-01""#, minimum: 50),
        .init(vehicle: #""category": "M2", "first_used": "1968-01-01""#, minimum: 50),
        .init(vehicle: #""category": "M3", "first_used": "1967-12-31""#, minimum: 45),
        .init(ruleset: "EU-2014-45", vehicle: #""category": "M1", "first_used": "2012-01-01""#, minimum: 58),
        .init(ruleset: "EU-2014-45", vehicle: #""category": "M1", "first_used": "2011-12-31""#, minimum: 50),
        .init(ruleset: "EU-2014-45", vehicle: #""category": "N1", "first_used": "2011-12-31""#, minimum: 45),
        .init(ruleset: "EU-2014-45", vehicle: #""category": "N3", "first_used": "2005-01-01""#, minimum: 43),
        .init(ruleset: "EU-2014-45", vehicle: #""category": "O3", "type_code": "B11""#, minimum: 45),
        .init(ruleset: "EU-2014-45", vehicle: #""category": "O3", "type_code": "G11""#, minimum: 50),
    ]

    @Test(arguments: rows)
    func serviceEfficiencyIsJudgedAtEachCategoryAndDateLimit(row: EfficiencyRow) throws {
        for (efficiency, expected, severity) in [
            (row.minimum, ItemVerdict.pass, Severity?.none), (row.minimum - 0.1, .fail, .major), (row.minimum + 0.1, .pass, nil),
            (row.minimum / 2, .fail, .major), (row.minimum / 2 - 0.1, .fail, .dangerous),
        ] {
            let item = try judge(ukBrake(row.ruleset, vehicle: row.vehicle, axles: ukAxles(efficiency: efficiency)))
                .required("brake.service.rate")
            #expect(item.limit == .atLeast(row.minimum), "\(row)")
            #expect(item.verdict == expected, "\(row) at \(efficiency)")
            #expect(item.severity == severity, "\(row) at \(efficiency)")
        }
    }

    @Test func moreThanHalfTheWheelsLockedMeetsTheRequirementButExactlyHalfDoesNot() throws {
        let vehicle = #""category": "M1", "first_used": "2015-01-01""#
        let three = try judge(ukBrake(vehicle: vehicle, axles: ukAxles(efficiency: 40, lockedWheels: 3))).required("brake.service.rate")
        #expect(three.verdict == .pass)
        #expect(three.explain.en.contains("more than half"))
        let two = try judge(ukBrake(vehicle: vehicle, axles: ukAxles(efficiency: 40, lockedWheels: 2))).required("brake.service.rate")
        #expect(two.verdict == .fail)
        #expect(two.severity == .major)
    }

    @Test(arguments: [
        (300.0, 210.0, true, ItemVerdict.pass, Severity?.none),
        (300, 209, true, .fail, .major),
        (300, 150, true, .fail, .major),  // exactly 50 %: not below half
        (300, 149, true, .fail, .dangerous),
        (300, 100, false, .fail, .major),  // not steered: never dangerous
        (210, 300, true, .pass, nil),
    ])
    func imbalanceIsHigherMinusLowerOverHigher(left: Double, right: Double, steered: Bool, expected: ItemVerdict, severity: Severity?) throws {
        let axles = [#"{"position": "front", "steered": \#(steered), "load": 800, "peak_left": \#(j(left)), "peak_right": \#(j(right))}"#]
        let item = try judge(ukBrake(vehicle: #""category": "M1", "first_used": "2015-01-01""#, axles: axles)).required("brake.axle1.imbalance")
        #expect(item.limit == .atMost(30))
        #expect(item.verdict == expected)
        #expect(item.severity == severity)
    }

    @Test func imbalanceIsMetWhenTheLowerWheelLocked() throws {
        let axles = [#"{"position": "rear", "load": 500, "peak_left": 100, "peak_right": 200, "locked_left": true}"#]
        let item = try judge(ukBrake(vehicle: #""category": "M1", "first_used": "2015-01-01""#, axles: axles)).required("brake.axle1.imbalance")
        #expect(item.verdict == .pass)
        #expect(item.value == 50)
        #expect(item.explain.en.contains("lower wheel locked"))
    }

    @Test(arguments: [(160.0, ItemVerdict.pass, Severity?.none), (159, .fail, .major), (80, .fail, .major), (79, .fail, .dangerous)])
    func parkingBrakeNeedsSixteenPercent(force: Double, expected: ItemVerdict, severity: Severity?) throws {
        let json = ukBrake(vehicle: #""category": "M1""#, axles: ukAxles(efficiency: 70), extra: #", "parking_total": \#(j(force))"#)
        let item = try judge(json).required("brake.parking.rate")
        #expect(item.verdict == expected)
        #expect(item.severity == severity)
    }

    @Test func unknownCategoryOrDateLeavesEfficiencyIncomplete() throws {
        let noCategory = try judge(ukBrake(vehicle: "", axles: ukAxles(efficiency: 70))).required("brake.service.rate")
        #expect(noCategory.missing == ["vehicle.category"])
        let noDate = try judge(ukBrake(vehicle: #""category": "M1""#, axles: ukAxles(efficiency: 70))).required("brake.service.rate")
        #expect(noDate.missing == ["vehicle.first_used"])
        let perAxle = try judge(ukBrake(vehicle: #""category": "N1""#, axles: ukAxles(efficiency: 70))).required("brake.axle1.rate")
        #expect(perAxle.verdict == .notApplicable)
    }

    // MARK: Diesel smoke

    func opacity(_ readings: [Double], vehicle: String = #""category": "M1", "first_used": "2010-01-01""#, ruleset: String = "UK-MOT") throws -> RuleItem {
        try judge(emissionCase(ruleset, vehicle: vehicle, emission: #""method": "diesel_opacity", "opacity_readings_m1": \#(readings)"#))
            .required("emission.diesel_opacity")
    }

    @Test func dieselSequencePassesOnTheFirstReadingWithinSixtyPercent() throws {
        let item = try opacity([0.9, 3.0])  // limit 1.5, 60 % = 0.9
        #expect(item.verdict == .pass)
        #expect(item.value == 0.9)
    }

    @Test func dieselSequenceUsesTheMeanOfTheFirstThreeThenAnyThreeConsecutive() throws {
        let first = try opacity([1.0, 1.5, 2.0])
        #expect(first.verdict == .pass)
        #expect(abs(first.value! - 1.5) < 1e-9)
        let later = try opacity([2.0, 1.6, 1.4, 1.2, 1.2])
        #expect(later.verdict == .pass)
        #expect(abs(later.value! - 1.4) < 1e-9)
        #expect(later.explain.en.contains("readings 2–4"))
    }

    @Test func dieselSequenceFailsOnTheLowestMeanWithinSixAccelerations() throws {
        let item = try opacity([2.0, 1.9, 1.8, 1.7, 1.6, 1.6, 0.1])  // the 7th is beyond the six allowed
        #expect(item.verdict == .fail)
        #expect(item.severity == .major)
        #expect(abs(item.value! - (1.7 + 1.6 + 1.6) / 3) < 1e-9)
    }

    @Test func dieselLimitsFollowTheDateAspirationAndPlateValue() throws {
        #expect(try opacity([0.7, 0.7, 0.7], vehicle: #""first_used": "2014-01-01""#).limit == .atMost(0.7))
        #expect(try opacity([1, 1, 1], vehicle: #""first_used": "2008-07-01""#).limit == .atMost(1.5))
        #expect(try opacity([1, 1, 1], vehicle: #""first_used": "2008-06-30", "aspiration": "turbo""#).limit == .atMost(3.0))
        #expect(try opacity([1, 1, 1], vehicle: #""first_used": "2008-06-30", "aspiration": "natural""#).limit == .atMost(2.5))
        #expect(try opacity([1, 1, 1], vehicle: #""first_used": "2008-06-30""#).missing == ["vehicle.aspiration"])
        #expect(try opacity([1, 1, 1], vehicle: #""first_used": "2020-01-01", "plate_value_m1": 1.1"#).limit == .atMost(1.1))
        #expect(try opacity([1, 1, 1], vehicle: #""first_used": "2009-01-01""#, ruleset: "EU-2014-45").limit == .atMost(1.5))
    }

    // MARK: Petrol and headlamps

    @Test func ukBasicEmissionsTestLimits() throws {
        func run(_ members: String, _ date: String = "2015-01-01") throws -> RuleResult {
            try judge(emissionCase("UK-MOT", vehicle: #""first_used": "\#(date)""#, emission: #""method": "fast_idle", \#(members)"#))
        }
        #expect(try run(#""fast_idle_co_pct": 0.2"#).required("emission.fast_idle.co").verdict == .pass)
        #expect(try run(#""fast_idle_co_pct": 0.21"#).required("emission.fast_idle.co").verdict == .fail)
        #expect(try run(#""fast_idle_hc_ppm": 200"#).required("emission.fast_idle.hc").verdict == .pass)
        #expect(try run(#""fast_idle_hc_ppm": 201"#).required("emission.fast_idle.hc").verdict == .fail)
        #expect(try run(#""fast_idle_lambda": 0.97"#).required("emission.fast_idle.lambda").verdict == .pass)
        #expect(try run(#""fast_idle_lambda": 1.04"#).required("emission.fast_idle.lambda").verdict == .fail)
        #expect(try run(#""idle_co_pct": 0.3"#).required("emission.idle.co").verdict == .pass)
        #expect(try run(#""idle_co_pct": 0.31"#).required("emission.idle.co").verdict == .fail)
        #expect(try run(#""idle_co_pct": 3.5"#, "1990-01-01").required("emission.idle.co").verdict == .pass)
        #expect(try run(#""idle_co_pct": 3.6"#, "1990-01-01").required("emission.idle.co").verdict == .fail)
        #expect(try run(#""idle_co_pct": 4.5"#, "1980-01-01").required("emission.idle.co").verdict == .pass)
    }

    @Test(arguments: [
        // Drop over 10 m = H × (1 − ratio); 800 mm: 0.5 % at 0.9375 H, 2.75 % at 0.65625 H.
        (800.0, 0.9375, ItemVerdict.pass), (800, 0.94, .fail), (800, 0.65625, .pass), (800, 0.65, .fail),
        (1000, 0.875, .pass), (1000, 0.88, .fail),
    ])
    func ukDippedBeamAimDependsOnLampHeight(height: Double, ratio: Double, expected: ItemVerdict) throws {
        let json = #"{"ruleset": "UK-MOT", "vehicle": {}, "headlamps": [{"side": "left", "low_beam_vertical_H": \#(j(ratio)), "centre_height_mm": \#(j(height))}]}"#
        let item = try judge(json).required("headlamp.left.aim")
        #expect(item.verdict == expected, "\(height) mm at \(ratio) H")
        #expect(item.severity == (expected == .fail ? .major : nil))
    }

    @Test func ukDoesNotJudgeIntensity() throws {
        let json = #"{"ruleset": "UK-MOT", "vehicle": {}, "headlamps": [{"side": "left", "high_beam_cd": 1000}]}"#
        let result = try judge(json)
        #expect(try result.required("headlamp.left.high_beam_intensity").verdict == .notApplicable)
        #expect(result.verdict == .pass)
    }
}
