import LaneCore

/// UK MOT (class 4) and EU Directive 2014/45/EU rules (`standards.md` §1.5–1.6, §2.3–2.4, §3.3–3.4).
/// The two share their shape; their tables differ.
struct EuropeanRules {
    let ruleset: RulesetID
    var isUK: Bool { ruleset == .ukMOT }
    var clauseBrake: String { isUK ? "MOT inspection manual 1.2.1" : "Directive 2014/45/EU Annex III 1.2.1" }
    var clauseImbalance: String { isUK ? "MOT inspection manual 1.2.1 (imbalance)" : "Directive 2014/45/EU Annex III 1.2.1 (b)" }
    var clauseParking: String { isUK ? "MOT inspection manual 1.4.2" : "Directive 2014/45/EU Annex III 1.4.2" }
    var clauseAim: String { isUK ? "MOT inspection manual 4.1.2" : "Directive 2014/45/EU Annex III 4.1.2 (ECE R48 ranges, R)" }

    /// The date UK/EU rules use: `first_used`, defaulting to `first_registered` (ISO `YYYY-MM-DD`).
    static func firstUsed(_ vehicle: Vehicle) -> String? { vehicle.firstUsed ?? vehicle.firstRegistered }

    /// A limit that depends on the vehicle: a value, not judged, or needs a field.
    enum Requirement: Equatable {
        case value(Double, recalled: Bool)
        case notJudged
        case needs(String)
    }

    /// Minimum service-brake efficiency, % (UK §1.5, EU §1.6).
    func serviceRequirement(_ vehicle: Vehicle) -> Requirement {
        guard let category = vehicle.category.map(normalizedCategory) else { return .needs("vehicle.category") }
        let date = Self.firstUsed(vehicle)
        func byDate(_ threshold: String, onOrAfter: Double, before: Double, recalled: Bool = false) -> Requirement {
            guard let date else { return .needs("vehicle.first_used") }
            return .value(date >= threshold ? onOrAfter : before, recalled: recalled)
        }
        if isUK {
            switch category {
            case "M1": return byDate("2010-09-01", onOrAfter: 58, before: 50)
            case "N1": return .value(50, recalled: false)
            case "M2", "M3": return byDate("1968-01-01", onOrAfter: 50, before: 45)
            case "L2", "L6": return .value(40, recalled: false)
            case "L5": return byDate("1968-01-01", onOrAfter: 50, before: 40)
            case "L7": return .value(50, recalled: false)
            default: return .notJudged
            }
        }
        switch category {
        case "M1": return byDate("2012-01-01", onOrAfter: 58, before: 50, recalled: true)
        case "M2", "M3": return .value(50, recalled: true)
        case "N1": return .value(45, recalled: true)
        case "N2", "N3": return byDate("2012-01-01", onOrAfter: 50, before: 43, recalled: true)
        case "O2", "O3", "O4":
            guard let code = vehicle.typeCode?.uppercased().first else { return .needs("vehicle.type_code") }
            if code == "B" { return .value(45, recalled: true) }
            if code == "G" { return .value(50, recalled: true) }
            return .needs("vehicle.type_code")
        case "L1": return .value(42, recalled: true)
        case "L2", "L6": return .value(40, recalled: true)
        case "L3": return .value(50, recalled: true)
        case "L4": return .value(46, recalled: true)
        case "L5", "L7": return .value(44, recalled: true)
        default: return .notJudged
        }
    }

    static let recalledNote = Note.reason(en: "R: recalled limit, to confirm", zh: "记忆值，待核实")

