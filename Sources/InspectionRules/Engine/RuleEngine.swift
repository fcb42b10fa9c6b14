import LaneCore

/// Input that cannot be judged at all: where (a JSON path such as `brake.axles[0].load`) and why.
public struct RuleInputError: Error, Hashable, Sendable, CustomStringConvertible {
    /// JSON path of the offending value ("" for the document itself).
    public var path: String
    /// What is wrong and what to do, in English.
    public var message: String
    /// The same in Chinese.
    public var messageZH: String

    public init(path: String, message: String, messageZH: String) {
        self.path = path
        self.message = message
        self.messageZH = messageZH
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// The rule engine: judges one case against its ruleset. Pure: no I/O, no clock.
///
/// ```swift
/// let result = try RuleEngine.evaluate(ruleCase)
/// print(result.verdict, result.items.map(\.explain.en))
/// ```
public enum RuleEngine {
    /// The version of each ruleset's data, named in every result.
    public static func version(of ruleset: RulesetID) -> String { RulesetCatalog.ruleset(ruleset).version }

    /// Judges `ruleCase`.
    ///
    /// - Throws: ``RuleInputError`` when the case cannot be judged at all (a negative force, a zero
    ///   axle load, a curve whose sides differ in length …), with the JSON path of the value.
    public static func evaluate(_ ruleCase: RuleCase) throws(RuleInputError) -> RuleResult {
        try validate(ruleCase)
        var items: [RuleItem] = []
        items.reserveCapacity(48)
        switch ruleCase.ruleset {
        case .cnGB7258:
            let classes = CNClassResolution(ruleCase.vehicle)
            switch ruleCase.brake {
            case .value(let brake): CNBrakeRules.evaluate(brake, vehicle: ruleCase.vehicle, classes: classes, into: &items)
            case .missing: items += CNBrakeRules.sectionMissing(["brake"])
            case .absent: break
            }
            switch ruleCase.headlamps {
            case .value(let lamps): CNLampRules.evaluate(lamps, vehicle: ruleCase.vehicle, classes: classes, into: &items)
            case .missing: items.append(sectionMissing("headlamps", clause: CNLampRules.clauseIntensity))
            case .absent: break
            }
            switch ruleCase.emission {
            case .value(let test): EmissionRules.evaluateCN(test, vehicle: ruleCase.vehicle, into: &items)
            case .missing: items.append(sectionMissing("emission", clause: "GB 18285-2018 / GB 3847-2018"))
            case .absent: break
            }
        case .ukMOT, .eu201445:
            let rules = EuropeanRules(ruleset: ruleCase.ruleset)
            switch ruleCase.brake {
            case .value(let brake): rules.evaluateBrake(brake, vehicle: ruleCase.vehicle, into: &items)
            case .missing:
                items.append(
                    RuleItem(
                        id: "brake.service.rate", value: nil, unit: "%", basis: .testWeight, limit: nil,
                        verdict: .incomplete, clause: rules.clauseBrake, missing: ["brake"], subject: .serviceRate))
            case .absent: break
            }
            switch ruleCase.headlamps {
            case .value(let lamps): rules.evaluateLamps(lamps, into: &items)
            case .missing: items.append(sectionMissing("headlamps", clause: rules.clauseAim))
            case .absent: break
            }
            switch ruleCase.emission {
            case .value(let test): rules.evaluateEmission(test, vehicle: ruleCase.vehicle, into: &items)
            case .missing: items.append(sectionMissing("emission", clause: "emissions"))
            case .absent: break
            }
        }
        return RuleResult(ruleset: ruleCase.ruleset, rulesetVersion: version(of: ruleCase.ruleset), items: items)
    }

    static func sectionMissing(_ name: String, clause: String) -> RuleItem {
        RuleItem(
            id: name, value: nil, unit: "", limit: nil, verdict: .incomplete, clause: clause, missing: [name],
            subject: .section(name))
    }

    /// Refuses what no rule can judge: negative or non-finite figures, zero or negative axle loads,
    /// malformed curves, impossible vehicle data.
    public static func validate(_ ruleCase: RuleCase) throws(RuleInputError) {
        try validateVehicle(ruleCase.vehicle)
        if case .value(let brake) = ruleCase.brake {
            try validateBrake(brake)
        }
        if case .value(let lamps) = ruleCase.headlamps {
            for (offset, lamp) in lamps.enumerated() {
                try nonNegative(lamp.highBeamCd, "headlamps[\(offset)].high_beam_cd", what: "luminous intensity")
                try nonNegative(lamp.lowBeamVerticalH, "headlamps[\(offset)].low_beam_vertical_H", what: "cut-off height ratio")
                try finite(lamp.lowBeamHorizontalMm, "headlamps[\(offset)].low_beam_horizontal_mm")
                if let h = lamp.centreHeightMm.value, !(h > 0 && h.isFinite) {
                    throw RuleInputError(
                        path: "headlamps[\(offset)].centre_height_mm", message: "lamp centre height must be above 0 mm, got \(h)",
                        messageZH: "灯中心高度必须大于0 mm，实际为 \(h)")
                }
            }
        }
        if case .value(let test) = ruleCase.emission {
            for (figure, reading) in test.figures {
                try nonNegative(reading, "emission.\(figure.rawValue)", what: "emission figure")
            }
            if let readings = test.opacityReadings.value {
                for offset in readings.indices where !(readings[offset] >= 0 && readings[offset].isFinite) {
                    try nonNegative(.value(readings[offset]), "emission.opacity_readings_m1[\(offset)]", what: "opacity")
                }
            }
        }
    }

    static func validateVehicle(_ vehicle: Vehicle) throws(RuleInputError) {
        func positive(_ value: Double?, _ path: StaticString) throws(RuleInputError) {
            if let value, !(value > 0 && value.isFinite) {
                throw RuleInputError(
                    path: "\(path)", message: "must be a number above 0, got \(JSONWriter.format(value))",
                    messageZH: "必须为大于0的数，实际为 \(JSONWriter.format(value))")
            }
        }
        try positive(vehicle.maxTotalMassKg, "vehicle.max_total_mass_kg")
        try positive(vehicle.curbMassKg, "vehicle.curb_mass_kg")
        try positive(vehicle.maxDesignSpeedKmh, "vehicle.max_design_speed_kmh")
        try positive(vehicle.ratedPowerKw, "vehicle.rated_power_kw")
        if let plate = vehicle.plateValueM1, !(plate > 0 && plate.isFinite) {
            throw RuleInputError(
                path: "vehicle.plate_value_m1", message: "plate smoke value must be above 0 m-1",
                messageZH: "铭牌烟度值必须大于0")
        }
        if let system = vehicle.headlampSystem, ![1, 2, 4].contains(system) {
            throw RuleInputError(
                path: "vehicle.headlamp_system", message: "must be 1, 2 or 4 headlamps, got \(system)",
                messageZH: "前照灯数量必须为1、2或4，实际为 \(system)")
        }
        if let seats = vehicle.seats, seats < 1 {
            throw RuleInputError(path: "vehicle.seats", message: "must be at least 1, got \(seats)", messageZH: "座位数至少为1，实际为 \(seats)")
        }
        func date(_ date: String?, _ path: StaticString) throws(RuleInputError) {
            if let date, !isISODate(date) {
                throw RuleInputError(
                    path: "\(path)", message: "must be a date written YYYY-MM-DD, got \"\(date)\"",
                    messageZH: "日期格式必须为 YYYY-MM-DD，实际为 \"\(date)\"")
            }
        }
        try date(vehicle.firstRegistered, "vehicle.first_registered")
        try date(vehicle.firstUsed, "vehicle.first_used")
        if let set = vehicle.emissionLimitSet, !["a", "b", "2005"].contains(set) {
            throw RuleInputError(
                path: "vehicle.emission_limit_set", message: "must be \"a\", \"b\" or \"2005\", got \"\(set)\"",
                messageZH: "排放限值必须为 \"a\"、\"b\" 或 \"2005\"，实际为 \"\(set)\"")
        }
    }

    static func validateBrake(_ brake: BrakeTest) throws(RuleInputError) {
        try nonNegative(brake.parkingTotal, "brake.parking_total", what: "force")
        if let weight = brake.testWeight.value, !(weight > 0 && weight.isFinite) {
            throw RuleInputError(
                path: "brake.test_weight", message: "test weight must be above 0, got \(JSONWriter.format(weight))",
                messageZH: "检验重量必须大于0，实际为 \(JSONWriter.format(weight))")
        }
        guard let axles = brake.axles.value else { return }
        for (offset, axle) in axles.enumerated() {
            // Built only on failure (autoclosures): validation runs for every case.
            var base: String { "brake.axles[\(offset)]" }
            if axle.wheels != 1 && axle.wheels != 2 {
                throw RuleInputError(
                    path: base + ".wheels", message: "must be 1 or 2 wheels, got \(axle.wheels)",
                    messageZH: "车轮数必须为1或2，实际为 \(axle.wheels)")
            }
            if let load = axle.load.value, !(load > 0 && load.isFinite) {
                throw RuleInputError(
                    path: base + ".load",
                    message: "axle load must be above 0, got \(JSONWriter.format(load)); weigh the axle again",
                    messageZH: "轴荷必须大于0，实际为 \(JSONWriter.format(load))；请重新称重")
            }
            try nonNegative(axle.peakLeft, base + ".peak_left", what: "force")
            try nonNegative(axle.peakRight, base + ".peak_right", what: "force")
            try nonNegative(axle.maxRiseDifference, base + ".max_rise_difference", what: "force difference")
            try nonNegative(axle.dragLeft, base + ".drag_left", what: "force")
            try nonNegative(axle.dragRight, base + ".drag_right", what: "force")
            if let curve = axle.curve.value {
                var path: String { base + ".curve" }
                if curve.left.isEmpty {
                    throw RuleInputError(path: path + ".left", message: "the curve has no samples", messageZH: "曲线没有采样点")
                }
                if axle.wheels == 2 && curve.right.count != curve.left.count {
                    throw RuleInputError(
                        path: path + ".right",
                        message: "has \(curve.right.count) samples but left has \(curve.left.count); the sides must be sampled together",
                        messageZH: "右侧 \(curve.right.count) 个采样点，左侧 \(curve.left.count) 个；左右必须同时采样")
                }
                if let position = firstInvalid(curve.left) {
                    try nonNegative(.value(curve.left[position]), "\(path).left[\(position)]", what: "force")
                }
                if let position = firstInvalid(curve.right) {
                    try nonNegative(.value(curve.right[position]), "\(path).right[\(position)]", what: "force")
                }
                if let period = curve.periodMs, !(period > 0 && period.isFinite) {
                    throw RuleInputError(path: path + ".period_ms", message: "sample period must be above 0 ms", messageZH: "采样周期必须大于0 ms")
                }
            }
        }
    }

    /// The index of the first negative or non-finite sample (one tight pass, no allocation).
    static func firstInvalid(_ samples: [Double]) -> Int? {
        samples.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            // Four samples per step in SIMD registers, no early exit: a sample is valid when
            // 0 ≤ x ≤ the largest finite double, which is false for NaN, ±inf and every negative
            // and true for -0.0 (it equals 0). The scalar loop compiled to a compare and branch
            // per sample; the exact position is looked for only when something is wrong.
            let raw = UnsafeRawPointer(base)
            let zero = SIMD4<Double>(repeating: 0)
            let top = SIMD4<Double>(repeating: .greatestFiniteMagnitude)
            var valid = SIMDMask<SIMD4<Int64>>(repeating: true)
            var position = 0
            while position &+ 4 <= buffer.count {
                let v = raw.loadUnaligned(fromByteOffset: position &* 8, as: SIMD4<Double>.self)
                valid = valid .& (v .>= zero) .& (v .<= top)
                position &+= 4
            }
            var bad = !all(valid)
            while position < buffer.count {
                let sample = buffer[position]
                if !(sample >= 0 && sample <= .greatestFiniteMagnitude) { bad = true }
                position &+= 1
            }
            return bad ? buffer.firstIndex { !($0 >= 0 && $0 < .infinity) } : nil
        }
    }

    /// The path is built only on failure: validation runs over every curve sample.
    static func nonNegative(_ reading: Reading<Double>, _ path: @autoclosure () -> String, what: String) throws(RuleInputError) {
        guard let value = reading.value else { return }
        guard value.isFinite, value >= 0 else {
            throw RuleInputError(
                path: path(), message: "a \(what) cannot be negative, got \(JSONWriter.format(value)); check the instrument's sign and unit",
                messageZH: "数值不能为负，实际为 \(JSONWriter.format(value))；请检查仪器的符号和单位")
        }
    }

    static func finite(_ reading: Reading<Double>, _ path: @autoclosure () -> String) throws(RuleInputError) {
        if let value = reading.value, !value.isFinite {
            throw RuleInputError(path: path(), message: "must be a finite number", messageZH: "必须为有限数值")
        }
    }

    static func isISODate(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
            func digit(_ i: Int) -> Int? { bytes[i] >= 48 && bytes[i] <= 57 ? Int(bytes[i] - 48) : nil }
            for i in 0..<4 where digit(i) == nil { return false }
            guard let m0 = digit(5), let m1 = digit(6), let d0 = digit(8), let d1 = digit(9) else { return false }
            return (1...12).contains(m0 * 10 + m1) && (1...31).contains(d0 * 10 + d1)
        }
    }
}
