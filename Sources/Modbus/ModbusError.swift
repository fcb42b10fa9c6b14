import CModbus

#if canImport(Glibc)
import Glibc
#endif

/// A Modbus request that failed: what went wrong (``Code``), and where (link, unit id, function, registers).
///
/// libmodbus reports failures as `-1` plus `errno`; ``ModbusClient`` turns that into this error in one place,
/// adding the context a maintainer needs to find the rig and the register.
public struct ModbusError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The reason, as a libmodbus error number or a POSIX `errno`. New codes can be added without breaking
    /// anyone's `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The libmodbus error number (`EMBX…`, `EMB…`) or POSIX `errno`.
        public let rawValue: Int32
        /// Wraps a libmodbus or POSIX error number.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// The rig does not support the function (Modbus exception 0x01). C: `EMBXILFUN`.
        public static let illegalFunction = Code(rawValue: cmodbus_EMBXILFUN)
        /// The rig rejected the register address (Modbus exception 0x02). C: `EMBXILADD`.
        public static let illegalDataAddress = Code(rawValue: cmodbus_EMBXILADD)
        /// The rig rejected the value (Modbus exception 0x03). C: `EMBXILVAL`.
        public static let illegalDataValue = Code(rawValue: cmodbus_EMBXILVAL)
        /// The rig failed while handling the request (Modbus exception 0x04). C: `EMBXSFAIL`.
        public static let serverDeviceFailure = Code(rawValue: cmodbus_EMBXSFAIL)
        /// The rig accepted a long-running request (Modbus exception 0x05). C: `EMBXACK`.
        public static let acknowledge = Code(rawValue: cmodbus_EMBXACK)
        /// The rig is busy; try again later (Modbus exception 0x06). C: `EMBXSBUSY`.
        public static let serverDeviceBusy = Code(rawValue: cmodbus_EMBXSBUSY)
        /// Negative acknowledge (Modbus exception 0x07). C: `EMBXNACK`.
        public static let negativeAcknowledge = Code(rawValue: cmodbus_EMBXNACK)
        /// Memory parity error (Modbus exception 0x08). C: `EMBXMEMPAR`.
        public static let memoryParityError = Code(rawValue: cmodbus_EMBXMEMPAR)
        /// A gateway has no path to the unit (Modbus exception 0x0A). C: `EMBXGPATH`.
        public static let gatewayPathUnavailable = Code(rawValue: cmodbus_EMBXGPATH)
        /// A gateway's target unit did not answer (Modbus exception 0x0B). C: `EMBXGTAR`.
        public static let gatewayTargetFailedToRespond = Code(rawValue: cmodbus_EMBXGTAR)
        /// An RTU frame failed its CRC check. C: `EMBBADCRC`.
        public static let badCRC = Code(rawValue: cmodbus_EMBBADCRC)
        /// The reply does not match the request (garbage, wrong transaction or length). C: `EMBBADDATA`.
        public static let badData = Code(rawValue: cmodbus_EMBBADDATA)
        /// The reply carried an invalid exception code. C: `EMBBADEXC`.
        public static let badException = Code(rawValue: cmodbus_EMBBADEXC)
        /// The reply carried an unknown exception code. C: `EMBUNKEXC`.
        public static let unknownException = Code(rawValue: cmodbus_EMBUNKEXC)
        /// More data than requested, or a request larger than the protocol allows. C: `EMBMDATA`.
        public static let tooManyData = Code(rawValue: cmodbus_EMBMDATA)
        /// The reply came from another unit id. C: `EMBBADSLAVE`.
        public static let badUnitID = Code(rawValue: cmodbus_EMBBADSLAVE)
        /// The rig did not answer within the response timeout. C: `ETIMEDOUT`.
        public static let timedOut = Code(rawValue: ETIMEDOUT)
        /// The peer closed or reset the connection. C: `ECONNRESET`.
        public static let connectionReset = Code(rawValue: ECONNRESET)
        /// Nothing listens at the rig's address. C: `ECONNREFUSED`.
        public static let connectionRefused = Code(rawValue: ECONNREFUSED)
        /// The connection broke while sending. C: `EPIPE`.
        public static let brokenPipe = Code(rawValue: EPIPE)
        /// The link is down and waiting for its next reconnect attempt. C: `ENOTCONN`.
        public static let notConnected = Code(rawValue: ENOTCONN)
        /// An argument was out of range (address, count, unit id). C: `EINVAL`.
        public static let invalidArgument = Code(rawValue: EINVAL)
        /// The serial device does not exist. C: `ENOENT`.
        public static let noSuchDevice = Code(rawValue: ENOENT)

        /// A Modbus exception code (0x01–0x0B) for an exception reply, else nil.
        public var exceptionCode: UInt8? {
            let offset = rawValue - MODBUS_ENOBASE
            return (1...11).contains(offset) ? UInt8(offset) : nil
        }

        /// Builds the code for a Modbus exception reply (`0x01`–`0x0B`).
        public static func exception(_ code: UInt8) -> Code { Code(rawValue: MODBUS_ENOBASE + Int32(code)) }

        /// True when the rig answered with a Modbus exception (it is alive, but refused the request).
        public var isException: Bool { exceptionCode != nil }

        /// True when the connection itself is gone and must be opened again.
        public var isLinkFailure: Bool {
            [ECONNRESET, ECONNREFUSED, ECONNABORTED, EPIPE, ENOTCONN, EBADF, EIO, ENXIO, ENODEV, ENOENT,
             ENETDOWN, ENETUNREACH, EHOSTUNREACH, EHOSTDOWN]
                .contains(rawValue)
        }

        /// True when the reply was unreadable (garbage, CRC, wrong length or unit): the stream must be resynced.
        public var isProtocolFailure: Bool {
            [cmodbus_EMBBADCRC, cmodbus_EMBBADDATA, cmodbus_EMBBADEXC, cmodbus_EMBUNKEXC, cmodbus_EMBMDATA,
             cmodbus_EMBBADSLAVE]
                .contains(rawValue)
        }

        /// libmodbus's text for the code (`"Illegal data address"`, `"Connection timed out"`).
        public var description: String { String(cString: modbus_strerror(rawValue)) }
    }

    /// Why the request failed.
    public var code: Code
    /// The libmodbus call (`"modbus_read_registers"`).
    public var operation: String
    /// The link, as ``ModbusTransport/description`` writes it (`"tcp 127.0.0.1:1502"`).
    public var link: String
    /// The rig, when the caller knows it (the poller fills it in).
    public var rig: String?
    /// The unit id addressed.
    public var unitID: UInt8?
    /// The Modbus function.
    public var function: FunctionCode?
    /// First register or bit addressed (zero-based protocol address).
    public var address: Int?
    /// Number of registers or bits.
    public var count: Int?
    /// Extra detail (`"next attempt in 400 ms"`).
    public var detail: String?

    /// Creates an error with its context.
    public init(
        code: Code, operation: String, link: String, rig: String? = nil, unitID: UInt8? = nil,
        function: FunctionCode? = nil, address: Int? = nil, count: Int? = nil, detail: String? = nil
    ) {
        self.code = code
        self.operation = operation
        self.link = link
        self.rig = rig
        self.unitID = unitID
        self.function = function
        self.address = address
        self.count = count
        self.detail = detail
    }

    /// One log line: what failed, where, and what to check. English, then Chinese.
    public var description: String {
        var place = "link \(link)"
        if let rig { place = "rig \(rig), " + place }
        if let unitID { place += ", unit \(unitID)" }
        if let function { place += ", \(function)" }
        if let address {
            let last = address + max((count ?? 1) - 1, 0)
            place += count.map { $0 > 1 ? ", registers \(address)…\(last)" : ", register \(address)" } ?? ", register \(address)"
        }
        var text = "Modbus \(operation) failed: \(code) (\(place))"
        if let detail { text += "; \(detail)" }
        return text + ". \(hint.english) / Modbus 请求失败：\(hint.chinese)"
    }

    private var hint: (english: String, chinese: String) {
        if code == .timedOut {
            return ("Check that the rig is powered and the unit id is right.", "请检查设备电源和站号。")
        }
        if code.isException {
            return ("The rig refused the request: check the register map's addresses.", "设备拒绝了请求，请检查寄存器地址表。")
        }
        if code.isLinkFailure {
            return ("Check the cable or network; the link reconnects by itself.", "请检查线缆或网络，链路会自动重连。")
        }
        if code.isProtocolFailure {
            return ("The reply was unreadable: check baud rate, parity and unit id.", "应答无法解析，请检查波特率、校验位和站号。")
        }
        return ("See the code above.", "请参见上面的错误代码。")
    }
}

