/// How the controller reaches one rig and how often it reads it.
public struct StationRig: Hashable, Sendable, Codable {
    /// The rig's id, unique in the station (`"L1.brake"`).
    public var id: RigID
    /// The rig model (`"LC-RB3000"`); its register map is ``map``.
    public var model: String
    /// Path of the register map file, as resolved by the loader.
    public var mapFile: String
    /// The decoded register map of ``model``.
    public var map: RegisterMap
    public var transport: Transport
    /// Modbus unit id (slave id), 0…247 (TCP rigs usually answer any id; 255 is also allowed on TCP).
    public var unitID: Int
    /// Time between two polls of this rig.
    public var pollPeriod: Duration
    /// How long to wait for the first byte of a reply (libmodbus response timeout).
    public var responseTimeout: Duration
    /// How long to wait between two bytes of a reply (libmodbus byte timeout).
    public var byteTimeout: Duration
    /// SCHED_FIFO priority (1…99) the link's poll thread asks for, or nil for normal scheduling.
    /// A wish: the process gets it only with root or CAP_SYS_NICE, and says so in its statistics.
    public var realtimePriority: Int?
    /// How late a poll cycle may start before its sample counts as a missed deadline (the data-quality gate
    /// then refuses the measurement); nil: a quarter of ``pollPeriod``. Never more than ``pollPeriod``.
    public var deadlineTolerance: Duration?
    /// For simulated rigs (the demo and the tests): what the simulation starts with.
    public var simulation: Simulation?

    public init(
        id: RigID, model: String, mapFile: String, map: RegisterMap, transport: Transport, unitID: Int,
        pollPeriod: Duration, responseTimeout: Duration, byteTimeout: Duration, realtimePriority: Int? = nil,
        deadlineTolerance: Duration? = nil, simulation: Simulation? = nil
    ) {
        self.id = id
        self.model = model
        self.mapFile = mapFile
        self.map = map
        self.transport = transport
        self.unitID = unitID
        self.pollPeriod = pollPeriod
        self.responseTimeout = responseTimeout
        self.byteTimeout = byteTimeout
        self.realtimePriority = realtimePriority
        self.deadlineTolerance = deadlineTolerance
        self.simulation = simulation
    }

    /// What a simulated rig starts with.
    public struct Simulation: Hashable, Sendable, Codable {
        /// Vehicle scenario name (`"sound_car"`, `"weak_rear_brake"` …; see `docs/simulated-rigs.md`).
        public var scenario: String
        /// Fault injected from the start (`"none"`, `"no_reply"` …).
        public var fault: String
        /// Seed of the simulation's noise.
        public var seed: UInt64

        public init(scenario: String, fault: String = "none", seed: UInt64 = 1) {
            self.scenario = scenario
            self.fault = fault
            self.seed = seed
        }
    }
}

/// The physical link to a rig.
public enum Transport: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Modbus TCP. Port 0 (simulated rigs only) means "the simulator picks a free port".
    case tcp(host: String, port: Int)
    /// Modbus RTU on a serial line.
    case rtu(SerialLineSettings)

    public var description: String {
        switch self {
        case .tcp(let host, let port): "tcp \(host):\(port)"
        case .rtu(let line): "rtu \(line.device) \(line.baud) \(line.dataBits)\(line.parity.letter)\(line.stopBits)"
        }
    }

    /// A key equal for two rigs that share one physical link (same TCP endpoint or same serial device).
    /// Rigs on TCP port 0 never share: each simulated rig gets its own port.
    public var linkKey: String {
        switch self {
        case .tcp(let host, let port): port == 0 ? "" : "tcp \(host):\(port)"
        case .rtu(let line): "rtu \(line.device)"
        }
    }
}

/// Settings of a serial line for Modbus RTU.
public struct SerialLineSettings: Hashable, Sendable, Codable {
    /// Device path (`"/dev/ttyUSB0"`).
    public var device: String
    public var baud: Int
    public var parity: Parity
    /// 5…8.
    public var dataBits: Int
    /// 1 or 2.
    public var stopBits: Int

    public init(device: String, baud: Int, parity: Parity = .none, dataBits: Int = 8, stopBits: Int = 1) {
        self.device = device
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
    }

    public enum Parity: String, Hashable, Sendable, Codable, CaseIterable {
        case none, even, odd
        /// The letter libmodbus takes (`N`, `E`, `O`).
        public var letter: Character {
            switch self {
            case .none: "N"
            case .even: "E"
            case .odd: "O"
            }
        }
    }
}
