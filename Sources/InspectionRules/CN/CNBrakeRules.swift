import LaneCore

/// GB 7258-2017 roller brake rules (`standards.md` §1.1–1.3).
enum CNBrakeRules {
    static let clauseTable = "GB 7258-2017 7.2 / GB 38900-2020 (NH-STD table)"
    static let clauseImbalance = "GB 7258-2017 7.2 (brake imbalance)"
    static let clauseDrag = "GB 7258-2017 7.2 (wheel drag ≤ 10 % of axle load)"
    static let clauseParking = "GB 7258-2017 7.2 (parking brake)"

    static func evaluate(_ brake: BrakeTest, vehicle: Vehicle, classes: CNClassResolution, into items: inout [RuleItem]) {
        guard case .value(let axleList) = brake.axles else {
            if case .missing = brake.axles { items.append(contentsOf: sectionMissing(["brake.axles"])) }
            appendParking(
                brake, totals: BrakeTotals([], testWeight: brake.testWeight, unit: brake.unit), vehicle: vehicle,
                classes: classes, into: &items)
            return
        }
        let allRear = classes.uniform { $0 == .trailer } == true
        let axles = AxleFigures.derive(axleList, unit: brake.unit, allRear: allRear)
        let phase = vehicle.usePhase
        for index in axles.indices {
            appendAxle(axles[index], phase: phase, classes: classes, into: &items)
        }
        // Service brake rate over the whole vehicle.
        let totals = BrakeTotals(axles, testWeight: brake.testWeight, unit: brake.unit)
        if !(totals.peaks.isAbsent && totals.testWeight.isAbsent) && !totals.peaks.isAbsent {
            let decision: LimitDecision
            if let row = classes.uniform({ CNTables.brakeRow($0)?.vehicleRate }) {
                decision = row.map { .limit(.atLeast($0)) } ?? .notApplicable(.notJudgedForVehicle)
            } else {
                decision = .unknown(fields: classes.unknownFields)
            }
            let missing = totals.peakMissing + totals.weightMissing
            var value: Double?
            if missing.isEmpty, let sum = totals.peaks.value, let weight = totals.testWeight.value {
                value = percent(sum, of: weight)
            }
            items.append(
                ItemMaker.judge(
                    id: "brake.service.rate", subject: .serviceRate, unit: "%", basis: .testWeight,
                    clause: clauseTable, value: value, missing: missing, decision: decision, rounding: .tenth))
        }
        appendParking(brake, totals: totals, vehicle: vehicle, classes: classes, into: &items)
    }

    static func sectionMissing(_ paths: [String]) -> [RuleItem] {
        [
            RuleItem(
                id: "brake.service.rate", value: nil, unit: "%", basis: .testWeight, limit: nil, verdict: .incomplete,
                clause: clauseTable, missing: paths, subject: .serviceRate)
        ]
    }

    static func appendAxle(
        _ axle: AxleFigures, phase: Vehicle.UsePhase?, classes: CNClassResolution, into items: inout [RuleItem]
    ) {
        let n = axle.number
        let front = axle.position == .front
        // Axle brake rate: Σ peaks / static axle load.
        let rateDecision: LimitDecision
        if let limit = classes.uniform({ row in front ? CNTables.brakeRow(row)?.frontAxle : CNTables.brakeRow(row)?.rearAxle }) {
            rateDecision = limit.map { .limit(.atLeast($0)) } ?? .notApplicable(.notJudgedForVehicle)
        } else {
            rateDecision = .unknown(fields: classes.unknownFields)
        }
        ItemMaker.make(
            id: AxleIDs.of(n).rate, subject: .axleRate(axle: n, position: axle.position), unit: "%",
            basis: .axleLoad, clause: clauseTable, inputs: axle.rateInputs, primary: axle.wheels == 1 ? 1 : 2, decision: rateDecision,
            rounding: .tenth, into: &items
        ) { values in
            var sum = 0.0
            for position in 0..<(values.count - 1) { sum += values[position] }
            return percent(sum, of: values[values.count - 1])
        }

        appendImbalance(axle, phase: phase, classes: classes, into: &items)

        // Drag, each wheel: drag / static axle load (the vendor's basis; standards.md open question 2).
        let dragDecision: LimitDecision
        if let judged = classes.uniform({ CNTables.brakeRow($0)?.drag ?? false }) {
            dragDecision = judged ? .limit(.atMost(CNTables.dragMax)) : .notApplicable(.notJudgedForVehicle)
        } else {
            dragDecision = .unknown(fields: classes.unknownFields)
        }
        for leftOrRight in 0..<2 {  // no array literal: that allocated per axle
            let side: HeadlampReading.Side = leftOrRight == 0 ? .left : .right
            let input = side == .left ? axle.dragLeft : axle.dragRight
            let decision = (side == .right && axle.wheels == 1) ? .notApplicable(.singleWheelAxle) : dragDecision
            ItemMaker.make(
                id: side == .left ? AxleIDs.of(n).dragLeft : AxleIDs.of(n).dragRight, subject: .drag(axle: n, side: side), unit: "%",
                basis: .axleLoad, clause: clauseDrag, inputs: InputList(input, axle.load), primary: 1, decision: decision, rounding: .tenth,
                into: &items, compute: { percent($0[0], of: $0[1]) })
        }
    }