/// A Modbus function code.
public struct FunctionCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The function byte on the wire.
    public let rawValue: UInt8
    /// Wraps a function byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 0x01 Read Coils.
    public static let readCoils = FunctionCode(rawValue: 0x01)
    /// 0x02 Read Discrete Inputs.
    public static let readDiscreteInputs = FunctionCode(rawValue: 0x02)
    /// 0x03 Read Holding Registers.
    public static let readHoldingRegisters = FunctionCode(rawValue: 0x03)
    /// 0x04 Read Input Registers.
    public static let readInputRegisters = FunctionCode(rawValue: 0x04)
    /// 0x05 Write Single Coil.
    public static let writeSingleCoil = FunctionCode(rawValue: 0x05)
    /// 0x06 Write Single Register.
    public static let writeSingleRegister = FunctionCode(rawValue: 0x06)
    /// 0x0F Write Multiple Coils.
    public static let writeMultipleCoils = FunctionCode(rawValue: 0x0F)
    /// 0x10 Write Multiple Registers.
    public static let writeMultipleRegisters = FunctionCode(rawValue: 0x10)

    /// True for the functions that change the server's tables.
    public var isWrite: Bool { [0x05, 0x06, 0x0F, 0x10, 0x16, 0x17].contains(rawValue) }

    /// `"read holding registers (0x03)"`.
    public var description: String {
        let name =
            switch rawValue {
            case 0x01: "read coils"
            case 0x02: "read discrete inputs"
            case 0x03: "read holding registers"
            case 0x04: "read input registers"
            case 0x05: "write single coil"
            case 0x06: "write single register"
            case 0x0F: "write multiple coils"
            case 0x10: "write multiple registers"
            default: "function"
            }
        return "\(name) (0x\(String(rawValue, radix: 16, uppercase: true)))"
    }
}

/// A Modbus exception code a server sends back instead of data.
public struct ModbusExceptionCode: RawRepresentable, Hashable, Sendable {
    /// The code byte on the wire (0x01–0x0B).
    public let rawValue: UInt8
    /// Wraps an exception byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// 0x01.
    public static let illegalFunction = ModbusExceptionCode(rawValue: 0x01)
    /// 0x02.
    public static let illegalDataAddress = ModbusExceptionCode(rawValue: 0x02)
    /// 0x03.
    public static let illegalDataValue = ModbusExceptionCode(rawValue: 0x03)
    /// 0x04.
    public static let serverDeviceFailure = ModbusExceptionCode(rawValue: 0x04)
    /// 0x06.
    public static let serverDeviceBusy = ModbusExceptionCode(rawValue: 0x06)
    /// 0x0B.
    public static let gatewayTargetFailedToRespond = ModbusExceptionCode(rawValue: 0x0B)
}
