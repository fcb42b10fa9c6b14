import LaneCore

/// GB 7258-2017 headlamp rules (`standards.md` §2.1–2.2).
enum CNLampRules {
    static let clauseIntensity = "GB 7258-2017 8.5 (high-beam intensity, NH-STD table)"
    static let clauseCap = "NH-JUD IntJud (sum of high beams ≤ 430 000 cd; clause unconfirmed)"
    static let clausePosition = "GB 7258-2017 8.5 (low-beam position at 10 m, NH-STD)"

    /// The §2.1 lamp class of a vehicle class (nil: trailers, not tested).
    static func lampClass(_ vehicleClass: CNVehicleClass, vehicle: Vehicle) -> Result<CNTables.LampClass?, MissingField> {
        switch vehicleClass {
        case .trailer: return .success(nil)
        case .threeWheeled: return .success(.threeWheeled)
        case .motorcycle: return .success(.motorcycle)
        case .moped: return .success(.moped)
        case .tractor:
            guard let power = vehicle.ratedPowerKw else { return .failure(MissingField("vehicle.rated_power_kw")) }
            return .success(power > 18 ? .tractorOver18kW : .tractorUpTo18kW)
        default:
            guard let speed = vehicle.maxDesignSpeedKmh else {
                return .failure(MissingField("vehicle.max_design_speed_kmh"))
            }
            return .success(speed >= 70 ? .carFast : .carSlow)
        }
    }

    struct MissingField: Error, Equatable {
        var path: String
        init(_ path: String) { self.path = path }
    }

    /// The item ids of one lamp, as constants (no string building while judging).
    struct LampIDs {
        var highBeam: String
        var lowBeamVertical: String
        var lowBeamHorizontal: String
        var aim: String
    }

    static func lampID(_ lamp: HeadlampReading) -> LampIDs {
        switch (lamp.side, lamp.lamp) {
        case (.left, .main):
            LampIDs(highBeam: "headlamp.left.high_beam_intensity", lowBeamVertical: "headlamp.left.low_beam_vertical",
                    lowBeamHorizontal: "headlamp.left.low_beam_horizontal", aim: "headlamp.left.aim")
        case (.right, .main):
            LampIDs(highBeam: "headlamp.right.high_beam_intensity", lowBeamVertical: "headlamp.right.low_beam_vertical",
                    lowBeamHorizontal: "headlamp.right.low_beam_horizontal", aim: "headlamp.right.aim")
        case (.left, .aux):
            LampIDs(highBeam: "headlamp.left_aux.high_beam_intensity", lowBeamVertical: "headlamp.left_aux.low_beam_vertical",
                    lowBeamHorizontal: "headlamp.left_aux.low_beam_horizontal", aim: "headlamp.left_aux.aim")
        case (.right, .aux):
            LampIDs(highBeam: "headlamp.right_aux.high_beam_intensity", lowBeamVertical: "headlamp.right_aux.low_beam_vertical",
                    lowBeamHorizontal: "headlamp.right_aux.low_beam_horizontal", aim: "headlamp.right_aux.aim")
        }
    }

    static func evaluate(
        _ lamps: [HeadlampReading], vehicle: Vehicle, classes: CNClassResolution, into items: inout [RuleItem]
    ) {
        let system = vehicle.headlampSystem ?? inferredSystem(lamps)
        appendIntensity(lamps, system: system, vehicle: vehicle, classes: classes, into: &items)
        for (offset, lamp) in lamps.enumerated() {
            let id = lampID(lamp)
            // Low-beam cut-off height (fraction of H, rounded to 0.01 as the vendor does).
            let vertical: LimitDecision
            if let limit = classes.uniform({ verticalLimit($0) }) {
                vertical = limit.map { .limit($0) } ?? .notApplicable(.notJudgedForVehicle)
            } else {
                vertical = .unknown(fields: classes.unknownFields)
            }
            ItemMaker.make(
                id: id.lowBeamVertical, subject: .lowBeamVertical(side: lamp.side, lamp: lamp.lamp), unit: "H",
                clause: clausePosition, inputs: InputList(Input(lamp.lowBeamVerticalH, lamp: offset, ".low_beam_vertical_H")),
                decision: vertical, rounding: .hundredth, into: &items, compute: { $0[0] })
            // Low-beam horizontal offset: left ≤ 170 mm, right ≤ 350 mm; not for single-lamp vehicles.
            let horizontal: LimitDecision
            if system == 1 {
                horizontal = .notApplicable(.reason(en: "single-lamp vehicle", zh: "单灯车辆"))
            } else if let judged = classes.uniform({ $0 != .trailer }) {
                horizontal = judged ? .limit(CNTables.lowBeamHorizontal) : .notApplicable(.notJudgedForVehicle)
            } else {
                horizontal = .unknown(fields: classes.unknownFields)
            }
            ItemMaker.make(
                id: id.lowBeamHorizontal, subject: .lowBeamHorizontal(side: lamp.side, lamp: lamp.lamp),
                unit: "mm", clause: clausePosition,
                inputs: InputList(Input(lamp.lowBeamHorizontalMm, lamp: offset, ".low_beam_horizontal_mm")), decision: horizontal,
                rounding: .none, into: &items, compute: { $0[0] })
        }
    }

    static func verticalLimit(_ vehicleClass: CNVehicleClass) -> Limit? {
        switch vehicleClass {
        case .passengerCar: CNTables.lowBeamVertical.passengerCar
        case .trailer, .threeWheeled, .motorcycle, .moped, .tractor: nil
        default: CNTables.lowBeamVertical.others
        }
    }

