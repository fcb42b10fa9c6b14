/// A parsed JSON document, kept in the order it was written.
///
/// The rule engine parses its own JSON (no Foundation) so that it can tell an absent field from a
/// `null` one, name the exact path of every error, and stay pure.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of the value's kind for error messages ("a number", "a string" …).
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object whose members keep their written order.
public struct JSONObject: Sendable, Hashable {
    /// One `"key": value` member.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in written order.
    public var members: [Member]

    /// Creates an object from members in order.
    public init(_ members: [Member] = []) { self.members = members }

    /// The value of `key`, or nil when the key is absent (a present `null` is `.null`).
    public subscript(key: String) -> JSONValue? {
        for member in members where member.key == key { return member.value }
        return nil
    }
}

/// A JSON syntax error, with the line and column (1-based) where the parser stopped.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Path of the value being read when the error was found ("" at the top level).
    public var path: String
    public var line: Int
    public var column: Int
    public var reason: String
    public var description: String { "malformed JSON at line \(line), column \(column): \(reason)" }
}
