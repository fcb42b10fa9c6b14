public import LaneCore
public import Modbus

/// One physical link (a TCP connection or a serial line) and the rigs it carries: what the poller needs to
/// run one link thread. The lane profile (YAML) is mapped to this by `lanectl`.
public struct LinkConfiguration: Hashable, Sendable {
    /// Name for logs and statistics (`"lane1.brake"` or `"rs485-1"`).
    public var name: String
    /// Where the link goes (TCP host and port, or serial device, baud rate and parity).
    public var transport: ModbusTransport
    /// The rigs on this link, polled in this order every cycle.
    public var rigs: [RigConfiguration]
    /// Poll period (10 ms = 100 Hz).
    public var period: Duration
    /// Longest wait for a reply. Keep `rigs.count × responseTimeout` below the period, so a dead rig does not
    /// make the others miss their deadlines.
    public var responseTimeout: Duration
    /// Longest gap between bytes of one reply.
    public var byteTimeout: Duration?
    /// Back-off when the link drops.
    public var reconnect: ReconnectPolicy
    /// A cycle that starts this much later than its deadline counts as a missed deadline.
    public var deadlineTolerance: Duration
    /// Ask for `SCHED_FIFO` at this priority (1–99); nil keeps normal scheduling. Needs root or
    /// `CAP_SYS_NICE`; the statistics say whether it was granted.
    public var realTimePriority: Int?
    /// Registers of unused space the read planner may read across to merge two reads into one (0: only
    /// strictly contiguous channels are merged, which is safe with rigs that refuse unmapped addresses).
    public var maximumReadGap: Int

    /// Creates a link configuration.
    /// - Parameters:
    ///   - name: Name in logs and statistics.
    ///   - transport: TCP or RTU.
    ///   - rigs: Rigs on the link (several unit ids on one serial line or gateway).
    ///   - period: Poll period; 10 ms by default.
    ///   - responseTimeout: Defaults to a third of the period divided among the rigs, at least 2 ms.
    ///   - deadlineTolerance: Defaults to a quarter of the period.
    public init(
        name: String, transport: ModbusTransport, rigs: [RigConfiguration], period: Duration = .milliseconds(10),
        responseTimeout: Duration? = nil, byteTimeout: Duration? = .milliseconds(20),
        reconnect: ReconnectPolicy = ReconnectPolicy(initialDelay: .milliseconds(50), maximumDelay: .seconds(1)),
        deadlineTolerance: Duration? = nil, realTimePriority: Int? = nil, maximumReadGap: Int = 0
    ) {
        self.name = name
        self.transport = transport
        self.rigs = rigs
        self.period = period
        self.responseTimeout = responseTimeout ?? max(period / 3 / max(rigs.count, 1), .milliseconds(2))
        self.byteTimeout = byteTimeout
        self.reconnect = reconnect
        self.deadlineTolerance = deadlineTolerance ?? period / 4
        self.realTimePriority = realTimePriority
        self.maximumReadGap = maximumReadGap
    }
}

/// One rig on a link.
public struct RigConfiguration: Hashable, Sendable {
    /// The rig's id in the lane profile.
    public var rig: RigID
    /// Its Modbus unit id on the link.
    public var unitID: UInt8
    /// Its register map (channels read every cycle, commands written on request).
    public var map: RegisterMap

    /// Creates a rig entry.
    public init(rig: RigID, unitID: UInt8, map: RegisterMap) {
        self.rig = rig
        self.unitID = unitID
        self.map = map
    }
}
