import LaneCore

/// Exhaust emission rules of every ruleset (`standards.md` §3).
enum EmissionRules {
    typealias F = EmissionTest.Figure

    /// One scalar emission item: its id, the figure it reads, its unit.
    static func scalar(
        _ item: EmissionItem, _ figure: F, unit: String, test: EmissionTest, clause: String, decision: LimitDecision,
        severity: Severity? = nil, into items: inout [RuleItem]
    ) {
        ItemMaker.make(
            id: item.id, subject: .emission(item), unit: unit, clause: clause,
            inputs: InputList(Input(test[figure], emission: figure)), decision: decision, rounding: .none,
            severityOnFail: severity, into: &items, compute: { $0[0] })
    }

    /// The items a method produces and the figures they read, for "not in this ruleset".
    static let methodItems: [EmissionTest.Method: [(EmissionItem, F?, String)]] = [
        .twoSpeedIdle: [
            (.idleCO, .idleCO, "%"), (.idleHC, .idleHC, "ppm"), (.highIdleCO, .highIdleCO, "%"),
            (.highIdleHC, .highIdleHC, "ppm"), (.highIdleLambda, .highIdleLambda, "λ"),
        ],
        .asm: [
            (.asm5025CO, .asm5025CO, "%"), (.asm5025HC, .asm5025HC, "ppm"), (.asm5025NO, .asm5025NO, "ppm"),
            (.asm2540CO, .asm2540CO, "%"), (.asm2540HC, .asm2540HC, "ppm"), (.asm2540NO, .asm2540NO, "ppm"),
        ],
        .vmas: [(.vmasCO, .vmasCO, "g/km"), (.vmasHC, .vmasHC, "g/km"), (.vmasNOx, .vmasNOx, "g/km")],
        .freeAcceleration: [(.freeAcceleration, nil, "m-1")],
        .lugDown: [
            (.lugDownK100, .k100, "m-1"), (.lugDownK80, .k80, "m-1"), (.lugDownNOx80, .nox80, "ppm"),
            (.lugDownPower, .maxWheelPower, "kW"),
        ],
        .fastIdle: [
            (.fastIdleCO, .fastIdleCO, "%"), (.fastIdleHC, .fastIdleHC, "ppm"), (.fastIdleLambda, .fastIdleLambda, "λ"),
            (.idleCO, .idleCO, "%"),
        ],
        .dieselOpacity: [(.dieselOpacity, nil, "m-1")],
    ]

    /// Every item of the test, judged `not_applicable` for `note` (method not in the ruleset).
    static func notApplicable(_ test: EmissionTest, note: Note, clause: String, into items: inout [RuleItem]) {
        for (item, figure, unit) in methodItems[test.method] ?? [] {
            if let figure {
                scalar(item, figure, unit: unit, test: test, clause: clause, decision: .notApplicable(note), into: &items)
            } else if !test.opacityReadings.isAbsent {
                items.append(
                    RuleItem(
                        id: item.id, value: nil, unit: unit, limit: nil, verdict: .notApplicable, clause: clause,
                        subject: .emission(item), notes: [note]))
            }
        }
    }

    // MARK: China

