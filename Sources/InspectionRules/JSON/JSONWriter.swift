/// Writes JSON text, compact or indented, with a stable member order and numbers in their
/// shortest form (`60`, not `60.0`).
public struct JSONWriter {
    /// Indentation per level; nil writes compact JSON on one line.
    public var indent: String?

    /// Creates a writer; `indent: nil` writes compact JSON.
    public init(indent: String? = "  ") { self.indent = indent }

    /// The JSON text of `value`.
    public func write(_ value: JSONValue) -> String {
        var out = ""
        write(value, level: 0, into: &out)
        return out
    }

    private func write(_ value: JSONValue, level: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let number): out += Self.format(number)
        case .string(let text): Self.writeString(text, into: &out)
        case .array(let elements):
            if elements.isEmpty {
                out += "[]"
                return
            }
            // Arrays of plain numbers stay on one line: curves and readings are long.
            let flat = indent == nil || elements.allSatisfy { if case .number = $0 { true } else { false } }
            out += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { out += flat ? (indent == nil ? "," : ", ") : "," }
                if !flat { newline(level + 1, into: &out) }
                write(element, level: level + 1, into: &out)
            }
            if !flat { newline(level, into: &out) }
            out += "]"
        case .object(let object):
            if object.members.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (position, member) in object.members.enumerated() {
                if position > 0 { out += "," }
                newline(level + 1, into: &out)
                Self.writeString(member.key, into: &out)
                out += indent == nil ? ":" : ": "
                write(member.value, level: level + 1, into: &out)
            }
            newline(level, into: &out)
            out += "}"
        }
    }

    private func newline(_ level: Int, into out: inout String) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    /// A number in the shortest form that reads back to the same value; integers without `.0`.
    public static func format(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 1e15 {
            return number == 0 ? "0" : String(Int64(number))
        }
        return number.description
    }

    static func writeString(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
