public import LaneCore

/// A snapshot of one link's live statistics.
public struct LinkStatistics: Sendable {
    /// The link's name.
    public var name: String
    /// Where it goes (`"tcp 127.0.0.1:1502"`).
    public var transport: String
    /// Poll period.
    public var period: Duration
    /// Whether real-time scheduling was asked for and granted.
    public var realTime: RealTimeStatus
    /// Cycles run.
    public var cycles: UInt64
    /// Cycles that started later than their deadline plus the tolerance, plus cycles skipped after an overrun.
    public var missedDeadlines: UInt64
    /// Cycles skipped because the previous one overran a whole period.
    public var skippedCycles: UInt64
    /// Successful reconnects of the link.
    public var reconnects: Int
    /// Failed connect attempts.
    public var failedConnects: Int
    /// Lateness of each cycle's start after its deadline.
    public var periodError: DurationSummary
    /// Time each cycle spent polling (from wake-up to the last sample handed on).
    public var cycleTime: DurationSummary
    /// Per-rig counters, in link order.
    public var rigs: [RigStatistics]
    /// Safe-state writes waiting for their rig to answer (written again every cycle).
    public var commandsRetained = 0
}

/// Whether a link thread runs under `SCHED_FIFO`.
public struct RealTimeStatus: Hashable, Sendable, CustomStringConvertible {
    /// The priority asked for, or nil when the configuration did not ask.
    public var requestedPriority: Int?
    /// True when the kernel granted it.
    public var granted: Bool
    /// Why not, when asked for and refused (`"Operation not permitted: run as root or grant CAP_SYS_NICE"`).
    public var reason: String?

    /// `"SCHED_FIFO 50 granted"`, `"normal scheduling (not requested)"`.
    public var description: String {
        guard let requestedPriority else { return "normal scheduling (not requested)" }
        return granted
            ? "SCHED_FIFO \(requestedPriority) granted" : "SCHED_FIFO \(requestedPriority) refused: \(reason ?? "?")"
    }
}

/// Percentiles of a set of durations (from an HDR histogram, 3 significant digits).
public struct DurationSummary: Hashable, Sendable {
    /// Number of values.
    public var count: UInt64
    /// Median.
    public var p50: Duration
    /// 90th percentile.
    public var p90: Duration
    /// 99th percentile.
    public var p99: Duration
    /// 99.9th percentile.
    public var p999: Duration
    /// Largest value.
    public var max: Duration
    /// Mean.
    public var mean: Duration

    /// An empty summary.
    public static let empty = DurationSummary(
        count: 0, p50: .zero, p90: .zero, p99: .zero, p999: .zero, max: .zero, mean: .zero)
}

/// Counters of one rig on a link.
public struct RigStatistics: Hashable, Sendable {
    /// The rig.
    public var rig: RigID
    /// Unit id on the link.
    public var unitID: UInt8
    /// Polls attempted (equals the last sample's sequence number).
    public var polls: UInt64
    /// Polls with every value read and within range.
    public var good: UInt64
    /// Polls with a value outside its declared range.
    public var outOfRange: UInt64
    /// Polls that timed out.
    public var timeouts: UInt64
    /// Polls that failed otherwise (link down, exception reply, garbage).
    public var failures: UInt64
    /// Commands written.
    public var commandsWritten: UInt64
    /// Commands that failed to be written (each counted once, however often a safe-state write is retried).
    public var commandFailures: UInt64
    /// True when the last poll read the rig.
    public var online: Bool
    /// The last error, as its log line.
    public var lastError: String?
    /// Safe-state writes (the map's `safe_value`) that failed at first and were taken on a retry.
    public var commandsWrittenOnRetry: UInt64 = 0
}
