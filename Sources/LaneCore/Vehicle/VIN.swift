/// A vehicle identification number (ISO 3779, GB 16735) that passed validation, in upper case.
///
/// Seventeen characters from `0-9` and `A-Z` without `I`, `O` and `Q`. Position 9 is a check digit
/// (weighted sum modulo 11, `X` for 10) where the standard requires it: GB 16735 (China) and
/// 49 CFR 565 (North America). ISO 3779 alone, as used in the UK and EU, does not require it, so under
/// those rulesets the check digit is enforced only for VINs whose manufacturer code (WMI) is Chinese
/// (`L`) or North American (`1`–`5`), whose makers must set it.
public struct VIN: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The VIN in upper case.
    public let value: String
    public var description: String { value }

    /// Validates `text`; `ruleset` decides whether the check digit is mandatory (see the type's documentation).
    public init(_ text: String, ruleset: PlateRuleset) throws(VINError) {
        let upper = String(text.filter { !$0.isWhitespace }.map { $0.isASCII && $0.isLowercase ? Character($0.uppercased()) : $0 })
        let chars = Array(upper)
        guard chars.count == 17 else { throw VINError(text: text, .length(chars.count)) }
        for (i, c) in chars.enumerated() {
            if c == "I" || c == "O" || c == "Q" { throw VINError(text: text, .forbiddenLetter(c, position: i + 1)) }
            guard VIN.value(of: c) != nil else { throw VINError(text: text, .badCharacter(c, position: i + 1)) }
        }
        let mandatory: Bool
        switch ruleset {
        case .china: mandatory = true
        case .uk, .eu: mandatory = chars[0] == "L" || ("1"..."5").contains(chars[0])
        }
        if mandatory {
            let expected = VIN.checkDigit(chars)
            guard chars[8] == expected else { throw VINError(text: text, .checkDigit(found: chars[8], expected: expected)) }
        }
        value = upper
    }

    /// The check digit the other 16 characters call for (`0`–`9` or `X`); `chars` must be 17 valid characters.
    public static func checkDigit(_ chars: [Character]) -> Character {
        var sum = 0
        for (i, c) in chars.enumerated() { sum += (value(of: c) ?? 0) * weights[i] }
        let r = sum % 11
        return r == 10 ? "X" : Character(String(r))
    }

    private static let weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]

    /// The transliteration of ISO 3779 / GB 16735 annex: digits are themselves, letters map to 1–9.
    static func value(of c: Character) -> Int? {
        if let d = c.wholeNumberValue, c.isASCII { return d }
        switch c {
        case "A", "J": return 1
        case "B", "K", "S": return 2
        case "C", "L", "T": return 3
        case "D", "M", "U": return 4
        case "E", "N", "V": return 5
        case "F", "W": return 6
        case "G", "P", "X": return 7
        case "H", "Y": return 8
        case "R", "Z": return 9
        default: return nil
        }
    }
}

/// Why a VIN was refused, in Chinese and English.
public struct VINError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The VIN as it was typed.
    public var text: String
    public var reason: Reason
    public init(text: String, _ reason: Reason) {
        self.text = text
        self.reason = reason
    }

    /// The closed set of VIN faults.
    public enum Reason: Hashable, Sendable {
        case length(Int)
        case forbiddenLetter(Character, position: Int)
        case badCharacter(Character, position: Int)
        case checkDigit(found: Character, expected: Character)
    }

    /// The reason in Chinese.
    public var zh: String {
        switch reason {
        case .length(let n): "车辆识别代号“\(text)”为 \(n) 位，应为 17 位。"
        case .forbiddenLetter(let c, let p): "车辆识别代号第 \(p) 位为“\(c)”：VIN 不使用 I、O、Q。请核对（可能是 1 或 0）。"
        case .badCharacter(let c, let p): "车辆识别代号第 \(p) 位“\(c)”不是数字或字母。"
        case .checkDigit(let f, let e):
            "车辆识别代号“\(text)”第 9 位校验位为“\(f)”，按其余各位计算应为“\(e)”（GB 16735）。请核对行驶证上的 VIN。"
        }
    }

    /// The reason in English.
    public var en: String {
        switch reason {
        case .length(let n): "VIN \"\(text)\" has \(n) characters; a VIN has 17."
        case .forbiddenLetter(let c, let p): "VIN position \(p) is \"\(c)\": VINs never use I, O or Q (1 or 0 meant?)."
        case .badCharacter(let c, let p): "VIN position \(p) \"\(c)\" is not a letter or digit."
        case .checkDigit(let f, let e):
            "VIN \"\(text)\": check digit (position 9) is \"\(f)\" but the other characters give \"\(e)\". "
                + "Check the VIN on the registration document."
        }
    }

    public var description: String { "VINError: \(en) / \(zh)" }
}
