/// Renders an item's explanation. Called lazily (``RuleItem/explain``), so judging stays fast.
enum Explainer {
    static func explain(_ item: RuleItem) -> Explanation {
        let name = names(item.subject)
        let notes = item.notes.map(render)
        let enNotes = notes.map(\.en).joined(separator: "; ")
        let zhNotes = notes.map(\.zh).joined(separator: "；")
        switch item.verdict {
        case .incomplete:
            let fields = item.missing.joined(separator: ", ")
            var en = "\(name.en): cannot be judged, missing \(fields)"
            var zh = "\(name.zh)：无法判定，缺少 \(fields)"
            if !enNotes.isEmpty {
                en += " (\(enNotes))"
                zh += "（\(zhNotes)）"
            }
            return Explanation(en: en, zh: zh)
        case .notApplicable:
            var en = name.en
            var zh = name.zh
            if let value = item.value {
                en += " \(show(value, item.unit, chinese: false))"
                zh += " \(show(value, item.unit, chinese: true))"
            }
            en += ": not judged"
            zh += "：不判定"
            if !enNotes.isEmpty {
                en += " (\(enNotes))"
                zh += "（\(zhNotes)）"
            }
            return Explanation(en: en, zh: zh)
        case .pass, .fail:
            // CN percentages are compared at 0.1 %: show the figure that was compared.
            let value = item.rounding == .tenth ? Rounding.halfUp(item.value ?? 0, places: 1) : (item.value ?? 0)
            let comparison = compare(value, item.limit, item.unit, pass: item.withinLimit)
            var en = "\(name.en) \(comparison.en)"
            var zh = "\(name.zh) \(comparison.zh)"
            if let severity = item.severity {
                en += ", \(severity.rawValue) defect"
                zh += "，\(severityZH(severity))缺陷"
            }
            if !enNotes.isEmpty {
                en += " (\(enNotes))"
                zh += "（\(zhNotes)）"
            }
            return Explanation(en: en, zh: zh)
        }
    }

    static func severityZH(_ severity: Severity) -> String {
        switch severity {
        case .minor: "轻微"
        case .major: "严重"
        case .dangerous: "危险"
        }
    }

    /// "9.1 % ≤ 24 %" or "18.5 % < 20 %" with the sign that matches the verdict.
    static func compare(_ value: Double, _ limit: Limit?, _ unit: String, pass: Bool) -> Explanation {
        let v = (show(value, unit, chinese: false), show(value, unit, chinese: true))
        guard let limit else { return Explanation(en: v.0, zh: v.1) }
        switch (limit.min, limit.max) {
        case (let min?, let max?):
            let range = (
                "\(show(min, unit, chinese: false)) – \(show(max, unit, chinese: false))",
                "\(show(min, unit, chinese: true))～\(show(max, unit, chinese: true))"
            )
            return pass
                ? Explanation(en: "\(v.0) within \(range.0)", zh: "\(v.1) 在 \(range.1) 之内")
                : Explanation(en: "\(v.0) outside \(range.0)", zh: "\(v.1) 超出 \(range.1)")
        case (let min?, nil):
            let sign = pass ? "≥" : "<"
            return Explanation(
                en: "\(v.0) \(sign) \(show(min, unit, chinese: false))",
                zh: "\(v.1) \(sign) \(show(min, unit, chinese: true))")
        case (nil, let max?):
            let sign = pass ? "≤" : ">"
            return Explanation(
                en: "\(v.0) \(sign) \(show(max, unit, chinese: false))",
                zh: "\(v.1) \(sign) \(show(max, unit, chinese: true))")
        case (nil, nil):
            return Explanation(en: v.0, zh: v.1)
        }
    }

    /// A figure as displayed: rounded to 0.01, with its unit ("9.1 %" in English, "9.1%" in Chinese).
    static func show(_ value: Double, _ unit: String, chinese: Bool) -> String {
        let number = JSONWriter.format(Rounding.display(value))
        switch unit {
        case "%": return chinese ? "\(number)%" : "\(number) %"
        case "H": return "\(number)H"
        case "λ", "": return number
        default: return "\(number) \(unit)"
        }
    }

    static func sideNames(_ side: HeadlampReading.Side, _ lamp: HeadlampReading.Lamp) -> (en: String, zh: String) {
        switch (side, lamp) {
        case (.left, .main): ("left headlamp", "左主灯")
        case (.right, .main): ("right headlamp", "右主灯")
        case (.left, .aux): ("left auxiliary headlamp", "左副灯")
        case (.right, .aux): ("right auxiliary headlamp", "右副灯")
        }
    }

