/// How to reach a Modbus peer: a TCP endpoint or a serial line.
public enum ModbusTransport: Hashable, Sendable, CustomStringConvertible {
    /// Modbus TCP (MBAP framing).
    case tcp(host: String, port: Int)
    /// Modbus RTU over a serial device (`/dev/ttyUSB0`, or a pseudo-terminal in tests).
    case rtu(SerialLine)

    /// `"tcp 127.0.0.1:1502"` or `"rtu /dev/ttyUSB0 19200 8E1"`: used in errors and logs.
    public var description: String {
        switch self {
        case .tcp(let host, let port): "tcp \(host):\(port)"
        case .rtu(let line): "rtu \(line)"
        }
    }
}

/// A serial line's settings for Modbus RTU.
public struct SerialLine: Hashable, Sendable, CustomStringConvertible {
    /// Parity bit.
    public enum Parity: String, Hashable, Sendable, Codable {
        case none = "N", even = "E", odd = "O"
    }
    /// Path of the device (`/dev/ttyUSB0`, `/dev/pts/5`).
    public var device: String
    /// Baud rate (9600, 19200, 38400, 115200 …).
    public var baudRate: Int
    /// Parity; Modbus's default is even.
    public var parity: Parity
    /// Data bits (7 or 8; RTU needs 8).
    public var dataBits: Int
    /// Stop bits (1 or 2).
    public var stopBits: Int

    /// Creates serial settings; the defaults are Modbus RTU's (19200 8E1).
    public init(device: String, baudRate: Int = 19200, parity: Parity = .even, dataBits: Int = 8, stopBits: Int = 1) {
        self.device = device
        self.baudRate = baudRate
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
    }

    /// `"/dev/ttyUSB0 19200 8E1"`.
    public var description: String { "\(device) \(baudRate) \(dataBits)\(parity.rawValue)\(stopBits)" }
}

/// When and how fast a dropped link is opened again: the delay starts at `initialDelay` and grows by
/// `multiplier` after every failed attempt, up to `maximumDelay`; a successful connect resets it.
public struct ReconnectPolicy: Hashable, Sendable {
    /// Delay before the second attempt (the first attempt after a drop is immediate).
    public var initialDelay: Duration
    /// Longest delay between attempts.
    public var maximumDelay: Duration
    /// Growth factor between attempts.
    public var multiplier: Double
    /// Consecutive timeouts after which a TCP connection is assumed half-open and reopened (0: never).
    public var reopenAfterTimeouts: Int

    /// Creates a policy; the defaults suit rigs on a LAN.
    public init(
        initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(2), multiplier: Double = 2,
        reopenAfterTimeouts: Int = 3
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.reopenAfterTimeouts = reopenAfterTimeouts
    }
}

/// Everything a ``ModbusClient`` needs to reach its peer.
public struct ModbusClientConfiguration: Hashable, Sendable {
    /// Where the peer is.
    public var transport: ModbusTransport
    /// Longest wait for the first byte of a reply (libmodbus response timeout).
    public var responseTimeout: Duration
    /// Longest gap between two bytes of one reply (libmodbus byte timeout); nil disables it.
    public var byteTimeout: Duration?
    /// Unit id used when a call does not name one.
    public var defaultUnitID: UInt8
    /// Reconnect back-off.
    public var reconnect: ReconnectPolicy

    /// Creates a configuration.
    /// - Parameters:
    ///   - transport: TCP endpoint or serial line.
    ///   - responseTimeout: Keep it below the poll period, so one dead rig cannot stall its link's cycle.
    ///   - byteTimeout: Gap allowed inside a reply.
    ///   - defaultUnitID: Unit id when a call does not name one (Modbus TCP devices usually answer 1 or 255).
    ///   - reconnect: Back-off after a drop.
    public init(
        transport: ModbusTransport, responseTimeout: Duration = .milliseconds(500),
        byteTimeout: Duration? = .milliseconds(100), defaultUnitID: UInt8 = 1, reconnect: ReconnectPolicy = .init()
    ) {
        self.transport = transport
        self.responseTimeout = responseTimeout
        self.byteTimeout = byteTimeout
        self.defaultUnitID = defaultUnitID
        self.reconnect = reconnect
    }
}
