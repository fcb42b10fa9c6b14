import LaneCore

/// Reads the members of one JSON object, naming the path of every error.
struct FieldReader {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue, path: String, what: String) throws(RuleInputError) {
        guard case .object(let object) = value else {
            throw RuleInputError(
                path: path, message: "\(what) must be a JSON object, found \(value.kindDescription)",
                messageZH: "\(what) 必须是 JSON 对象，实际为 \(value.kindDescription)")
        }
        self.object = object
        self.path = path
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func typeError(_ key: String, expected: String, found: JSONValue) -> RuleInputError {
        RuleInputError(
            path: at(key), message: "expected \(expected), found \(found.kindDescription)",
            messageZH: "应为\(expected)，实际为 \(found.kindDescription)")
    }

    /// A measured number: absent, null (missing) or a value.
    func reading(_ key: String) throws(RuleInputError) -> Reading<Double> {
        switch object[key] {
        case nil: return .absent
        case .null?: return .missing
        case .number(let value)?: return .value(value)
        case let other?: throw typeError(key, expected: "a number", found: other)
        }
    }

    /// A vehicle number: absent and null both mean unknown.
    func number(_ key: String) throws(RuleInputError) -> Double? {
        try reading(key).value
    }

    func integer(_ key: String) throws(RuleInputError) -> Int? {
        guard let value = try number(key) else { return nil }
        guard value == value.rounded(), abs(value) < 1e9 else {
            throw RuleInputError(
                path: at(key), message: "expected a whole number, found \(JSONWriter.format(value))",
                messageZH: "应为整数，实际为 \(JSONWriter.format(value))")
        }
        return Int(value)
    }

    func string(_ key: String) throws(RuleInputError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw typeError(key, expected: "a string", found: other)
        }
    }

    func bool(_ key: String) throws(RuleInputError) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw typeError(key, expected: "true or false", found: other)
        }
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type) throws(RuleInputError) -> E?
    where E.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = E(rawValue: text) else {
            let options = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw RuleInputError(
                path: at(key), message: "unknown value \"\(text)\"; expected one of \(options)",
                messageZH: "未知取值 \"\(text)\"；应为 \(options) 之一")
        }
        return value
    }

    func numbers(_ key: String) throws(RuleInputError) -> Reading<[Double]> {
        switch object[key] {
        case nil: return .absent
        case .null?: return .missing
        case .array(let elements)?:
            var values: [Double] = []
            values.reserveCapacity(elements.count)
            for (offset, element) in elements.enumerated() {
                guard case .number(let value) = element else {
                    throw RuleInputError(
                        path: "\(at(key))[\(offset)]", message: "expected a number, found \(element.kindDescription)",
                        messageZH: "应为数值，实际为 \(element.kindDescription)")
                }
                values.append(value)
            }
            return .value(values)
        case let other?: throw typeError(key, expected: "an array of numbers", found: other)
        }
    }
}

extension RuleCase {
    /// Decodes a case from its `standards.md` §8 JSON.
    ///
    /// - Throws: ``RuleInputError`` naming the JSON path of the first value that is of the wrong
    ///   type, unknown (ruleset, enumerations) or missing where required.
    public init(json: JSONValue) throws(RuleInputError) {
        let root = try FieldReader(json, path: "", what: "a case")
        guard let name = try root.string("ruleset") else {
            throw RuleInputError(
                path: "ruleset", message: "missing; say which ruleset to judge against: \(Self.rulesetNames)",
                messageZH: "缺少规则集；应为 \(Self.rulesetNames) 之一")
        }
        guard let ruleset = RulesetID(rawValue: name) else {
            throw RuleInputError(
                path: "ruleset", message: "unknown ruleset \"\(name)\"; known: \(Self.rulesetNames) (see `lanectl rules list`)",
                messageZH: "未知规则集 \"\(name)\"；可用：\(Self.rulesetNames)")
        }
        self.init(ruleset: ruleset, vehicle: Vehicle(plate: ""))
        switch root.object["vehicle"] {
        case nil, .null?: break
        case let value?: vehicle = try Self.decodeVehicle(FieldReader(value, path: "vehicle", what: "vehicle"))
        }
        switch root.object["brake"] {
        case nil: brake = .absent
        case .null?: brake = .missing
        case let value?: brake = .value(try Self.decodeBrake(FieldReader(value, path: "brake", what: "brake")))
        }
        switch root.object["headlamps"] {
        case nil: headlamps = .absent
        case .null?: headlamps = .missing
        case .array(let elements)?:
            var lamps: [HeadlampReading] = []
            for (offset, element) in elements.enumerated() {
                lamps.append(try Self.decodeLamp(FieldReader(element, path: "headlamps[\(offset)]", what: "a headlamp")))
            }
            headlamps = .value(lamps)
        case let other?: throw root.typeError("headlamps", expected: "an array of headlamps", found: other)
        }
        switch root.object["emission"] {
        case nil: emission = .absent
        case .null?: emission = .missing
        case let value?: emission = .value(try Self.decodeEmission(FieldReader(value, path: "emission", what: "emission")))
        }
    }

    static let rulesetNames = RulesetID.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")

