/// Errors of the journal: what was wrong, where, and what to do.
public struct JournalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A category, so callers can branch without parsing text.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }
        /// The inspection is closed: evidence after the outcome must be a correction.
        public static let inspectionClosed = Code(rawValue: "inspection_closed")
        /// The inspection does not exist.
        public static let unknownInspection = Code(rawValue: "unknown_inspection")
        /// A `pass` outcome was refused because the items do not support it.
        public static let passNotSupported = Code(rawValue: "pass_not_supported")
        /// The file is not a journal or cannot be opened.
        public static let cannotOpen = Code(rawValue: "cannot_open")
        /// A correction names an entry that does not exist.
        public static let unknownEntry = Code(rawValue: "unknown_entry")
    }

    public var code: Code
    /// English, then Chinese (zh-CN).
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "JournalError(\(code)): \(message)" }
}