    func evaluateBrake(_ brake: BrakeTest, vehicle: Vehicle, into items: inout [RuleItem]) {
        guard case .value(let axleList) = brake.axles else {
            if case .missing = brake.axles {
                items.append(
                    RuleItem(
                        id: "brake.service.rate", value: nil, unit: "%", basis: .testWeight, limit: nil,
                        verdict: .incomplete, clause: clauseBrake, missing: ["brake.axles"], subject: .serviceRate))
            }
            appendParking(brake, axles: [], vehicle: vehicle, into: &items)
            return
        }
        let axles = AxleFigures.derive(axleList, unit: brake.unit, allRear: false)
        for axle in axles {
            let n = axle.number
            // Per-axle rates and drag percentages are not judged by the MOT / 2014/45.
            if let item = ItemMaker.make(
                id: AxleIDs.of(n).rate, subject: .axleRate(axle: n, position: axle.position), unit: "%",
                basis: .axleLoad, clause: clauseBrake, inputs: axle.rateInputs, primary: axle.peakInputs.count,
                decision: .notApplicable(.notInRuleset), rounding: .none,
                compute: { percent($0.dropLast().reduce(0, +), of: $0[$0.count - 1]) })
            {
                items.append(item)
            }
            appendImbalance(axle, into: &items)
            for leftOrRight in 0..<2 {  // no array literal: that allocated per axle
                let side: HeadlampReading.Side = leftOrRight == 0 ? .left : .right
                let input = leftOrRight == 0 ? axle.dragLeft : axle.dragRight
                if let item = ItemMaker.make(
                    id: side == .left ? AxleIDs.of(n).dragLeft : AxleIDs.of(n).dragRight, subject: .drag(axle: n, side: side), unit: "%",
                    basis: .axleLoad, clause: clauseBrake, inputs: InputList(input, axle.load), primary: 1,
                    decision: .notApplicable(.notInRuleset), rounding: .none, compute: { percent($0[0], of: $0[1]) })
                {
                    items.append(item)
                }
            }
        }
        let totals = BrakeTotals(axles, testWeight: brake.testWeight, unit: brake.unit)
        if !totals.peaks.isAbsent {
            let missing = totals.peakMissing + totals.weightMissing
            var value: Double?
            if missing.isEmpty, let sum = totals.peaks.value, let weight = totals.testWeight.value {
                value = percent(sum, of: weight)
            }
            // "More than half of the wheels of a brake system lock": exactly half is not enough.
            let wheels = axles.reduce(0) { $0 + $1.wheels }
            let locked = axles.reduce(0) { $0 + ($1.lockedLeft ? 1 : 0) + ($1.wheels == 2 && $1.lockedRight ? 1 : 0) }
            items.append(
                efficiencyItem(
                    id: "brake.service.rate", subject: .serviceRate, clause: clauseBrake, value: value, missing: missing,
                    requirement: serviceRequirement(vehicle), wheelsLocked: wheels > 0 && 2 * locked > wheels))
        }
        appendParking(brake, axles: axles, vehicle: vehicle, into: &items)
    }

    /// An efficiency item: below the requirement is major, below half of it dangerous.
    func efficiencyItem(
        id: String, subject: Subject, clause: String, value: Double?, missing: [String], requirement: Requirement,
        wheelsLocked: Bool
    ) -> RuleItem {
        let decision: LimitDecision
        switch requirement {
        case .notJudged: decision = .notApplicable(.notJudgedForVehicle)
        case .needs(let field): decision = .unknown(fields: [field])
        case .value(let minimum, let recalled): decision = .limit(.atLeast(minimum), notes: recalled ? [Self.recalledNote] : [])
        }
        var item = ItemMaker.judge(
            id: id, subject: subject, unit: "%", basis: .testWeight, clause: clause, value: value, missing: missing,
            decision: decision, rounding: .none, severityOnFail: .major)
        if item.verdict == .fail, let value, case .value(let minimum, _) = requirement {
            if wheelsLocked {
                item.verdict = .pass
                item.severity = nil
                item.notes.append(.wheelsLocked)
            } else if value < minimum / 2 - 1e-9 {
                item.severity = .dangerous
                item.notes.append(.belowHalfRequirement)
            }
        }
        return item
    }

    func appendImbalance(_ axle: AxleFigures, into items: inout [RuleItem]) {
        let n = axle.number
        let id = AxleIDs.of(n).imbalance
        let subject = Subject.axleImbalance(axle: n, position: axle.position)
        if axle.wheels == 1 {
            if !axle.peakLeft.reading.isAbsent {
                items.append(
                    RuleItem(
                        id: id, value: nil, unit: "%", limit: nil, verdict: .notApplicable, clause: clauseImbalance,
                        subject: subject, notes: [.singleWheelAxle]))
            }
            return
        }
        // UK/EU imbalance uses the maximum efforts: (higher − lower) / higher.
        guard
            var item = ItemMaker.make(
                id: id, subject: subject, unit: "%", basis: .peak, clause: clauseImbalance,
                inputs: InputList(axle.peakLeft, axle.peakRight), decision: .limit(.atMost(30)), rounding: .none,
                severityOnFail: .major,
                compute: { percent(abs($0[0] - $0[1]), of: max($0[0], $0[1])) })
        else { return }
        guard item.verdict == .fail, let value = item.value,
            let left = axle.peakLeft.reading.value, let right = axle.peakRight.reading.value
        else {
            items.append(item)
            return
        }
        let lowerLocked = left < right ? axle.lockedLeft : (right < left ? axle.lockedRight : false)
        if lowerLocked {
            item.verdict = .pass
            item.severity = nil
            item.notes.append(.lowerWheelLocked)
        } else if axle.steered && value > 50 + 1e-9 {
            // The lower wheel gives less than 50 % of the other on a steered axle.
            item.severity = .dangerous
            item.notes.append(.reason(en: "steered axle, lower wheel < 50 % of the other", zh: "转向轴一侧低于另一侧的50%"))
        }
        items.append(item)
    }

