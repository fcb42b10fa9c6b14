import Foundation
public import LaneCore
public import ServiceLifecycle
public import StationControl
import Synchronization

/// The station as the console and the lane boards see it: the controller's latest ``StationSnapshot`` (with a
/// version that changes whenever it is refreshed), its recent ``StationEvent``s numbered in publication order,
/// and the figures `/metrics` reports (inspections per hour).
///
/// ``run()`` reads the controller's event stream and refreshes the snapshot within ``refreshInterval`` of any
/// event (and every second, so waiting times count on). Both are encoded to JSON once, here; every `/live` client
/// reads them with its own cursor, so a slow client never makes the feed keep more than ``eventCapacity`` events.
public final class StationFeed: Service, Sendable {
    /// Events kept for clients that fall behind (older ones are dropped; such a client sees a gap in `seq`).
    public static let eventCapacity = 512
    /// Longest time between an event and the snapshot that shows it.
    public static let refreshInterval = Duration.milliseconds(50)

    /// One event as sent: its number, when this server published it, and its JSON.
    struct Published: Sendable {
        var seq: UInt64
        var json: String
    }

    struct State: Sendable {
        var snapshot: StationSnapshot?
        /// `{"type":"station","station":…}`, encoded once per refresh.
        var snapshotMessage: String?
        var version: UInt64 = 0
        var events: [Published] = []
        var eventTotal: UInt64 = 0
        var dirty = true
        /// When each inspection finished (monotonic), for inspections per hour.
        var finished: [MonotonicInstant] = []
        var finishedTotal: UInt64 = 0
        var verdicts: UInt64 = 0
    }

    /// The controller the feed reads.
    public let controller: StationController
    /// From the last sample behind an item to its `verdict` event published here, for every `/live` client
    /// (`/metrics`: `lane_pipeline_verdict_latency_seconds`).
    public let verdictLatency = LatencyHistogram()
    private let state = Mutex(State())
    /// Live feed clients to wake when an event is published.
    private let wakers = Mutex<(next: Int, all: [Int: AsyncStream<Void>.Continuation])>((0, [:]))
    let clock: @Sendable () -> MonotonicInstant

    /// A feed over `controller`'s events and snapshots.
    /// - Parameter clock: The monotonic clock that stamps events (the pollers' clock, so latencies compare).
    public init(controller: StationController, clock: @escaping @Sendable () -> MonotonicInstant = StationController.monotonicNow) {
        self.controller = controller
        self.clock = clock
    }

    /// Reads the controller's events and refreshes the snapshot until graceful shutdown or cancellation.
    public func run() async throws {
        let events = controller.events(bufferingNewest: 4_096)
        refresh()
        await cancelWhenGracefulShutdown { await self.follow(events) }
    }

    private func follow(_ events: AsyncStream<StationEvent>) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events { self.publish(event) }
            }
            group.addTask {
                var sinceFull = Duration.zero
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.refreshInterval)
                    sinceFull += Self.refreshInterval
                    if self.takeDirty() || sinceFull >= .seconds(1) {
                        sinceFull = .zero
                        self.refresh()
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Takes a new snapshot from the controller and publishes it (clients get it in their next frame).
    public func refresh() {
        let snapshot = controller.snapshot()
        let json = Self.encode(snapshot)
        state.withLock { s in
            s.snapshot = snapshot
            s.snapshotMessage = "{\"type\":\"station\",\"station\":\(json)}"
            s.version &+= 1
        }
    }

    private func takeDirty() -> Bool {
        state.withLock { s in
            defer { s.dirty = false }
            return s.dirty
        }
    }

    /// Appends an event with the next sequence number and the time it is published here (monotonic seconds).
    public func publish(_ event: StationEvent) {
        let now = clock()
        let json = Self.encode(event)
        state.withLock { s in
            s.eventTotal += 1
            s.dirty = true
            let line = "{\"seq\":\(s.eventTotal),\"published\":\(Double(now.nanoseconds) / 1e9),\"event\":\(json)}"
            if s.events.count >= Self.eventCapacity { s.events.removeFirst(s.events.count / 4) }
            s.events.append(Published(seq: s.eventTotal, json: line))
            switch event.type {
            case .inspectionFinished:
                s.finished.append(now)
                s.finishedTotal += 1
                let hourAgo = now.nanoseconds > 3_600_000_000_000 ? now.nanoseconds - 3_600_000_000_000 : 0
                s.finished.removeAll { $0.nanoseconds < hourAgo }
            case .verdict:
                s.verdicts += 1
            default:
                break
            }
        }
        // Published: a client's next frame carries it.
        if event.type == .verdict, let sampled = event.lastSampleTime { verdictLatency.record(from: sampled, to: now) }
        for waker in wakers.withLock({ Array($0.all.values) }) { waker.yield() }
    }

    /// Registers a continuation yielded whenever an event is published; returns the token for ``removeWaker(_:)``.
    func addWaker(_ waker: AsyncStream<Void>.Continuation) -> Int {
        wakers.withLock { w in
            w.next += 1
            w.all[w.next] = waker
            return w.next
        }
    }

    func removeWaker(_ token: Int) { _ = wakers.withLock { $0.all.removeValue(forKey: token) } }

    /// The latest snapshot, its `station` message and version (0 and nil before the first refresh).
    func current() -> (version: UInt64, message: String?, snapshot: StationSnapshot?) {
        state.withLock { ($0.version, $0.snapshotMessage, $0.snapshot) }
    }

    /// The latest snapshot (nil before the first refresh).
    public var snapshot: StationSnapshot? { state.withLock { $0.snapshot } }

    /// The `events` message with the events published after `cursor` (a count of events), or nil when there are
    /// none, and the new cursor.
    func eventsMessage(after cursor: UInt64) -> (message: String?, cursor: UInt64) {
        state.withLock { s in
            let wanted = min(s.eventTotal &- min(cursor, s.eventTotal), UInt64(s.events.count))
            guard wanted > 0 else { return (nil, s.eventTotal) }
            let lines = s.events.suffix(Int(wanted)).map(\.json).joined(separator: ",")
            return ("{\"type\":\"events\",\"events\":[\(lines)]}", s.eventTotal)
        }
    }

    /// The number of the newest event (a new client starts there: it gets the snapshot, not the history).
    public var eventCursor: UInt64 { state.withLock { $0.eventTotal } }

    /// Inspections finished within the last hour (by the feed's clock), since start, and verdicts since start.
    public func counts() -> (lastHour: Int, finished: UInt64, verdicts: UInt64) {
        let now = clock()
        return state.withLock { s in
            let hourAgo = now.nanoseconds > 3_600_000_000_000 ? now.nanoseconds - 3_600_000_000_000 : 0
            return (s.finished.filter { $0.nanoseconds >= hourAgo }.count, s.finishedTotal, s.verdicts)
        }
    }

    static func encode(_ value: some Encodable) -> String {
        // The controller's views hold strings, numbers, arrays and optionals: encoding does not fail.
        (try? String(decoding: StationJSON.encoder().encode(value), as: UTF8.self)) ?? "{}"
    }
}
