public import LaneCore
import CModbus

#if canImport(Glibc)
import Glibc
#endif

/// A blocking Modbus client (TCP or RTU) over libmodbus, with typed reads and writes and automatic
/// reconnection.
///
/// Not `Sendable` and not thread-safe, like the `modbus_t` it owns: exactly one OS thread uses it (a poller's
/// link thread, or a ``ModbusLink``). Never call it from Swift's cooperative pool: every call may block for up
/// to the response timeout.
///
/// After a link failure (connection reset, refused, broken pipe) the client closes the connection; the next
/// call tries to connect again at once, and if that fails later calls throw ``ModbusError/Code/notConnected``
/// without blocking until the back-off delay (``ReconnectPolicy``) has passed. Garbage replies on TCP reopen
/// the connection (the stream's framing is lost); on RTU the line is flushed.
public final class ModbusClient {
    /// The configuration the client was made with.
    public let configuration: ModbusClientConfiguration
    /// True while a connection is open.
    public private(set) var isConnected = false
    /// Number of successful connects after the first one.
    public private(set) var reconnects = 0
    /// Number of connect attempts that failed.
    public private(set) var failedConnects = 0

    private let context: OpaquePointer
    private let linkName: String
    private var everConnected = false
    private var nextAttempt: UInt64 = 0
    private var currentDelay: Duration
    private var consecutiveTimeouts = 0
    private var currentUnit: Int32 = -1

    /// Creates a client; it connects on the first request (or on ``connect()``).
    public init(_ configuration: ModbusClientConfiguration) throws(ModbusError) {
        self.configuration = configuration
        self.linkName = configuration.transport.description
        self.currentDelay = configuration.reconnect.initialDelay
        let raw: OpaquePointer?
        switch configuration.transport {
        case .tcp(let host, let port):
            raw = modbus_new_tcp(host, Int32(port))
        case .rtu(let line):
            raw = modbus_new_rtu(
                line.device, Int32(line.baudRate), CChar(UInt8(ascii: line.parity.rawValue.unicodeScalars.first!)),
                Int32(line.dataBits), Int32(line.stopBits))
        }
        guard let raw else {
            throw ModbusError(code: .init(rawValue: errno), operation: "modbus_new", link: configuration.transport.description)
        }
        context = raw
        modbus_set_error_recovery(raw, MODBUS_ERROR_RECOVERY_NONE)  // we recover ourselves, without sleeping
        let response = configuration.responseTimeout.clampedMicroseconds
        modbus_set_response_timeout(raw, UInt32(response / 1_000_000), UInt32(response % 1_000_000))
        if let byteTimeout = configuration.byteTimeout {
            let byte = byteTimeout.clampedMicroseconds
            modbus_set_byte_timeout(raw, UInt32(byte / 1_000_000), UInt32(byte % 1_000_000))
        } else {
            modbus_set_byte_timeout(raw, 0, 0)
        }
    }

    deinit {
        modbus_close(context)
        modbus_free(context)
    }

    /// Opens the connection now (TCP connect or serial open), whatever the back-off says.
    public func connect() throws(ModbusError) {
        if isConnected { return }
        if modbus_connect(context) == -1 {
            let code = errno
            failedConnects += 1
            nextAttempt = monotonicNanoseconds() &+ UInt64(currentDelay.nanosecondsTotal)
            let delay = currentDelay
            let grown = currentDelay * configuration.reconnect.multiplier
            currentDelay = min(grown, configuration.reconnect.maximumDelay)
            throw ModbusError(
                code: .init(rawValue: code), operation: "modbus_connect", link: linkName,
                detail: "next attempt in \(delay)")
        }
        isConnected = true
        if everConnected { reconnects += 1 }
        everConnected = true
        currentDelay = configuration.reconnect.initialDelay
        consecutiveTimeouts = 0
        currentUnit = -1
    }

    /// Closes the connection; the next request opens it again.
    public func close() {
        modbus_close(context)
        isConnected = false
    }

    // MARK: Reads

    /// Reads `count` coils (function 0x01).
    public func readCoils(unit: UInt8? = nil, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        try readBits(.coil, unit: unit, address: address, count: count)
    }

    /// Reads `count` discrete inputs (function 0x02).
    public func readDiscreteInputs(unit: UInt8? = nil, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        try readBits(.discreteInput, unit: unit, address: address, count: count)
    }

