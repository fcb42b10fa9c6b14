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
        // Copy runs of plain text in one piece; only quotes, backslashes and control characters
        // need escaping (per-scalar appends were most of the encoding time).
        let utf8 = text.utf8
        var runStart = utf8.startIndex
        var position = utf8.startIndex
        while position != utf8.endIndex {
            let byte = utf8[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                out += text[runStart..<position]
                switch byte {
                case UInt8(ascii: "\""): out += "\\\""
                case UInt8(ascii: "\\"): out += "\\\\"
                case UInt8(ascii: "\n"): out += "\\n"
                case UInt8(ascii: "\r"): out += "\\r"
                case UInt8(ascii: "\t"): out += "\\t"
                default:
                    let hex = String(byte, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
                position = utf8.index(after: position)
                runStart = position
            } else {
                position = utf8.index(after: position)
            }
        }
        out += text[runStart..<utf8.endIndex]
        out += "\""
    }
}
