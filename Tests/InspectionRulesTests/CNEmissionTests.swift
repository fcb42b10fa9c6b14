import InspectionRules
import Testing

func emissionCase(_ ruleset: String = "CN-GB7258-2017", vehicle: String, emission: String) -> String {
    #"{"ruleset": "\#(ruleset)", "vehicle": {\#(vehicle)}, "emission": {\#(emission)}}"#
}

struct CNEmissionTests {
    struct ScalarRow: Sendable, CustomTestStringConvertible {
        var set: String
        var method: String
        var field: String
        var id: String
        var limit: Double
        var step: Double
        var isMinimum = false
        var testDescription: String { "\(set) \(id) \(limit)" }
    }

    static let rows: [ScalarRow] = [
        .init(set: "a", method: "two_speed_idle", field: "idle_co_pct", id: "emission.idle.co", limit: 0.6, step: 0.01),
        .init(set: "a", method: "two_speed_idle", field: "idle_hc_ppm", id: "emission.idle.hc", limit: 80, step: 1),
        .init(set: "a", method: "two_speed_idle", field: "high_idle_co_pct", id: "emission.high_idle.co", limit: 0.3, step: 0.01),
        .init(set: "a", method: "two_speed_idle", field: "high_idle_hc_ppm", id: "emission.high_idle.hc", limit: 50, step: 1),
        .init(set: "b", method: "two_speed_idle", field: "idle_co_pct", id: "emission.idle.co", limit: 0.4, step: 0.01),
        .init(set: "b", method: "two_speed_idle", field: "idle_hc_ppm", id: "emission.idle.hc", limit: 40, step: 1),
        .init(set: "b", method: "two_speed_idle", field: "high_idle_co_pct", id: "emission.high_idle.co", limit: 0.3, step: 0.01),
        .init(set: "b", method: "two_speed_idle", field: "high_idle_hc_ppm", id: "emission.high_idle.hc", limit: 30, step: 1),
        .init(set: "a", method: "two_speed_idle", field: "high_idle_lambda", id: "emission.high_idle.lambda", limit: 1.05, step: 0.01),
        .init(set: "a", method: "two_speed_idle", field: "high_idle_lambda", id: "emission.high_idle.lambda", limit: 0.95, step: 0.01, isMinimum: true),
        .init(set: "a", method: "asm", field: "asm5025_co_pct", id: "emission.asm5025.co", limit: 0.5, step: 0.01),
        .init(set: "a", method: "asm", field: "asm5025_hc_ppm", id: "emission.asm5025.hc", limit: 90, step: 1),
        .init(set: "a", method: "asm", field: "asm5025_no_ppm", id: "emission.asm5025.no", limit: 700, step: 1),
        .init(set: "a", method: "asm", field: "asm2540_co_pct", id: "emission.asm2540.co", limit: 0.4, step: 0.01),
        .init(set: "a", method: "asm", field: "asm2540_hc_ppm", id: "emission.asm2540.hc", limit: 80, step: 1),
        .init(set: "a", method: "asm", field: "asm2540_no_ppm", id: "emission.asm2540.no", limit: 650, step: 1),
        .init(set: "b", method: "asm", field: "asm5025_co_pct", id: "emission.asm5025.co", limit: 0.35, step: 0.01),
        .init(set: "b", method: "asm", field: "asm5025_hc_ppm", id: "emission.asm5025.hc", limit: 47, step: 1),
        .init(set: "b", method: "asm", field: "asm5025_no_ppm", id: "emission.asm5025.no", limit: 420, step: 1),
        .init(set: "b", method: "asm", field: "asm2540_co_pct", id: "emission.asm2540.co", limit: 0.30, step: 0.01),
        .init(set: "b", method: "asm", field: "asm2540_hc_ppm", id: "emission.asm2540.hc", limit: 44, step: 1),
        .init(set: "b", method: "asm", field: "asm2540_no_ppm", id: "emission.asm2540.no", limit: 390, step: 1),
        .init(set: "a", method: "vmas", field: "co_g_km", id: "emission.vmas.co", limit: 8.0, step: 0.1),
        .init(set: "a", method: "vmas", field: "hc_g_km", id: "emission.vmas.hc", limit: 1.6, step: 0.1),
        .init(set: "a", method: "vmas", field: "nox_g_km", id: "emission.vmas.nox", limit: 1.3, step: 0.1),
        .init(set: "b", method: "vmas", field: "co_g_km", id: "emission.vmas.co", limit: 5.0, step: 0.1),
        .init(set: "b", method: "vmas", field: "hc_g_km", id: "emission.vmas.hc", limit: 1.0, step: 0.1),
        .init(set: "b", method: "vmas", field: "nox_g_km", id: "emission.vmas.nox", limit: 0.7, step: 0.1),
        .init(set: "a", method: "lug_down", field: "k100_m1", id: "emission.lug_down.k100", limit: 1.2, step: 0.01),
        .init(set: "a", method: "lug_down", field: "k80_m1", id: "emission.lug_down.k80", limit: 1.2, step: 0.01),
        .init(set: "a", method: "lug_down", field: "nox80_ppm", id: "emission.lug_down.nox80", limit: 1500, step: 1),
        .init(set: "b", method: "lug_down", field: "k100_m1", id: "emission.lug_down.k100", limit: 0.7, step: 0.01),
        .init(set: "b", method: "lug_down", field: "nox80_ppm", id: "emission.lug_down.nox80", limit: 900, step: 1),
    ]

