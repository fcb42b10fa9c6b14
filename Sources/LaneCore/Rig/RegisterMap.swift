/// The contract between a rig model's firmware and the controller: where each value lives, how it is
/// encoded and what it means. Register maps are data (YAML files under `Firmware/maps/`), so a new rig
/// model is a new file, not new code.
public struct RegisterMap: Hashable, Sendable, Codable {
    /// Model name as the vendor writes it (`"LC-RB3000 roller brake tester"`).
    public var model: String
    /// What kind of rig this is.
    public var kind: RigKind
    /// Version of the map (changes whenever an address or type changes).
    public var version: String
    /// Word order used by every 32-bit channel that does not name its own.
    public var defaultWordOrder: WordOrder
    /// Values the controller reads, in the order of ``Sample/values``.
    public var channels: [Channel]
    /// Values the controller writes.
    public var commands: [Command]
    /// Behaviour of the firmware that the controller may rely on, by documented key
    /// (`auto_stop_on_slip: 1`, `slip_threshold_percent: 25`, `warmup_seconds: 30` …; see
    /// `docs/register-maps.md`). Empty when the map declares none.
    public var settings: [String: Double]

    public init(
        model: String, kind: RigKind, version: String, defaultWordOrder: WordOrder = .abcd, channels: [Channel],
        commands: [Command], settings: [String: Double] = [:]
    ) {
        self.model = model
        self.kind = kind
        self.version = version
        self.defaultWordOrder = defaultWordOrder
        self.channels = channels
        self.commands = commands
        self.settings = settings
    }

    /// The index of a channel in ``Sample/values``, or nil when the map has no such channel.
    public func channelIndex(_ name: String) -> Int? { channels.firstIndex { $0.name == name } }

    /// The command with this name, or nil.
    public func command(_ name: String) -> Command? { commands.first { $0.name == name } }
}

/// The kinds of rig a lane station uses.
public enum RigKind: String, Hashable, Sendable, Codable, CaseIterable {
    case brakeTester = "brake_tester"
    case headlampTester = "headlamp_tester"
    case exhaustAnalyser = "exhaust_analyser"
}

/// The four Modbus data tables.
public enum RegisterTable: String, Hashable, Sendable, Codable, CaseIterable {
    case coil
    case discreteInput = "discrete_input"
    case holding
    case input
}

/// How a value is encoded in registers (or bits, for coils and discrete inputs).
public enum ValueType: String, Hashable, Sendable, Codable, CaseIterable {
    case bool
    case u16, i16, u32, i32, f32

    /// Number of 16-bit registers the value occupies (1 for a bit).
    public var registerCount: Int {
        switch self {
        case .bool, .u16, .i16: 1
        case .u32, .i32, .f32: 2
        }
    }
}

/// Byte order of a 32-bit value over two registers, named by the order in which the bytes
/// A (most significant) to D (least significant) appear on the wire.
public enum WordOrder: String, Hashable, Sendable, Codable, CaseIterable {
    /// Big-endian words, big-endian bytes (Modbus's own convention).
    case abcd = "ABCD"
    /// Little-endian words (low word first), big-endian bytes.
    case cdab = "CDAB"
    /// Big-endian words, bytes swapped within each word.
    case badc = "BADC"
    /// Fully little-endian.
    case dcba = "DCBA"
}

extension RegisterMap {
    /// A value the controller reads.
    public struct Channel: Hashable, Sendable, Codable {
        /// Name used by procedures (`"force_left"`).
        public var name: String
        public var table: RegisterTable
        /// Zero-based protocol address.
        public var address: Int
        public var type: ValueType
        /// Overrides the map's default word order for this channel.
        public var wordOrder: WordOrder?
        /// Engineering value = raw × scale + offset.
        public var scale: Double
        public var offset: Double
        /// Unit of the engineering value (`"daN"`, `"%"`, `"cd"`).
        public var unit: String
        /// Values outside this range mark the sample `out_of_range`.
        public var minimum: Double?
        public var maximum: Double?
        public var description: String?

        public init(
            name: String, table: RegisterTable, address: Int, type: ValueType, wordOrder: WordOrder? = nil,
            scale: Double = 1, offset: Double = 0, unit: String = "", minimum: Double? = nil,
            maximum: Double? = nil, description: String? = nil
        ) {
            self.name = name
            self.table = table
            self.address = address
            self.type = type
            self.wordOrder = wordOrder
            self.scale = scale
            self.offset = offset
            self.unit = unit
            self.minimum = minimum
            self.maximum = maximum
            self.description = description
        }
    }

    /// A value the controller writes (start the rollers, zero the scale, measure the left lamp).
    public struct Command: Hashable, Sendable, Codable {
        public var name: String
        /// `coil` or `holding`.
        public var table: RegisterTable
        public var address: Int
        public var type: ValueType
        public var wordOrder: WordOrder?
        /// Raw = (engineering value − offset) / scale.
        public var scale: Double
        public var offset: Double
        public var description: String?
        /// The value that puts the rig in its safe state (rollers stopped, dynamometer unloaded), or nil. A write of
        /// this value that fails is written again on every poll cycle until the rig takes it or a newer command of
        /// the same name replaces it (a rig that stops answering mid-test gets its stop as soon as it answers).
        /// Other values are written once: a start is never repeated behind the procedure's back.
        public var safeValue: Double?

        public init(
            name: String, table: RegisterTable, address: Int, type: ValueType = .bool, wordOrder: WordOrder? = nil,
            scale: Double = 1, offset: Double = 0, description: String? = nil, safeValue: Double? = nil
        ) {
            self.name = name
            self.table = table
            self.address = address
            self.type = type
            self.wordOrder = wordOrder
            self.scale = scale
            self.offset = offset
            self.description = description
            self.safeValue = safeValue
        }
    }
}
