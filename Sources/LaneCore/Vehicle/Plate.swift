/// Which registration-plate rules a station applies at check-in.
public enum PlateRuleset: String, Hashable, Sendable, Codable, CaseIterable {
    /// Chinese plates (GA 36-2018): province abbreviation, issuing-office letter, serial.
    case china
    /// UK plates: the current `AB12 CDE`, prefix, suffix and dateless styles.
    case uk
    /// EU national plates: shape only (letters and digits in groups), no country-specific rule.
    case eu
}

/// A registration plate that passed its ruleset, in canonical spelling.
///
/// Chinese plates are written with `·` after the issuing-office letter (`鲁G·12345`), UK plates
/// in upper case with one space before the last three letters (`AB12 CDE`), EU plates in upper
/// case with single spaces between groups.
public struct Plate: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The plate as it must be printed and journaled.
    public let canonical: String
    /// What kind of plate it is (ordinary, new-energy, trailer …).
    public let kind: Kind
    public var description: String { canonical }

    /// What the plate's shape says about the vehicle.
    public enum Kind: String, Hashable, Sendable, Codable {
        case ordinary
        /// New-energy (green) plate: 6-character serial. `D` pure electric, `F` other.
        case newEnergySmall = "new_energy_small"
        case newEnergyLarge = "new_energy_large"
        case trailer, coach, police, consulate, embassy
        case hongKong = "hong_kong"
        case macau
        case uk, eu
    }

    /// Validates `text` against `ruleset`.
    ///
    /// Letters are accepted in either case, `·`, `•`, `.`, `-` and spaces between the office letter and
    /// the serial are optional. Throws ``PlateError`` with the reason in Chinese and English.
    public init(_ text: String, ruleset: PlateRuleset) throws(PlateError) {
        switch ruleset {
        case .china: self = try Plate.chinese(text)
        case .uk: self = try Plate.british(text)
        case .eu: self = try Plate.european(text)
        }
    }

    init(canonical: String, kind: Kind) {
        self.canonical = canonical
        self.kind = kind
    }

    /// The 31 provincial-level abbreviations that open a Chinese plate.
    public static let provinces: Set<Character> = Set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")

    private static func isLetter(_ c: Character) -> Bool { c.isASCII && c.isUppercase && c.isLetter }
    private static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
    /// Plates never use I or O (they read as 1 and 0).
    private static func isPlateLetter(_ c: Character) -> Bool { isLetter(c) && c != "I" && c != "O" }
    private static func isPlateAlnum(_ c: Character) -> Bool { isDigit(c) || isPlateLetter(c) }

    // The Chinese path works on Unicode scalars (every character of a Chinese plate is one scalar): check-in
    // and pickup confirmation run it for every vehicle, and grapheme breaking dominated its cost.
    private static func chinese(_ raw: String) throws(PlateError) -> Plate {
        if isCanonicalOrdinary(raw) { return Plate(canonical: raw, kind: .ordinary) }
        var chars: [Unicode.Scalar] = []
        chars.reserveCapacity(12)
        for u in raw.unicodeScalars { chars.append(isASCIILower(u) ? Unicode.Scalar(u.value - 32)! : u) }
        while let f = chars.first, spaceScalars.contains(f) { chars.removeFirst() }
        while let l = chars.last, spaceScalars.contains(l) { chars.removeLast() }
        guard !chars.isEmpty else { throw PlateError(text: raw, .empty) }
        // Embassy plates: 使 + embassy number (3 digits) + serial (3 digits).
        if chars[0] == "使" {
            let rest = chars.dropFirst().filter { !separatorScalars.contains($0) }
            guard rest.count == 6, rest.allSatisfy(isDigit) else { throw PlateError(text: raw, .badEmbassy) }
            return Plate(canonical: "使" + string(rest.prefix(3)) + "·" + string(rest.suffix(3)), kind: .embassy)
        }
        guard provinceScalars.contains(chars[0]) else { throw PlateError(text: raw, .unknownProvince(Character(chars[0]))) }
        guard chars.count >= 2, isLetter(chars[1]) else { throw PlateError(text: raw, .badOfficeLetter) }
        guard isPlateLetter(chars[1]) else { throw PlateError(text: raw, .letterIorO) }
        let province = chars[0], office = chars[1]
        chars.removeFirst(2)
        if let first = chars.first, separatorScalars.contains(first) { chars.removeFirst() }
        var serial = chars
        var suffix: Unicode.Scalar? = nil
        if let last = serial.last, suffixScalars.contains(last) {
            suffix = last
            serial.removeLast()
        }
        if serial.contains(where: { isLetter($0) && !isPlateLetter($0) }) { throw PlateError(text: raw, .letterIorO) }
        guard serial.allSatisfy(isPlateAlnum) else { throw PlateError(text: raw, .badCharacters) }
        var canonicalScalars = String.UnicodeScalarView()
        canonicalScalars.append(province)
        canonicalScalars.append(office)
        canonicalScalars.append("·")
        canonicalScalars.append(contentsOf: serial)
        if let suffix { canonicalScalars.append(suffix) }
        let canonical = String(canonicalScalars)
        switch suffix {
        case nil:
            if serial.count == 5 { return Plate(canonical: canonical, kind: .ordinary) }
            if serial.count == 6 {
                // GA 36-2018: small vehicles D/F first, then a letter or digit, then four digits;
                // large vehicles five digits, then D/F.
                if (serial[0] == "D" || serial[0] == "F") && serial[2...].allSatisfy(isDigit) {
                    return Plate(canonical: canonical, kind: .newEnergySmall)
                }
                if serial[..<5].allSatisfy(isDigit) && (serial[5] == "D" || serial[5] == "F") {
                    return Plate(canonical: canonical, kind: .newEnergyLarge)
                }
                throw PlateError(text: raw, .badNewEnergy)
            }
            throw PlateError(text: raw, .badLength(serial.count))
        case let s?:
            guard serial.count == 4 else { throw PlateError(text: raw, .badSuffixedLength(Character(s))) }
            switch s {
            case "挂": return Plate(canonical: canonical, kind: .trailer)
            case "学": return Plate(canonical: canonical, kind: .coach)
            case "警": return Plate(canonical: canonical, kind: .police)
            case "领": return Plate(canonical: canonical, kind: .consulate)
            default:
                // Hong Kong and Macau cross-border plates are issued by Guangdong, office Z only.
                guard province == "粤", office == "Z" else {
                    throw PlateError(text: raw, .crossBorderNotGuangdongZ(Character(s)))
                }
                return Plate(canonical: canonical, kind: s == "港" ? .hongKong : .macau)
            }
        }
    }

    /// Whether `raw` is already an ordinary plate in canonical spelling (`鲁G·12345`): province, office letter,
    /// `·`, five plate letters or digits. The general path gives exactly `raw` back for these, so they skip it
    /// (no scalar array, no new string): most plates at check-in and at pickup are typed or scanned this way.
    private static func isCanonicalOrdinary(_ raw: String) -> Bool {
        var n = 0
        for u in raw.unicodeScalars {
            switch n {
            case 0: guard provinceScalars.contains(u) else { return false }
            case 1: guard isPlateLetter(u) else { return false }
            case 2: guard u == "·" else { return false }
            case 3...7: guard isPlateAlnum(u) else { return false }
            default: return false
            }
            n += 1
        }
        return n == 8
    }

    private static func isASCIILower(_ u: Unicode.Scalar) -> Bool { u.value >= 97 && u.value <= 122 }
    private static func isLetter(_ u: Unicode.Scalar) -> Bool { u.value >= 65 && u.value <= 90 }
    private static func isDigit(_ u: Unicode.Scalar) -> Bool { u.value >= 48 && u.value <= 57 }
    private static func isPlateLetter(_ u: Unicode.Scalar) -> Bool { isLetter(u) && u != "I" && u != "O" }
    private static func isPlateAlnum(_ u: Unicode.Scalar) -> Bool { isDigit(u) || isPlateLetter(u) }
    private static func string<S: Sequence<Unicode.Scalar>>(_ s: S) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }
    private static let provinceScalars: Set<Unicode.Scalar> = Set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼".unicodeScalars)
    private static let separatorScalars: Set<Unicode.Scalar> = ["·", "•", "・", ".", "-", " "]
    private static let suffixScalars: Set<Unicode.Scalar> = ["挂", "学", "警", "领", "港", "澳"]
    private static let spaceScalars: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", "\u{3000}", "\u{00A0}"]

    private static let separators: Set<Character> = ["·", "•", "・", ".", "-", " "]
    private static let suffixes: Set<Character> = ["挂", "学", "警", "领", "港", "澳"]

    private static func british(_ raw: String) throws(PlateError) -> Plate {
        let compact = Array(raw.uppercasedASCII.filter { $0 != " " })
        guard !compact.isEmpty else { throw PlateError(text: raw, .empty) }
        guard compact.allSatisfy({ isLetter($0) || isDigit($0) }) else { throw PlateError(text: raw, .badCharacters) }
        let shape = String(compact.map { isDigit($0) ? "9" : "A" })
        let s = String(compact)
        func spaced(_ split: Int) -> Plate {
            Plate(canonical: String(s.prefix(split)) + " " + String(s.dropFirst(split)), kind: .uk)
        }
        switch shape {
        case "AA99AAA":  // current style (2001): area letters, age identifier, random letters
            guard compact[0] != "I" && compact[0] != "Q" && compact[0] != "Z" && compact[1] != "I" && compact[1] != "Q",
                !compact[4...].contains(where: { $0 == "I" || $0 == "Q" })
            else { throw PlateError(text: raw, .ukLetters) }
            return spaced(4)
        case "A9AAA", "A99AAA", "A999AAA":  // prefix style (1983–2001)
            return spaced(shape.count - 3)
        case "AAA9A", "AAA99A", "AAA999A":  // suffix style (1963–1983)
            return spaced(3)
        default:
            // Dateless: 1–4 digits and 1–3 letters, either way round.
            let letters = shape.prefix { $0 == "A" }.count, digits = shape.count - letters
            if letters >= 1, letters <= 3, digits >= 1, digits <= 4, shape.dropFirst(letters).allSatisfy({ $0 == "9" }) {
                return spaced(letters)
            }
            let d = shape.prefix { $0 == "9" }.count, l = shape.count - d
            if d >= 1, d <= 4, l >= 1, l <= 3, shape.dropFirst(d).allSatisfy({ $0 == "A" }) { return spaced(d) }
            throw PlateError(text: raw, .ukShape)
        }
    }

    private static func european(_ raw: String) throws(PlateError) -> Plate {
        let upper = raw.trimmingSpaces.uppercasedASCII
        let groups = upper.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "·" }).map(String.init)
        guard !groups.isEmpty else { throw PlateError(text: raw, .empty) }
        guard groups.allSatisfy({ $0.allSatisfy { isLetter($0) || isDigit($0) } }) else {
            throw PlateError(text: raw, .badCharacters)
        }
        let count = groups.reduce(0) { $0 + $1.count }
        guard (2...10).contains(count), groups.count <= 4, groups.joined().contains(where: isDigit) else {
            throw PlateError(text: raw, .euShape)
        }
        return Plate(canonical: groups.joined(separator: " "), kind: .eu)
    }
}