    func appendParking(_ brake: BrakeTest, axles: [AxleFigures], vehicle: Vehicle, into items: inout [RuleItem]) {
        guard !brake.parkingTotal.isAbsent else { return }
        let weight = BrakeTotals(axles, testWeight: brake.testWeight, unit: brake.unit)
        var missing = brake.parkingTotal.value == nil ? ["brake.parking_total"] : []
        missing += weight.weightMissing
        if weight.testWeight.isAbsent && weight.weightMissing.isEmpty { missing.append("brake.axles") }
        var value: Double?
        if missing.isEmpty, let force = brake.parkingTotal.value, let total = weight.testWeight.value {
            value = percent(force * brake.unit.toDecanewtons, of: total)
        }
        let requirement: Requirement =
            isUK ? .value(16, recalled: false) : .value(vehicle.combination == true ? 12 : 16, recalled: true)
        items.append(
            efficiencyItem(
                id: "brake.parking.rate", subject: .parkingRate, clause: clauseParking, value: value, missing: missing,
                requirement: requirement, wheelsLocked: false))
    }

    // MARK: Headlamps

    /// Dipped-beam aim limits, % below horizontal, for a lamp centre height in mm.
    func aimLimit(centreHeightMm h: Double) -> Limit {
        if isUK { return h <= 850 ? Limit(min: 0.5, max: 2.75) : Limit(min: 1.25, max: 2.75) }
        // ECE R48 6.2.6.1 initial inclination (R): below 800 mm 0.5–2.5 %; 800–1000 mm either
        // 0.5–2.5 % or 1.0–3.0 % (their union here); above 1000 mm 1.0–3.0 %.
        if h < 800 { return Limit(min: 0.5, max: 2.5) }
        if h <= 1000 { return Limit(min: 0.5, max: 3.0) }
        return Limit(min: 1.0, max: 3.0)
    }

    func evaluateLamps(_ lamps: [HeadlampReading], into items: inout [RuleItem]) {
        for (offset, lamp) in lamps.enumerated() {
            let ids = CNLampRules.lampID(lamp)
            let na = LimitDecision.notApplicable(.notInRuleset)
            if let item = ItemMaker.make(
                id: ids.highBeam, subject: .highBeam(side: lamp.side, lamp: lamp.lamp), unit: "cd",
                clause: clauseAim, inputs: InputList(Input(lamp.highBeamCd, lamp: offset, ".high_beam_cd")), decision: na,
                rounding: .none, compute: { $0[0] })
            {
                items.append(item)
            }
            if let item = ItemMaker.make(
                id: ids.lowBeamHorizontal, subject: .lowBeamHorizontal(side: lamp.side, lamp: lamp.lamp),
                unit: "mm", clause: clauseAim, inputs: InputList(Input(lamp.lowBeamHorizontalMm, lamp: offset, ".low_beam_horizontal_mm")),
                decision: na, rounding: .none, compute: { $0[0] })
            {
                items.append(item)
            }
            // Aim: the cut-off's drop over 10 m as a percentage: H·(1 − ratio) / 10 000 mm × 100.
            guard !lamp.lowBeamVerticalH.isAbsent else { continue }
            let height = lamp.centreHeightMm.value
            let decision: LimitDecision = height.map {
                .limit(aimLimit(centreHeightMm: $0), notes: isUK ? [] : [Self.recalledNote])
            } ?? .limit(Limit())
            if let item = ItemMaker.make(
                id: ids.aim, subject: .aim(side: lamp.side, lamp: lamp.lamp), unit: "%", clause: clauseAim,
                inputs: InputList(Input(lamp.lowBeamVerticalH, lamp: offset, ".low_beam_vertical_H"), Input(lamp.centreHeightMm, lamp: offset, ".centre_height_mm")), primary: 1,
                decision: decision, rounding: .none, severityOnFail: .major,
                compute: { $0[1] * (1 - $0[0]) / 100 })
            {
                items.append(item)
            }
        }
    }