    static let clauseDIS = "GB 18285-2018 two-speed idle (limit set "
    static let clauseTwoSpeedA = "GB 18285-2018 two-speed idle (limit a)"
    static let clauseTwoSpeedB = "GB 18285-2018 two-speed idle (limit b)"
    static func evaluateCN(_ test: EmissionTest, vehicle: Vehicle, into items: inout [RuleItem]) {
        let setName = vehicle.emissionLimitSet
        let set = setName.flatMap(CNTables.emissionSet)
        func decide(_ pick: (CNTables.EmissionSet) -> Limit) -> LimitDecision {
            guard let set else {
                if setName == "2005" {
                    return .unknown(
                        fields: ["vehicle.emission_limit_set"],
                        notes: [.reason(en: "set 2005 has free-acceleration limits only", zh: "2005限值仅适用于自由加速")])
                }
                return .unknown(fields: ["vehicle.emission_limit_set"])
            }
            return .limit(pick(set), notes: set.tag == .recalled ? [.reason(en: "limit set b (R: to confirm)", zh: "b限值（待核实）")] : [])
        }
        var suffix: String { (setName ?? "?") + ")" }
        switch test.method {
        case .twoSpeedIdle:
            // The common sets' clause is a constant: no string is built per case.
            let clause =
                switch setName {
                case "a": clauseTwoSpeedA
                case "b": clauseTwoSpeedB
                default: "GB 18285-2018 two-speed idle (limit " + suffix
                }
            scalar(.idleCO, .idleCO, unit: "%", test: test, clause: clause, decision: decide { .atMost($0.idleCO) }, into: &items)
            scalar(.idleHC, .idleHC, unit: "ppm", test: test, clause: clause, decision: decide { .atMost($0.idleHC) }, into: &items)
            scalar(.highIdleCO, .highIdleCO, unit: "%", test: test, clause: clause, decision: decide { .atMost($0.highIdleCO) }, into: &items)
            scalar(.highIdleHC, .highIdleHC, unit: "ppm", test: test, clause: clause, decision: decide { .atMost($0.highIdleHC) }, into: &items)
            scalar(.highIdleLambda, .highIdleLambda, unit: "λ", test: test, clause: clause, decision: decide { $0.lambda }, into: &items)
        case .asm:
            let clause = "GB 18285-2018 ASM (limit " + suffix
            let modes: [(EmissionItem, F, String, (CNTables.EmissionSet) -> Double)] = [
                (.asm5025CO, .asm5025CO, "%", { $0.asm5025[0] }), (.asm5025HC, .asm5025HC, "ppm", { $0.asm5025[1] }),
                (.asm5025NO, .asm5025NO, "ppm", { $0.asm5025[2] }), (.asm2540CO, .asm2540CO, "%", { $0.asm2540[0] }),
                (.asm2540HC, .asm2540HC, "ppm", { $0.asm2540[1] }), (.asm2540NO, .asm2540NO, "ppm", { $0.asm2540[2] }),
            ]
            for (item, figure, unit, pick) in modes {
                scalar(item, figure, unit: unit, test: test, clause: clause, decision: decide { .atMost(pick($0)) }, into: &items)
            }
        case .vmas:
            let clause = "GB 18285-2018 VMAS (limit " + suffix
            scalar(.vmasCO, .vmasCO, unit: "g/km", test: test, clause: clause, decision: decide { .atMost($0.vmas[0]) }, into: &items)
            scalar(.vmasHC, .vmasHC, unit: "g/km", test: test, clause: clause, decision: decide { .atMost($0.vmas[1]) }, into: &items)
            scalar(.vmasNOx, .vmasNOx, unit: "g/km", test: test, clause: clause, decision: decide { .atMost($0.vmas[2]) }, into: &items)
        case .freeAcceleration:
            freeAcceleration(test, vehicle: vehicle, set: set, setName: setName, into: &items)
        case .lugDown:
            let clause = "GB 3847-2018 lug-down (limit " + suffix
            scalar(.lugDownK100, .k100, unit: "m-1", test: test, clause: clause, decision: decide { .atMost($0.lugDownK) }, into: &items)
            scalar(.lugDownK80, .k80, unit: "m-1", test: test, clause: clause, decision: decide { .atMost($0.lugDownK) }, into: &items)
            scalar(.lugDownNOx80, .nox80, unit: "ppm", test: test, clause: clause, decision: decide { .atMost($0.lugDownNOx) }, into: &items)
            var power = decide { _ in Limit() }
            if case .limit = power {
                if let rated = vehicle.ratedPowerKw {
                    power = .limit(
                        .atLeast(rated * CNTables.lugDownMinPowerFraction),
                        notes: [.reason(en: "40 % of rated power (R: to confirm)", zh: "额定功率的40%（待核实）")])
                } else {
                    power = .unknown(fields: ["vehicle.rated_power_kw"])
                }
            }
            scalar(.lugDownPower, .maxWheelPower, unit: "kW", test: test, clause: clause + " max wheel power", decision: power, into: &items)
        case .fastIdle, .dieselOpacity:
            notApplicable(test, note: .notInRuleset, clause: "GB 18285-2018 / GB 3847-2018", into: &items)
        }
    }