    static func decodeVehicle(_ r: FieldReader) throws(RuleInputError) -> Vehicle {
        var v = Vehicle(plate: try r.string("plate") ?? "")
        v.vin = try r.string("vin")
        v.typeCode = try r.string("type_code")
        v.category = try r.string("category")
        v.combination = try r.bool("combination")
        if let codes = try r.numbersOrStrings("trailer_type_codes") { v.trailerTypeCodes = codes }
        v.usePhase = try r.choice("use_phase", Vehicle.UsePhase.self)
        v.passengerCar = try r.bool("passenger_car")
        v.seats = try r.integer("seats")
        v.maxTotalMassKg = try r.number("max_total_mass_kg")
        v.curbMassKg = try r.number("curb_mass_kg")
        v.serviceBrake = try r.choice("service_brake", Vehicle.ServiceBrake.self)
        v.headlampSystem = try r.integer("headlamp_system")
        v.maxDesignSpeedKmh = try r.number("max_design_speed_kmh")
        v.ratedPowerKw = try r.number("rated_power_kw")
        v.firstRegistered = try r.string("first_registered")
        v.firstUsed = try r.string("first_used")
        v.fuel = try r.choice("fuel", Vehicle.Fuel.self)
        v.aspiration = try r.choice("aspiration", Vehicle.Aspiration.self)
        v.emissionStage = try r.string("emission_stage")
        // The limit set is a string ("a", "b", "2005"); a bare number 2005 is accepted too.
        if case .number(let set)? = r.object["emission_limit_set"], set == 2005 {
            v.emissionLimitSet = "2005"
        } else {
            v.emissionLimitSet = try r.string("emission_limit_set")
        }
        v.plateValueM1 = try r.number("plate_value_m1")
        return v
    }

    static func decodeBrake(_ r: FieldReader) throws(RuleInputError) -> BrakeTest {
        var test = BrakeTest(unit: try r.choice("unit", ForceUnit.self) ?? .daN, axles: .absent)
        test.parkingTotal = try r.reading("parking_total")
        test.testWeight = try r.reading("test_weight")
        switch r.object["axles"] {
        case nil: test.axles = .absent
        case .null?: test.axles = .missing
        case .array(let elements)?:
            var axles: [BrakeAxle] = []
            for (offset, element) in elements.enumerated() {
                axles.append(try decodeAxle(FieldReader(element, path: "brake.axles[\(offset)]", what: "an axle")))
            }
            test.axles = .value(axles)
        case let other?: throw r.typeError("axles", expected: "an array of axles", found: other)
        }
        return test
    }

    static func decodeAxle(_ r: FieldReader) throws(RuleInputError) -> BrakeAxle {
        var axle = BrakeAxle(
            index: try r.integer("index"), position: try r.choice("position", BrakeAxle.Position.self),
            wheels: try r.integer("wheels") ?? 2)
        axle.steered = try r.bool("steered")
        axle.load = try r.reading("load")
        axle.peakLeft = try r.reading("peak_left")
        axle.peakRight = try r.reading("peak_right")
        axle.maxRiseDifference = try r.reading("max_rise_difference")
        axle.dragLeft = try r.reading("drag_left")
        axle.dragRight = try r.reading("drag_right")
        axle.lockedLeft = try r.bool("locked_left")
        axle.lockedRight = try r.bool("locked_right")
        switch r.object["curve"] {
        case nil: axle.curve = .absent
        case .null?: axle.curve = .missing
        case let value?:
            let c = try FieldReader(value, path: r.at("curve"), what: "a curve")
            guard case .value(let left) = try c.numbers("left") else {
                throw RuleInputError(path: c.at("left"), message: "missing: a curve needs its left samples", messageZH: "曲线缺少左侧采样")
            }
            let right: [Double]
            switch try c.numbers("right") {
            case .value(let samples): right = samples
            default:
                guard axle.wheels == 1 else {
                    throw RuleInputError(path: c.at("right"), message: "missing: a two-wheel axle's curve needs right samples", messageZH: "双轮轴曲线缺少右侧采样")
                }
                right = []
            }
            axle.curve = .value(BrakeCurve(periodMs: try c.number("period_ms"), left: left, right: right))
        }
        return axle
    }

    static func decodeLamp(_ r: FieldReader) throws(RuleInputError) -> HeadlampReading {
        guard let side = try r.choice("side", HeadlampReading.Side.self) else {
            throw RuleInputError(path: r.at("side"), message: "missing: say \"left\" or \"right\"", messageZH: "缺少：应为 \"left\" 或 \"right\"")
        }
        var lamp = HeadlampReading(side: side, lamp: try r.choice("lamp", HeadlampReading.Lamp.self) ?? .main)
        lamp.highBeamCd = try r.reading("high_beam_cd")
        lamp.lowBeamVerticalH = try r.reading("low_beam_vertical_H")
        lamp.lowBeamHorizontalMm = try r.reading("low_beam_horizontal_mm")
        lamp.centreHeightMm = try r.reading("centre_height_mm")
        return lamp
    }

    static func decodeEmission(_ r: FieldReader) throws(RuleInputError) -> EmissionTest {
        guard let method = try r.choice("method", EmissionTest.Method.self) else {
            let options = EmissionTest.Method.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw RuleInputError(path: r.at("method"), message: "missing: say which test ran, one of \(options)", messageZH: "缺少检测方法，应为 \(options) 之一")
        }
        var test = EmissionTest(method: method)
        for figure in EmissionTest.Figure.allCases {
            let reading = try r.reading(figure.rawValue)
            if !reading.isAbsent { test.figures[figure] = reading }
        }
        test.opacityReadings = try r.numbers("opacity_readings_m1")
        return test
    }
}

extension FieldReader {
    /// An array of strings (trailer type codes); absent and null are nil.
    func numbersOrStrings(_ key: String) throws(RuleInputError) -> [String]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let elements)?:
            var codes: [String] = []
            for (offset, element) in elements.enumerated() {
                guard case .string(let code) = element else {
                    throw RuleInputError(
                        path: "\(at(key))[\(offset)]", message: "expected a string, found \(element.kindDescription)",
                        messageZH: "应为字符串，实际为 \(element.kindDescription)")
                }
                codes.append(code)
            }
            return codes
        case let other?: throw typeError(key, expected: "an array of strings", found: other)
        }
    }
}