    // MARK: Emissions

    func evaluateEmission(_ test: EmissionTest, vehicle: Vehicle, into items: inout [RuleItem]) {
        switch test.method {
        case .fastIdle: fastIdle(test, vehicle: vehicle, into: &items)
        case .dieselOpacity:
            let clause = isUK ? "MOT inspection manual 8.2.2.2" : "Directive 2014/45/EU Annex III 8.2.2.2"
            EmissionRules.dieselOpacity(test, decision: opacityDecision(vehicle), clause: clause, into: &items)
        default:
            EmissionRules.notApplicable(test, note: .notInRuleset, clause: isUK ? "MOT inspection manual 8.2" : "Directive 2014/45/EU Annex III 8.2", into: &items)
        }
    }

    func opacityDecision(_ vehicle: Vehicle) -> LimitDecision {
        if let plate = vehicle.plateValueM1 { return .limit(.atMost(plate), notes: [.plateValue]) }
        guard let date = Self.firstUsed(vehicle) else { return .unknown(fields: ["vehicle.first_used"]) }
        if isUK {
            if date >= "2014-01-01" { return .limit(.atMost(0.7)) }
            if date >= "2008-07-01" { return .limit(.atMost(1.5)) }
        } else if date >= "2008-07-01" {
            return .limit(.atMost(1.5), notes: [Self.recalledNote])
        }
        guard let aspiration = vehicle.aspiration else { return .unknown(fields: ["vehicle.aspiration"]) }
        return .limit(.atMost(aspiration == .turbo ? 3.0 : 2.5))
    }

    func fastIdle(_ test: EmissionTest, vehicle: Vehicle, into items: inout [RuleItem]) {
        typealias F = EmissionTest.Figure
        let clause = isUK ? "MOT inspection manual 8.2.1.2" : "Directive 2014/45/EU Annex III 8.2.1"
        var co = LimitDecision.unknown(fields: ["vehicle.first_used"])
        var hc = co
        var lambda = co
        var idle = co
        if let date = Self.firstUsed(vehicle) {
            let lambdaRange = LimitDecision.limit(Limit(min: 0.97, max: 1.03))
            if isUK {
                if date >= "1992-08-01" {
                    (co, hc, lambda, idle) = (.limit(.atMost(0.2)), .limit(.atMost(200)), lambdaRange, .limit(.atMost(0.3)))
                } else if date >= "1975-08-01" {
                    // Non-catalyst vehicles: CO and HC limits by date, λ not judged.
                    let limitCO = date >= "1986-08-01" ? 3.5 : 4.5
                    (co, hc, idle) = (.limit(.atMost(limitCO)), .limit(.atMost(1200)), .limit(.atMost(limitCO)))
                    lambda = .notApplicable(.reason(en: "non-catalyst vehicle", zh: "无催化器车辆"))
                } else {
                    let visual = LimitDecision.notApplicable(.reason(en: "first used before 1 Aug 1975: visual check only", zh: "1975年8月1日前首次使用：仅目视检查"))
                    (co, hc, lambda, idle) = (visual, visual, visual, visual)
                }
            } else {
                let r = [Self.recalledNote]
                hc = .notApplicable(.reason(en: "2014/45 sets no HC limit", zh: "2014/45无HC限值"))
                if date >= "1993-01-01" {
                    let newer = date >= "2002-07-01"
                    co = .limit(.atMost(newer ? 0.2 : 0.3), notes: r)
                    idle = .limit(.atMost(newer ? 0.3 : 0.5))
                    lambda = lambdaRange
                } else {
                    // Treated as without advanced emission control (before the 1993 catalyst rule, R).
                    idle = .limit(.atMost(date >= "1986-10-01" ? 3.5 : 4.5), notes: r)
                    co = .notApplicable(.reason(en: "no advanced emission control", zh: "无先进排放控制"))
                    lambda = co
                }
            }
        }
        EmissionRules.scalar(.fastIdleCO, .fastIdleCO, unit: "%", test: test, clause: clause, decision: co, severity: .major, into: &items)
        EmissionRules.scalar(.fastIdleHC, .fastIdleHC, unit: "ppm", test: test, clause: clause, decision: hc, severity: .major, into: &items)
        EmissionRules.scalar(.fastIdleLambda, .fastIdleLambda, unit: "λ", test: test, clause: clause, decision: lambda, severity: .major, into: &items)
        EmissionRules.scalar(.idleCO, .idleCO, unit: "%", test: test, clause: clause, decision: idle, severity: .major, into: &items)
    }
}
