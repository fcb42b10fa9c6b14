public import LaneCore

extension ModbusServer {
    /// Which addresses of each table a unit serves. An empty range leaves the table out (requests to it get
    /// exception 0x02, illegal data address).
    public struct Layout: Hashable, Sendable {
        /// Coil addresses (read/write bits).
        public var coils: Range<Int>
        /// Discrete-input addresses (read-only bits).
        public var discreteInputs: Range<Int>
        /// Holding-register addresses (read/write words).
        public var holdingRegisters: Range<Int>
        /// Input-register addresses (read-only words).
        public var inputRegisters: Range<Int>

        /// Creates a layout; every table is empty unless given.
        public init(
            coils: Range<Int> = 0..<0, discreteInputs: Range<Int> = 0..<0, holdingRegisters: Range<Int> = 0..<0,
            inputRegisters: Range<Int> = 0..<0
        ) {
            self.coils = coils
            self.discreteInputs = discreteInputs
            self.holdingRegisters = holdingRegisters
            self.inputRegisters = inputRegisters
        }

        /// The smallest layout that holds every channel and command of a register map.
        public init(covering map: RegisterMap) {
            var spans: [RegisterTable: (Int, Int)] = [:]
            func add(_ table: RegisterTable, _ address: Int, _ count: Int) {
                let old = spans[table] ?? (address, address + count)
                spans[table] = (min(old.0, address), max(old.1, address + count))
            }
            for channel in map.channels { add(channel.table, channel.address, channel.type.registerCount) }
            for command in map.commands { add(command.table, command.address, command.type.registerCount) }
            func range(_ table: RegisterTable) -> Range<Int> { spans[table].map { $0.0..<$0.1 } ?? 0..<0 }
            self.init(
                coils: range(.coil), discreteInputs: range(.discreteInput), holdingRegisters: range(.holding),
                inputRegisters: range(.input))
        }
    }

    /// What the server does with one request, decided by the fault handler (simulated rig firmware).
    public enum Fault: Hashable, Sendable {
        /// Answer normally.
        case none
        /// Read the request and never answer (the client times out).
        case noReply
        /// Answer normally after this delay (other connections are served meanwhile).
        case delay(Duration)
        /// Answer with this Modbus exception instead of data.
        case exception(ModbusExceptionCode)
        /// Close the TCP connection without answering (on RTU: same as ``noReply``).
        case dropConnection
        /// Send these bytes instead of a reply.
        case garbage([UInt8])
    }

    /// A request as the fault handler sees it, before it is answered.
    public struct Request: Hashable, Sendable {
        /// Unit id addressed.
        public var unitID: UInt8
        /// Function code.
        public var function: FunctionCode
        /// First address.
        public var address: Int
        /// Number of bits or registers (1 for single writes).
        public var count: Int
        /// Server-assigned number of the TCP connection (0 on RTU); stable while the connection lives.
        public var connection: Int

        /// Creates a request description (tests of fault handlers build these by hand).
        public init(unitID: UInt8, function: FunctionCode, address: Int, count: Int, connection: Int = 0) {
            self.unitID = unitID
            self.function = function
            self.address = address
            self.count = count
            self.connection = connection
        }
    }

    /// A write that has been applied to a unit's tables; the write handler receives it after the reply.
    public struct Write: Hashable, Sendable {
        /// Unit id written.
        public var unitID: UInt8
        /// Coil or holding table.
        public var table: RegisterTable
        /// First address written.
        public var address: Int
        /// Number of bits or registers written.
        public var count: Int

        /// Creates a write description.
        public init(unitID: UInt8, table: RegisterTable, address: Int, count: Int) {
            self.unitID = unitID
            self.table = table
            self.address = address
            self.count = count
        }
    }

    /// Counters since the server was created.
    public struct Statistics: Hashable, Sendable {
        /// Requests received and understood.
        public var requests = 0
        /// Requests answered with data (not counting exceptions or faults).
        public var replies = 0
        /// Requests for which the fault handler chose something other than ``Fault/none``.
        public var faults = 0
        /// TCP connections accepted.
        public var connectionsAccepted = 0
        /// TCP connections open now.
        public var openConnections = 0
        /// Frames that could not be read (bad CRC, truncated, garbage).
        public var badFrames = 0
        /// True when the server thread runs under `SCHED_FIFO` (see ``ModbusServer/start(realTimePriority:)``).
        public var realTime = false
        /// Times the listening socket or serial line failed so that `poll` would have reported it again at once
        /// (serial line hung up, `accept` out of file descriptors) and was left out of `poll` for 100 ms.
        public var descriptorPauses = 0
        /// Times the server thread returned from `poll`: about one per request, connection or pending reply. A
        /// loop that spins shows here as thousands a second with nothing to do.
        public var wakeUps = 0
    }
}