    static func freeAcceleration(
        _ test: EmissionTest, vehicle: Vehicle, set: CNTables.EmissionSet?, setName: String?,
        into items: inout [RuleItem]
    ) {
        let item = EmissionItem.freeAcceleration
        let path = "emission.opacity_readings_m1"
        let clause = setName == "2005" ? "GB 3847-2005 free acceleration" : "GB 3847-2018 free acceleration (limit \(setName ?? "?"))"
        let decision: LimitDecision
        if let set {
            decision = .limit(.atMost(set.freeAcceleration), notes: set.tag == .recalled ? [.reason(en: "limit set b (R: to confirm)", zh: "b限值（待核实）")] : [.reason(en: "limit R: to confirm", zh: "限值待核实")])
        } else if setName == "2005" {
            if let aspiration = vehicle.aspiration {
                decision = .limit(.atMost(aspiration == .turbo ? CNTables.freeAcceleration2005.turbo : CNTables.freeAcceleration2005.natural))
            } else {
                decision = .unknown(fields: ["vehicle.aspiration"])
            }
        } else {
            decision = .unknown(fields: ["vehicle.emission_limit_set"])
        }
        switch test.opacityReadings {
        case .absent: return
        case .missing:
            items.append(ItemMaker.judge(id: item.id, subject: .emission(item), unit: "m-1", basis: nil, clause: clause, value: nil, missing: [path], decision: decision, rounding: .none))
        case .value(let readings):
            guard readings.count >= 3 else {
                items.append(
                    ItemMaker.judge(
                        id: item.id, subject: .emission(item), unit: "m-1", basis: nil, clause: clause, value: nil,
                        missing: [path], decision: decision, rounding: .none,
                        extraNotes: [.reason(en: "three measured accelerations needed, \(readings.count) given", zh: "需要3次测量值，仅有\(readings.count)次")]))
                return
            }
            // GB 3847: the result is the mean of the last three measured accelerations.
            let last = readings.suffix(3)
            let mean = last.reduce(0, +) / 3
            items.append(
                ItemMaker.judge(
                    id: item.id, subject: .emission(item), unit: "m-1", basis: nil, clause: clause, value: mean,
                    missing: [], decision: decision, rounding: .none,
                    extraNotes: readings.count > 3 ? [.lastThreeOf(readings.count)] : []))
        }
    }

    // MARK: UK and EU diesel smoke

    /// The UK/EU acceleration sequence (`standards.md` §3.3): pass on the first reading if it is
    /// at most 60 % of the limit, else on the mean of the first three, else on the mean of any
    /// three consecutive readings, up to six accelerations.
    /// - Returns: the figure the decision rests on, the verdict, and its note; nil with fewer
    ///   than three readings when the first does not already pass.
    static func opacitySequence(_ all: [Double], limit: Double) -> (value: Double, pass: Bool, note: Note)? {
        let readings = Array(all.prefix(6))
        let tolerance = 1e-9 * max(1, limit)
        guard let first = readings.first else { return nil }
        if first <= 0.6 * limit + tolerance { return (first, true, .firstReadingWithin60Percent) }
        guard readings.count >= 3 else { return nil }
        var lowest = Double.infinity
        var lowestStart = 0
        for start in 0...(readings.count - 3) {
            let mean = (readings[start] + readings[start + 1] + readings[start + 2]) / 3
            if mean <= limit + tolerance {
                return (mean, true, start == 0 ? .meanOfFirstThree : .meanOfThree(start: start + 1))
            }
            if mean < lowest {
                lowest = mean
                lowestStart = start
            }
        }
        return (lowest, false, .lowestMeanOfThree(start: lowestStart + 1))
    }

    static func dieselOpacity(
        _ test: EmissionTest, decision: LimitDecision, clause: String, into items: inout [RuleItem]
    ) {
        let item = EmissionItem.dieselOpacity
        let path = "emission.opacity_readings_m1"
        switch test.opacityReadings {
        case .absent: return
        case .missing:
            items.append(ItemMaker.judge(id: item.id, subject: .emission(item), unit: "m-1", basis: nil, clause: clause, value: nil, missing: [path], decision: decision, rounding: .none))
        case .value(let readings):
            guard case .limit(let limit, let notes) = decision, let max = limit.max else {
                items.append(ItemMaker.judge(id: item.id, subject: .emission(item), unit: "m-1", basis: nil, clause: clause, value: nil, missing: [], decision: decision, rounding: .none))
                return
            }
            guard let outcome = opacitySequence(readings, limit: max) else {
                items.append(
                    ItemMaker.judge(
                        id: item.id, subject: .emission(item), unit: "m-1", basis: nil, clause: clause, value: nil,
                        missing: [path], decision: decision, rounding: .none,
                        extraNotes: [.reason(en: "at least three accelerations needed", zh: "至少需要3次加速")]))
                return
            }
            items.append(
                RuleItem(
                    id: item.id, value: outcome.value, unit: "m-1", limit: limit, verdict: outcome.pass ? .pass : .fail,
                    severity: outcome.pass ? nil : .major, clause: clause, subject: .emission(item),
                    notes: notes + [outcome.note]))
        }
    }
}
