public import LaneCore
public import Rigs
public import ServiceLifecycle
import Synchronization

/// Keeps the latest sample of every rig, when each rig went stale, and a short force trace of every brake
/// tester, fed from the pollers' sample stream; the HTTP API, the live feed and `/metrics` read from it.
///
/// As a `Service`, ``run()`` consumes the sample stream until graceful shutdown.
public final class LiveHub: Service, Sendable {
    /// The profile the hub serves.
    public let profile: LaneProfile
    /// The pollers whose statistics the hub reports (one per link).
    public let pollers: [LinkPoller]
    /// How many brake trace points the hub keeps per brake rig (at 100 Hz, 20 s).
    public static let traceCapacity = 2_000

    private let samples: AsyncStream<Sample>
    private let consumer: (@Sendable (Sample) -> Void)?
    private let state: Mutex<State>
    private let rigIndex: [RigID: Int]

    struct RigState: Sendable {
        var configuration: LaneCore.StationRig
        var lane: LaneID
        var station: StationKind
        var latest: Sample?
        var staleSince: MonotonicInstant?
        /// Indices of `force_left` and `force_right` for a brake tester.
        var forceChannels: (Int, Int)?
        var trace: [TracePoint] = []
        /// Count of trace points ever appended (the cursor of the newest is `traceTotal - 1`).
        var traceTotal: UInt64 = 0
    }

    struct State: Sendable {
        var rigs: [RigState]
        var received: UInt64 = 0
        var liveClients = 0
    }

    /// Creates a hub for `profile`'s rigs reading `samples` (the stream every poller yields into).
    /// - Parameter consumer: Called with every sample before the hub keeps it (the station controller).
    public init(
        profile: LaneProfile, pollers: [LinkPoller], samples: AsyncStream<Sample>,
        consumer: (@Sendable (Sample) -> Void)? = nil
    ) {
        self.profile = profile
        self.pollers = pollers
        self.samples = samples
        self.consumer = consumer
        var rigs: [RigState] = []
        for lane in profile.lanes {
            for station in lane.stations {
                let map = station.rig.map
                var force: (Int, Int)?
                if let left = map.channelIndex("force_left"), let right = map.channelIndex("force_right") {
                    force = (left, right)
                }
                rigs.append(RigState(
                    configuration: station.rig, lane: lane.id, station: station.kind, forceChannels: force))
            }
        }
        var index: [RigID: Int] = [:]
        for (i, rig) in rigs.enumerated() { index[rig.configuration.id] = i }
        self.rigIndex = index
        self.state = Mutex(State(rigs: rigs))
    }

    /// Consumes samples until graceful shutdown or the stream ends.
    public func run() async throws {
        for await sample in samples.cancelOnGracefulShutdown() {
            consumer?(sample)
            ingest(sample)
        }
    }

    /// Takes one sample (``run()`` calls this; tests may too).
    public func ingest(_ sample: Sample) {
        guard let index = rigIndex[sample.rig] else { return }
        state.withLock { state in
            state.received += 1
            var rig = state.rigs[index]
            if sample.quality == .good || sample.quality == .outOfRange {
                rig.staleSince = nil
            } else if rig.staleSince == nil {
                rig.staleSince = sample.time
            }
            if let (left, right) = rig.forceChannels, sample.quality != .stale, sample.quality != .timedOut,
                left < sample.values.count, right < sample.values.count
            {
                if rig.trace.count >= Self.traceCapacity { rig.trace.removeFirst(rig.trace.count / 4) }
                rig.trace.append(TracePoint(
                    time: sample.time, left: sample.values[left], right: sample.values[right]))
                rig.traceTotal += 1
            }
            rig.latest = sample
            state.rigs[index] = rig
        }
    }

    /// Samples taken so far.
    public var samplesReceived: UInt64 { state.withLock { $0.received } }

    /// The latest sample of `rig`, if any.
    public func latest(_ rig: RigID) -> Sample? {
        guard let index = rigIndex[rig] else { return nil }
        return state.withLock { $0.rigs[index].latest }
    }

