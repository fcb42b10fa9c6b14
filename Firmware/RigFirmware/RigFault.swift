/// A fault a simulated rig shows its clients, chosen at run time.
public enum RigFault: Hashable, Sendable, CustomStringConvertible {
    /// Answers normally.
    case none
    /// Reads requests and never answers (the client times out).
    case noReply
    /// Answers every request after a delay.
    case slowReplies(Duration)
    /// Answers every request with a Modbus exception (default 0x04, server device failure).
    case exceptionReplies(code: UInt8)
    /// Closes the connection when a request arrives (the client must reconnect).
    case droppedConnection
    /// Answers with bytes that are not a Modbus reply.
    case garbageBytes

    /// Fault names as the control channel and profiles spell them.
    public static let names = ["none", "no_reply", "slow_replies", "exception_replies", "dropped_connection", "garbage_bytes"]

    /// Parses `name [argument]`: `slow_replies 300` (ms, default 300), `exception_replies 2` (code, default 4).
    public init?(name: String, argument: String? = nil) {
        switch name {
        case "none": self = .none
        case "no_reply": self = .noReply
        case "slow_replies":
            guard let ms = argument.map({ Int($0) }) ?? 300, ms >= 0 else { return nil }
            self = .slowReplies(.milliseconds(ms))
        case "exception_replies":
            guard let code = argument.map({ UInt8($0) }) ?? 4, (1...11).contains(code) else { return nil }
            self = .exceptionReplies(code: code)
        case "dropped_connection": self = .droppedConnection
        case "garbage_bytes": self = .garbageBytes
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .noReply: "no_reply"
        case .slowReplies(let delay): "slow_replies \(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)"
        case .exceptionReplies(let code): "exception_replies \(code)"
        case .droppedConnection: "dropped_connection"
        case .garbageBytes: "garbage_bytes"
        }
    }
}