    /// Headlamp system when `vehicle.headlamp_system` is unknown: four lamps if an auxiliary lamp
    /// was measured, otherwise the number of main lamps measured (1 or 2).
    static func inferredSystem(_ lamps: [HeadlampReading]) -> Int {
        if lamps.contains(where: { $0.lamp == .aux }) { return 4 }
        return lamps.filter { $0.lamp == .main }.count <= 1 ? 1 : 2
    }

    static func appendIntensity(
        _ lamps: [HeadlampReading], system: Int, vehicle: Vehicle, classes: CNClassResolution,
        into items: inout [RuleItem]
    ) {
        guard lamps.contains(where: { !$0.highBeamCd.isAbsent }) else { return }
        // Limits: one for this system, and the two-lamp limit for the four-lamp pair rule.
        var decision: LimitDecision
        var pairLimit: Double?
        var trailer = false
        switch classes.uniform({ lampClass($0, vehicle: vehicle) }) {
        case nil:
            decision = .unknown(fields: classes.unknownFields)
        case .failure(let missing)?:
            decision = .unknown(fields: [missing.path])
        case .success(nil)?:
            decision = .notApplicable(.notJudgedForVehicle)
            trailer = true
        case .success(let lampClass?)?:
            let row = CNTables.highBeamRow(lampClass)
            if let phase = vehicle.usePhase {
                let note: Note = phase == .newRegistration ? .newRegistrationLimit : .inUseLimit
                let limit = row.limit(phase, lamps: system)!
                let inUse = note == .inUseLimit
                let notes =
                    system == 4
                    ? (inUse ? Note.inUseFourLampNotes : Note.newRegistrationFourLampNotes)
                    : (inUse ? Note.inUseNotes : Note.newRegistrationNotes)
                decision = .limit(.atLeast(limit), notes: notes)
                if system == 4 { pairLimit = row.limit(phase, lamps: 2) }
            } else {
                decision = .unknown(fields: ["vehicle.use_phase"])
            }
        }
        // The 430 000 cd cap on the sum of every measured high beam.
        var total = 0.0
        var totalMissing: [String] = []
        // Four-lamp pair rule: both lamps of a symmetric pair at or above the two-lamp limit.
        // Bits: 1 left main, 2 right main, 4 left aux, 8 right aux reach the two-lamp limit.
        var reaching = 0
        for (offset, lamp) in lamps.enumerated() where !lamp.highBeamCd.isAbsent {
            guard let cd = lamp.highBeamCd.value else {
                totalMissing.append("headlamps[\(offset)].high_beam_cd")
                continue
            }
            total += cd
            if let pairLimit, Rounding.none.judge(cd, .atLeast(pairLimit)) == .pass {
                reaching |= (lamp.side == .left ? 1 : 2) << (lamp.lamp == .main ? 0 : 2)
            }
        }
        let capExceeded = total > CNTables.highBeamTotalMax
        let passingPair: HeadlampReading.Lamp? = reaching & 3 == 3 ? .main : (reaching & 12 == 12 ? .aux : nil)
        for (offset, lamp) in lamps.enumerated() where !lamp.highBeamCd.isAbsent {
            let id = lampID(lamp).highBeam
            let subject = Subject.highBeam(side: lamp.side, lamp: lamp.lamp)
            items.append(
                ItemMaker.judge(
                    id: id, subject: subject, unit: "cd", basis: nil, clause: clauseIntensity, value: lamp.highBeamCd.value,
                    missing: lamp.highBeamCd.value == nil ? ["headlamps[\(offset)].high_beam_cd"] : [], decision: decision,
                    rounding: .none))
            if case .limit = decision, items[items.count - 1].verdict != .incomplete {
                // Adjusted in place (an item is large: no copy out and back).
                adjust(&items[items.count - 1], passingPair: passingPair, pairLimit: pairLimit, capExceeded: capExceeded)
            }
        }
        let totalDecision: LimitDecision =
            trailer ? .notApplicable(.notJudgedForVehicle) : .limit(.atMost(CNTables.highBeamTotalMax))
        var totalItem = ItemMaker.judge(
            id: "headlamp.total_high_beam_intensity", subject: .totalHighBeam, unit: "cd", basis: nil,
            clause: clauseCap, value: totalMissing.isEmpty ? total : nil, missing: totalMissing,
            decision: totalDecision, rounding: .none)
        if capExceeded, !trailer {  // the known lamps alone are over the cap
            totalItem.value = total
            totalItem.verdict = .fail
            totalItem.withinLimit = false
            totalItem.missing = []
        }
        items.append(totalItem)
    }

    /// The four-lamp pair rule and the 430 000 cd cap applied to a judged high-beam item.
    static func adjust(
        _ item: inout RuleItem, passingPair: HeadlampReading.Lamp?, pairLimit: Double?, capExceeded: Bool
    ) {
        if let passingPair, let pairLimit, case .highBeam(_, let lamp) = item.subject {
            if lamp == passingPair {
                item.limit = .atLeast(pairLimit)
                item.withinLimit = true
            } else {
                item.limit = nil
            }
            item.verdict = .pass
            item.notes = Note.pairNotes(phase: item.notes.first!, pair: passingPair)
        }
        if capExceeded {
            item.verdict = .fail
            item.notes.append(.totalCapExceeded)
        }
    }
}