    /// Reads `count` holding registers (function 0x03).
    public func readHoldingRegisters(unit: UInt8? = nil, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        try readRegisters(.holding, unit: unit, address: address, count: count)
    }

    /// Reads `count` input registers (function 0x04).
    public func readInputRegisters(unit: UInt8? = nil, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        try readRegisters(.input, unit: unit, address: address, count: count)
    }

    /// Reads bits from the coil or discrete-input table.
    public func readBits(_ table: RegisterTable, unit: UInt8? = nil, address: Int, count: Int) throws(ModbusError)
        -> [Bool]
    {
        let function: FunctionCode = table == .coil ? .readCoils : .readDiscreteInputs
        guard table == .coil || table == .discreteInput else {
            throw invalid("readBits needs the coil or discrete_input table, not \(table.rawValue)", function, unit, address, count)
        }
        var bytes = [UInt8](repeating: 0, count: max(count, 1))
        try perform(function, unit: unit, address: address, count: count) { ctx in
            bytes.withUnsafeMutableBufferPointer { buffer in
                table == .coil
                    ? modbus_read_bits(ctx, Int32(address), Int32(count), buffer.baseAddress)
                    : modbus_read_input_bits(ctx, Int32(address), Int32(count), buffer.baseAddress)
            }
        }
        return bytes.prefix(count).map { $0 != 0 }
    }

    /// Reads registers from the holding or input table.
    public func readRegisters(_ table: RegisterTable, unit: UInt8? = nil, address: Int, count: Int)
        throws(ModbusError) -> [UInt16]
    {
        var registers = [UInt16](repeating: 0, count: max(count, 1))
        try registers.withUnsafeMutableBufferPointer { (buffer) throws(ModbusError) in
            try readRegisters(table, unit: unit, address: address, count: count, into: buffer.baseAddress!)
        }
        return count == registers.count ? registers : []
    }

    /// Reads registers into caller-owned memory (the poller's allocation-free path).
    /// - Parameter destination: Room for at least `count` registers.
    public func readRegisters(
        _ table: RegisterTable, unit: UInt8? = nil, address: Int, count: Int,
        into destination: UnsafeMutablePointer<UInt16>
    ) throws(ModbusError) {
        let function: FunctionCode = table == .holding ? .readHoldingRegisters : .readInputRegisters
        guard table == .holding || table == .input else {
            throw invalid("readRegisters needs the holding or input table, not \(table.rawValue)", function, unit, address, count)
        }
        try perform(function, unit: unit, address: address, count: count) { ctx in
            table == .holding
                ? modbus_read_registers(ctx, Int32(address), Int32(count), destination)
                : modbus_read_input_registers(ctx, Int32(address), Int32(count), destination)
        }
    }

    /// Reads one typed value (bit tables give 0 or 1).
    public func readValue(
        _ table: RegisterTable, unit: UInt8? = nil, address: Int, type: ValueType, order: WordOrder = .abcd
    ) throws(ModbusError) -> Double {
        switch table {
        case .coil, .discreteInput:
            return try readBits(table, unit: unit, address: address, count: 1)[0] ? 1 : 0
        case .holding, .input:
            let registers = try readRegisters(table, unit: unit, address: address, count: type.registerCount)
            return RegisterCodec.decode(registers, as: type, order: order) ?? .nan
        }
    }

    // MARK: Writes

    /// Writes one coil (function 0x05).
    public func writeCoil(unit: UInt8? = nil, address: Int, value: Bool) throws(ModbusError) {
        try perform(.writeSingleCoil, unit: unit, address: address, count: 1) { ctx in
            modbus_write_bit(ctx, Int32(address), value ? 1 : 0)
        }
    }

    /// Writes several coils (function 0x0F).
    public func writeCoils(unit: UInt8? = nil, address: Int, values: [Bool]) throws(ModbusError) {
        let bytes = values.map { UInt8($0 ? 1 : 0) }
        try perform(.writeMultipleCoils, unit: unit, address: address, count: values.count) { ctx in
            modbus_write_bits(ctx, Int32(address), Int32(bytes.count), bytes)
        }
    }

    /// Writes one holding register (function 0x06).
    public func writeRegister(unit: UInt8? = nil, address: Int, value: UInt16) throws(ModbusError) {
        try perform(.writeSingleRegister, unit: unit, address: address, count: 1) { ctx in
            modbus_write_register(ctx, Int32(address), value)
        }
    }