    /// Every rig's latest reading, quality and staleness, in profile order.
    public func rigSnapshots() -> [RigSnapshot] {
        state.withLock { state in
            state.rigs.map { rig in
                var staleFor: Double?
                if let since = rig.staleSince, let latest = rig.latest { staleFor = latest.time.since(since).seconds }
                return RigSnapshot(
                    rig: rig.configuration.id, lane: rig.lane, station: rig.station,
                    sequence: rig.latest?.sequence, time: rig.latest.map { $0.time.seconds },
                    quality: rig.latest?.quality, values: rig.latest?.values ?? [],
                    staleForSeconds: staleFor, deadlineMissed: rig.latest?.deadlineMissed ?? false)
            }
        }
    }

    /// Statistics of every link, in poller order.
    public func linkStatistics() -> [LinkStatistics] { pollers.map { $0.statistics() } }

    /// Brake trace points of `rig` appended after `cursor` (a count of points; 0 for all kept), and the new cursor.
    public func trace(of rig: RigID, after cursor: UInt64) -> (points: [TracePoint], cursor: UInt64) {
        guard let index = rigIndex[rig] else { return ([], cursor) }
        return state.withLock { state in
            let r = state.rigs[index]
            let available = UInt64(r.trace.count)
            let wanted = min(r.traceTotal &- min(cursor, r.traceTotal), available)
            return (Array(r.trace.suffix(Int(wanted))), r.traceTotal)
        }
    }

    /// Rigs with a force trace (brake testers).
    public var tracedRigs: [RigID] {
        state.withLock { $0.rigs.filter { $0.forceChannels != nil }.map(\.configuration.id) }
    }

    /// Sends `command` to the poller of its rig (written within one poll period).
    /// - Throws: `RigCommandError` from the poller, or ``UnknownRigError`` when no link carries the rig.
    public func submit(_ command: RigCommand) throws { try Self.submit(command, to: pollers) }

    /// Sends `command` to whichever of `pollers` carries its rig.
    public static func submit(_ command: RigCommand, to pollers: [LinkPoller]) throws {
        guard let poller = pollers.first(where: { $0.configuration.rigs.contains { $0.rig == command.rig } }) else {
            throw UnknownRigError(rig: command.rig, known: pollers.flatMap { $0.configuration.rigs.map(\.rig) })
        }
        try poller.submit(command)
    }

    /// Live feed clients connected now.
    public var liveClients: Int { state.withLock { $0.liveClients } }
    func clientConnected() { state.withLock { $0.liveClients += 1 } }
    func clientDisconnected() { state.withLock { $0.liveClients -= 1 } }
}

/// One point of a brake tester's force trace.
public struct TracePoint: Hashable, Sendable {
    /// When the sample was read.
    public var time: MonotonicInstant
    /// Left wheel brake force (daN).
    public var left: Double
    /// Right wheel brake force (daN).
    public var right: Double
}

/// A rig's latest state for the API.
public struct RigSnapshot: Hashable, Sendable, Codable {
    public var rig: RigID
    public var lane: LaneID
    public var station: StationKind
    /// Sequence of the latest sample (nil before the first).
    public var sequence: UInt64?
    /// Monotonic time of the latest sample in seconds.
    public var time: Double?
    public var quality: SampleQuality?
    /// Values in the order of the rig's channels (`GET /api/profile`).
    public var values: [Double]
    /// Seconds since the rig last read good, while it is stale or timing out; nil when good.
    public var staleForSeconds: Double?
    public var deadlineMissed: Bool
}

/// A rig id that no link of the station carries.
public struct UnknownRigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The id asked for.
    public var rig: RigID
    /// The rigs the station polls.
    public var known: [RigID]

    public var description: String {
        "no rig \(rig) in this station (rigs: \(known.map(\.rawValue).joined(separator: ", "))); "
            + "check the id against the profile / 本站没有机台 \(rig)，请对照配置文件检查编号"
    }
}