    static func appendImbalance(
        _ axle: AxleFigures, phase: Vehicle.UsePhase?, classes: CNClassResolution, into items: inout [RuleItem]
    ) {
        let n = axle.number
        let id = AxleIDs.of(n).imbalance
        let subject = Subject.axleImbalance(axle: n, position: axle.position)
        // Not measured (no difference and no curve) → the item does not appear.
        guard !axle.maxRiseDifference.reading.isAbsent else { return }
        if axle.wheels == 1 {
            items.append(
                RuleItem(
                    id: id, value: nil, unit: "%", limit: nil, verdict: .notApplicable, clause: clauseImbalance,
                    subject: subject, notes: [.singleWheelAxle]))
            return
        }
        guard let judged = classes.uniform({ CNTables.brakeRow($0)?.imbalance ?? false }) else {
            items.append(
                ItemMaker.judge(
                    id: id, subject: subject, unit: "%", basis: nil, clause: clauseImbalance, value: nil, missing: [],
                    decision: .unknown(fields: classes.unknownFields), rounding: .tenth))
            return
        }
        let inputs = InputList(axle.maxRiseDifference, axle.peakLeft, axle.peakRight)
        guard judged else {
            ItemMaker.make(
                id: id, subject: subject, unit: "%", basis: .peak, clause: clauseImbalance, inputs: inputs,
                decision: .notApplicable(.notJudgedForVehicle), rounding: .tenth, into: &items,
                compute: { percent($0[0], of: max($0[1], $0[2])) })
            return
        }
        let phaseNote: Note? = phase.map { $0 == .newRegistration ? .newRegistrationLimit : .inUseLimit }
        let table = CNTables.imbalance
        func pick(_ pair: (new: Double, inUse: Double)) -> LimitDecision {
            guard let phase, let phaseNote else { return .unknown(fields: ["vehicle.use_phase"]) }
            return .limit(
                .atMost(phase == .newRegistration ? pair.new : pair.inUse),
                notes: phaseNote == .inUseLimit ? Note.inUseNotes : Note.newRegistrationNotes)
        }
        if axle.position == .front {
            ItemMaker.make(
                id: id, subject: subject, unit: "%", basis: .peak, clause: clauseImbalance, inputs: inputs,
                decision: pick(table.front), rounding: .tenth, into: &items,
                compute: { percent($0[0], of: max($0[1], $0[2])) })
            return
        }
        // Rear/other axle: the form switches at an axle rate of 60 % (rounded like the rate item).
        var missing: [String] = []
        for input in inputs where input.reading.value == nil { missing.append(input.path) }
        if axle.load.reading.value == nil { missing.append(axle.load.path) }
        guard missing.isEmpty, let diff = axle.maxRiseDifference.reading.value,
            let left = axle.peakLeft.reading.value, let right = axle.peakRight.reading.value,
            let load = axle.load.reading.value
        else {
            items.append(
                ItemMaker.judge(
                    id: id, subject: subject, unit: "%", basis: nil, clause: clauseImbalance, value: nil,
                    missing: missing, decision: pick(table.rearRatio), rounding: .tenth))
            return
        }
        let rate = Rounding.halfUp(percent(left + right, of: load), places: 1)
        if rate >= table.switchAxleRate {
            items.append(
                ItemMaker.judge(
                    id: id, subject: subject, unit: "%", basis: .peak, clause: clauseImbalance,
                    value: percent(diff, of: max(left, right)), missing: [], decision: pick(table.rearRatio),
                    rounding: .tenth))
        } else {
            items.append(
                ItemMaker.judge(
                    id: id, subject: subject, unit: "%", basis: .axleLoad, clause: clauseImbalance,
                    value: percent(diff, of: load), missing: [], decision: pick(table.rearLoad), rounding: .tenth,
                    extraNotes: [.loadForm]))
        }
    }

    static func appendParking(
        _ brake: BrakeTest, totals weight: BrakeTotals, vehicle: Vehicle, classes: CNClassResolution,
        into items: inout [RuleItem]
    ) {
        guard !brake.parkingTotal.isAbsent else { return }
        let decision: LimitDecision
        if let judged = classes.uniform({ CNTables.brakeRow($0)?.parking ?? false }) {
            if !judged {
                decision = .notApplicable(.exemptFromParking)
            } else if let total = vehicle.maxTotalMassKg, let curb = vehicle.curbMassKg {
                decision =
                    total < CNTables.parking.massFactor * curb
                    ? .limit(.atLeast(CNTables.parking.reduced), notes: [.parkingReducedForMass])
                    : .limit(.atLeast(CNTables.parking.normal))
            } else {
                decision = .limit(.atLeast(CNTables.parking.normal), notes: [.parkingMassUnknown])
            }
        } else {
            decision = .unknown(fields: classes.unknownFields)
        }
        let parking = Input(brake.parkingTotal.value.map { .value($0 * brake.unit.toDecanewtons) } ?? brake.parkingTotal, "brake.parking_total")
        var missing = parking.reading.value == nil ? [parking.path] : []
        missing += weight.weightMissing
        if weight.testWeight.isAbsent && weight.weightMissing.isEmpty { missing.append("brake.axles") }
        var value: Double?
        if missing.isEmpty, let force = parking.reading.value, let total = weight.testWeight.value {
            value = percent(force, of: total)
        }
        items.append(
            ItemMaker.judge(
                id: "brake.parking.rate", subject: .parkingRate, unit: "%", basis: .testWeight, clause: clauseParking,
                value: value, missing: missing, decision: decision, rounding: .tenth))
    }
}