    /// Writes several holding registers (function 0x10).
    public func writeRegisters(unit: UInt8? = nil, address: Int, values: [UInt16]) throws(ModbusError) {
        try perform(.writeMultipleRegisters, unit: unit, address: address, count: values.count) { ctx in
            modbus_write_registers(ctx, Int32(address), Int32(values.count), values)
        }
    }

    /// Writes one typed value: a coil (0 is off, anything else on) or holding register(s) encoded as `type`.
    ///
    /// A 32-bit value goes out as one write-multiple request so the rig never sees half of it.
    public func writeValue(
        _ value: Double, to table: RegisterTable, unit: UInt8? = nil, address: Int, type: ValueType,
        order: WordOrder = .abcd
    ) throws(ModbusError) {
        switch table {
        case .coil:
            try writeCoil(unit: unit, address: address, value: value != 0)
        case .holding:
            let registers: [UInt16]
            do { registers = try RegisterCodec.encode(value, as: type, order: order) } catch {
                throw invalid(error.description, .writeMultipleRegisters, unit, address, type.registerCount)
            }
            if registers.count == 1 {
                try writeRegister(unit: unit, address: address, value: registers[0])
            } else {
                try writeRegisters(unit: unit, address: address, values: registers)
            }
        case .discreteInput, .input:
            throw invalid("the \(table.rawValue) table is read-only", .writeSingleRegister, unit, address, 1)
        }
    }

    // MARK: The one place libmodbus's "-1 and errno" becomes a Swift error

    private func perform(
        _ function: FunctionCode, unit: UInt8?, address: Int, count: Int, _ call: (OpaquePointer) -> Int32
    ) throws(ModbusError) {
        let unitID = unit ?? configuration.defaultUnitID
        if !isConnected {
            if monotonicNanoseconds() < nextAttempt {
                let wait = Double(nextAttempt &- monotonicNanoseconds()) / 1e6
                throw ModbusError(
                    code: .notConnected, operation: function.operationName, link: linkName, unitID: unitID,
                    function: function, address: address, count: count,
                    detail: "link down, next reconnect attempt in \(Int(wait.rounded(.up))) ms")
            }
            do { try connect() } catch {
                var failure = error
                failure.unitID = unitID
                failure.function = function
                failure.address = address
                failure.count = count
                throw failure
            }
        }
        if currentUnit != Int32(unitID) {
            modbus_set_slave(context, Int32(unitID))
            currentUnit = Int32(unitID)
        }
        if call(context) != -1 {
            consecutiveTimeouts = 0
            return
        }
        let code = ModbusError.Code(rawValue: errno)
        recover(after: code)
        throw ModbusError(
            code: code, operation: function.operationName, link: linkName, unitID: unitID, function: function,
            address: address, count: count)
    }

    private func recover(after code: ModbusError.Code) {
        let isTCP = if case .tcp = configuration.transport { true } else { false }
        if code == .timedOut {
            consecutiveTimeouts += 1
            let limit = configuration.reconnect.reopenAfterTimeouts
            if isTCP && limit > 0 && consecutiveTimeouts >= limit {
                close()  // probably half-open; reopen on the next call
                consecutiveTimeouts = 0
            } else {
                modbus_flush(context)  // a late reply must not be taken for the next one
            }
        } else if code.isLinkFailure {
            close()
        } else if code.isProtocolFailure {
            if isTCP { close() } else { modbus_flush(context) }
        } else {
            consecutiveTimeouts = 0
        }
    }

    private func invalid(_ detail: String, _ function: FunctionCode, _ unit: UInt8?, _ address: Int, _ count: Int)
        -> ModbusError
    {
        ModbusError(
            code: .invalidArgument, operation: function.operationName, link: linkName,
            unitID: unit ?? configuration.defaultUnitID, function: function, address: address, count: count,
            detail: detail)
    }
}

extension FunctionCode {
    /// The libmodbus call that sends this function.
    var operationName: String {
        switch rawValue {
        case 0x01: "modbus_read_bits"
        case 0x02: "modbus_read_input_bits"
        case 0x03: "modbus_read_registers"
        case 0x04: "modbus_read_input_registers"
        case 0x05: "modbus_write_bit"
        case 0x06: "modbus_write_register"
        case 0x0F: "modbus_write_bits"
        case 0x10: "modbus_write_registers"
        default: "modbus_send_raw_request"
        }
    }
}