    static func axleNames(_ axle: Int, _ position: BrakeAxle.Position) -> (en: String, zh: String) {
        switch position {
        case .front: ("axle \(axle) (front)", "\(axle)轴（前轴）")
        case .rear: ("axle \(axle) (rear)", "\(axle)轴（后轴）")
        }
    }

    static func names(_ subject: Subject) -> (en: String, zh: String) {
        switch subject {
        case .axleRate(let axle, let position):
            let a = axleNames(axle, position)
            return ("\(a.en) brake rate", "\(a.zh)制动率")
        case .axleImbalance(let axle, let position):
            let a = axleNames(axle, position)
            return ("\(a.en) imbalance", "\(a.zh)制动不平衡率")
        case .drag(let axle, let side):
            return side == .left
                ? ("axle \(axle) left wheel drag", "\(axle)轴左轮阻滞率")
                : ("axle \(axle) right wheel drag", "\(axle)轴右轮阻滞率")
        case .serviceRate: return ("service brake rate", "整车制动率")
        case .parkingRate: return ("parking brake rate", "驻车制动率")
        case .highBeam(let side, let lamp):
            let s = sideNames(side, lamp)
            return ("\(s.en) high-beam intensity", "\(s.zh)远光发光强度")
        case .lowBeamVertical(let side, let lamp):
            let s = sideNames(side, lamp)
            return ("\(s.en) low-beam vertical position", "\(s.zh)近光垂直位置")
        case .lowBeamHorizontal(let side, let lamp):
            let s = sideNames(side, lamp)
            return ("\(s.en) low-beam horizontal offset", "\(s.zh)近光水平偏移")
        case .aim(let side, let lamp):
            let s = sideNames(side, lamp)
            return ("\(s.en) dipped-beam aim (below horizontal)", "\(s.zh)近光明暗截止线下倾")
        case .totalHighBeam: return ("sum of high-beam intensities", "远光发光强度总和")
        case .emission(let item): return item.names
        case .section(let name): return ("\(name) section", "\(name) 部分")
        }
    }

    static func render(_ note: Note) -> (en: String, zh: String) {
        switch note {
        case .newRegistrationLimit: ("new-registration limit", "注册登记限值")
        case .inUseLimit: ("in-use limit", "在用车限值")
        case .loadForm: ("axle rate < 60 %: difference / axle load", "轴制动率<60%：差值/轴荷")
        case .ratioForm: ("difference / larger peak", "差值/大值")
        case .parkingReducedForMass: ("15 %: max total mass < 1.2 × curb mass", "总质量小于整备质量1.2倍：15%")
        case .parkingMassUnknown: ("masses unknown: default 20 %", "质量未知：按20%")
        case .pairRule(let lamp):
            lamp == .main
                ? ("four-lamp system: the main pair meets the two-lamp limit", "四灯制：两只主灯达到两灯制要求")
                : ("four-lamp system: the auxiliary pair meets the two-lamp limit", "四灯制：两只副灯达到两灯制要求")
        case .fourLampLimit: ("four-lamp limit", "四灯制限值")
        case .totalCapExceeded: ("sum of all high beams over 430 000 cd", "远光总和超过430000cd")
        case .wheelsLocked: ("more than half of the wheels locked", "半数以上车轮抱死")
        case .lowerWheelLocked: ("the lower wheel locked", "较低一侧车轮抱死")
        case .belowHalfRequirement: ("below 50 % of the requirement", "低于要求值的50%")
        case .plateValue: ("limit from the vehicle's plate value", "限值取自车辆铭牌值")
        case .firstReadingWithin60Percent: ("first reading ≤ 60 % of the limit", "首次读数不超过限值的60%")
        case .meanOfFirstThree: ("mean of the first three readings", "前三次读数平均值")
        case .meanOfThree(let start):
            ("mean of readings \(start)–\(start + 2)", "第\(start)～\(start + 2)次读数平均值")
        case .lowestMeanOfThree(let start):
            ("lowest mean of three consecutive readings, \(start)–\(start + 2)", "连续三次读数的最小平均值（第\(start)～\(start + 2)次）")
        case .lastThreeOf(let count): ("mean of the last three of \(count) readings", "\(count)次读数中最后三次的平均值")
        case .singleWheelAxle: ("single-wheel axle", "单轮轴")
        case .notJudgedForVehicle: ("not judged for this vehicle class", "该车型不检验此项")
        case .notInRuleset: ("not judged by this ruleset", "本规则不检验此项")
        case .exemptFromParking: ("vehicle exempt from the parking brake test", "该车免检驻车制动")
        case .reason(let en, let zh): (en, zh)
        }
    }
}