    @Test(arguments: rows)
    func emissionFigureIsJudgedAtItsLimitForEachLimitSet(row: ScalarRow) throws {
        let outside = row.isMinimum ? row.limit - row.step : row.limit + row.step
        let inside = row.isMinimum ? row.limit + row.step : row.limit - row.step
        for (value, expected) in [(row.limit, ItemVerdict.pass), (outside, .fail), (inside, .pass)] {
            let json = emissionCase(
                vehicle: #""emission_limit_set": "\#(row.set)""#,
                emission: #""method": "\#(row.method)", "\#(row.field)": \#(j(value))"#)
            let item = try judge(json).required(row.id)
            #expect(item.verdict == expected, "\(row) at \(value)")
        }
    }

    @Test func freeAccelerationIsTheMeanOfTheMeasuredReadings() throws {
        func item(_ readings: [Double], _ vehicle: String) throws -> RuleItem {
            try judge(emissionCase(vehicle: vehicle, emission: #""method": "free_acceleration", "opacity_readings_m1": \#(readings)"#))
                .required("emission.free_acceleration.opacity")
        }
        let a = #""emission_limit_set": "a""#
        #expect(try item([1.0, 1.2, 1.4], a).verdict == .pass)
        #expect(Rounding.display(try item([1.0, 1.2, 1.4], a).value!) == 1.2)
        #expect(try item([1.1, 1.3, 1.3], a).verdict == .fail)
        #expect(try item([0.7, 0.7, 0.7], #""emission_limit_set": "b""#).verdict == .pass)
        #expect(try item([0.7, 0.7, 0.71], #""emission_limit_set": "b""#).verdict == .fail)
        // More than three readings: the last three (GB 3847).
        let four = try item([3.0, 1.0, 1.2, 1.4], a)
        #expect(Rounding.display(four.value!) == 1.2)
        #expect(four.verdict == .pass)
        // GB 3847-2005: 2.5 naturally aspirated, 3.0 turbocharged; aspiration needed.
        #expect(try item([2.6, 2.6, 2.6], #""emission_limit_set": "2005", "aspiration": "natural""#).verdict == .fail)
        #expect(try item([2.6, 2.6, 2.6], #""emission_limit_set": "2005", "aspiration": "turbo""#).verdict == .pass)
        #expect(try item([3.0, 3.0, 3.0], #""emission_limit_set": "2005", "aspiration": "turbo""#).verdict == .pass)
        let unknown = try item([1, 1, 1], #""emission_limit_set": "2005""#)
        #expect(unknown.verdict == .incomplete)
        #expect(unknown.missing == ["vehicle.aspiration"])
    }

    @Test func lugDownPowerNeedsFortyPercentOfRatedPower() throws {
        func power(_ kw: Double, rated: String) throws -> RuleItem {
            try judge(emissionCase(vehicle: #""emission_limit_set": "a"\#(rated)"#, emission: #""method": "lug_down", "max_wheel_power_kw": \#(j(kw))"#))
                .required("emission.lug_down.power")
        }
        #expect(try power(40, rated: #", "rated_power_kw": 100"#).verdict == .pass)
        #expect(try power(39.9, rated: #", "rated_power_kw": 100"#).verdict == .fail)
        #expect(try power(40, rated: "").missing == ["vehicle.rated_power_kw"])
    }

    @Test func unknownLimitSetLeavesEveryEmissionItemIncomplete() throws {
        let result = try judge(emissionCase(vehicle: "", emission: #""method": "two_speed_idle", "idle_co_pct": 0.1, "idle_hc_ppm": 10"#))
        #expect(result.verdict == .incomplete)
        #expect(try result.required("emission.idle.co").missing == ["vehicle.emission_limit_set"])
        #expect(result.item("emission.high_idle.co") == nil)  // absent: not measured
    }

    @Test func ukMethodsAreNotApplicableUnderTheChineseRuleset() throws {
        let result = try judge(emissionCase(vehicle: #""emission_limit_set": "a""#, emission: #""method": "fast_idle", "fast_idle_co_pct": 0.1"#))
        #expect(try result.required("emission.fast_idle.co").verdict == .notApplicable)
        #expect(result.verdict == .pass)
    }
}