/// Why a plate was refused, with the reason for the operator in Chinese and English.
public struct PlateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The plate as it was typed.
    public var text: String
    public var reason: Reason

    public init(text: String, _ reason: Reason) {
        self.text = text
        self.reason = reason
    }

    /// The closed set of plate faults.
    public enum Reason: Hashable, Sendable {
        case empty
        case unknownProvince(Character)
        case badOfficeLetter
        case letterIorO
        case badCharacters
        case badLength(Int)
        case badNewEnergy
        case badSuffixedLength(Character)
        case crossBorderNotGuangdongZ(Character)
        case badEmbassy
        case ukLetters
        case ukShape
        case euShape
    }

    /// The reason in Chinese.
    public var zh: String {
        switch reason {
        case .empty: "号牌为空。请输入号牌。"
        case .unknownProvince(let c): "号牌“\(text)”的首字“\(c)”不是省级简称（如京、鲁、粤）。请核对号牌。"
        case .badOfficeLetter: "号牌“\(text)”第二位应为发牌机关代号字母（A–Z）。"
        case .letterIorO: "号牌“\(text)”含字母 I 或 O，号牌不使用这两个字母（易与 1、0 混淆）。"
        case .badCharacters: "号牌“\(text)”含不允许的字符，序号只能是数字和字母。"
        case .badLength(let n): "号牌“\(text)”序号为 \(n) 位：普通号牌为 5 位，新能源号牌为 6 位。"
        case .badNewEnergy:
            "号牌“\(text)”不是有效的新能源号牌：小型车首位为 D 或 F、后四位为数字；大型车前五位为数字、末位为 D 或 F。"
        case .badSuffixedLength(let s): "带“\(s)”字的号牌序号应为 4 位：“\(text)”不符。"
        case .crossBorderNotGuangdongZ(let s): "“\(s)”字号牌只由广东省粤Z核发：“\(text)”不符。"
        case .badEmbassy: "使馆号牌应为“使”加 6 位数字：“\(text)”不符。"
        case .ukLetters: "英国号牌“\(text)”的字母不合规则（不使用 I、Q，首字母不为 Z）。"
        case .ukShape: "“\(text)”不是英国号牌的格式（如 AB12 CDE）。"
        case .euShape: "“\(text)”不是欧盟号牌的格式：应为 2–10 个字母和数字（至少一个数字），最多 4 组。"
        }
    }

    /// The reason in English.
    public var en: String {
        switch reason {
        case .empty: "The plate is empty. Enter the registration plate."
        case .unknownProvince(let c):
            "Plate \"\(text)\" starts with \"\(c)\", which is not a province abbreviation (京, 鲁, 粤 …). Check the plate."
        case .badOfficeLetter: "Plate \"\(text)\": the second character must be the issuing office letter (A–Z)."
        case .letterIorO: "Plate \"\(text)\" contains I or O; plates never use them (they read as 1 and 0)."
        case .badCharacters: "Plate \"\(text)\" contains characters other than letters and digits in its serial."
        case .badLength(let n):
            "Plate \"\(text)\" has a \(n)-character serial: ordinary plates have 5, new-energy plates 6."
        case .badNewEnergy:
            "Plate \"\(text)\" is not a valid new-energy plate: small vehicles D or F first and four digits last; "
                + "large vehicles five digits then D or F."
        case .badSuffixedLength(let s): "A plate ending in \(s) has a 4-character serial; \"\(text)\" does not."
        case .crossBorderNotGuangdongZ(let s): "Plates ending in \(s) are issued only as 粤Z; \"\(text)\" is not."
        case .badEmbassy: "An embassy plate is 使 followed by 6 digits; \"\(text)\" is not."
        case .ukLetters: "UK plate \"\(text)\" uses letters the UK scheme never issues (I, Q, or Z first)."
        case .ukShape: "\"\(text)\" is not a UK plate (expected e.g. AB12 CDE)."
        case .euShape:
            "\"\(text)\" is not an EU plate: 2–10 letters and digits (at least one digit) in at most 4 groups."
        }
    }

    public var description: String { "PlateError: \(en) / \(zh)" }
}

fileprivate extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }

    /// Upper-cases ASCII letters only (Chinese characters pass unchanged).
    var uppercasedASCII: String {
        String(map { $0.isASCII && $0.isLowercase ? Character($0.uppercased()) : $0 })
    }
}
