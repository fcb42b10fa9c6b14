import LaneCore
import Rigs
import Synchronization

/// What one `/live` client has been sent so far, and the next messages it needs.
///
/// The server builds a `samples` message every ``LiveFeed/frameInterval`` (20 Hz) holding the latest sample
/// of each rig that has a new one and the brake trace points added since the last message; and a `health`
/// message every ``LiveFeed/healthEvery`` frames. A slow client never makes the hub buffer: it only ever sees
/// the latest sample and at most the kept trace.
struct LiveFeed {
    /// Time between `samples` messages.
    static let frameInterval = Duration.milliseconds(50)
    /// One `health` message every this many frames (1 s).
    static let healthEvery = 20

    let hub: LiveHub
    /// The station's lanes, queue, drivers and events (nil: a server without a controller sends rigs only).
    let station: StationFeed?
    private var sentSequence: [RigID: UInt64] = [:]
    private var traceCursor: [RigID: UInt64] = [:]
    /// When the last `health` message went out (events wake the feed between frames: health stays at 1 Hz).
    private var lastHealth: ContinuousClock.Instant?
    private var stationVersion: UInt64 = 0
    private var eventCursor: UInt64

    init(hub: LiveHub, station: StationFeed? = nil) {
        self.hub = hub
        self.station = station
        // A new client gets the current view, not the event history.
        eventCursor = station?.eventCursor ?? 0
    }

    /// Sends the due messages through `write` every ``frameInterval``, and at once when the station publishes an
    /// event (so an event does not wait for the next frame), until the task is cancelled.
    mutating func frames(_ write: (String) async throws -> Void) async throws {
        let (wake, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let token = station?.addWaker(waker)
        defer { if let token { station?.removeWaker(token) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    waker.yield()
                    try await Task.sleep(for: Self.frameInterval)
                }
            }
            for await _ in wake {
                for message in nextMessages() { try await write(message) }
            }
            group.cancelAll()
        }
    }

    /// The first message: the profile.
    func hello() -> String {
        LiveJSON.encode(LiveMessage(type: "hello", profile: ProfileView(hub.profile)))
    }

    /// The messages due this frame (none when nothing changed and no health is due).
    mutating func nextMessages() -> [String] {
        var messages: [String] = []
        if let station {
            let (version, message, _) = station.current()
            if version != stationVersion, let message {
                stationVersion = version
                messages.append(message)
            }
            let (events, cursor) = station.eventsMessage(after: eventCursor)
            eventCursor = cursor
            if let events { messages.append(events) }
        }
        let snapshots = hub.rigSnapshots()
        var samples: [LiveMessage.RigSample] = []
        for snapshot in snapshots {
            guard let seq = snapshot.sequence, let t = snapshot.time, let quality = snapshot.quality else { continue }
            if sentSequence[snapshot.rig] == seq { continue }
            sentSequence[snapshot.rig] = seq
            samples.append(.init(rig: snapshot.rig, seq: seq, t: t, quality: quality, values: snapshot.values))
        }
        var traces: [LiveMessage.Trace] = []
        for rig in hub.tracedRigs {
            let (points, cursor) = hub.trace(of: rig, after: traceCursor[rig] ?? 0)
            traceCursor[rig] = cursor
            if !points.isEmpty {
                traces.append(.init(rig: rig, points: points.map { [$0.time.seconds, $0.left, $0.right] }))
            }
        }
        if !samples.isEmpty || !traces.isEmpty {
            messages.append(LiveJSON.encode(LiveMessage(type: "samples", samples: samples, traces: traces)))
        }
        let now = ContinuousClock.now
        if lastHealth.map({ now - $0 >= LiveFeed.frameInterval * Self.healthEvery }) ?? true {
            lastHealth = now
            messages.append(Self.sharedHealth(of: hub) { health(snapshots) })
        }
        return messages
    }

    /// One `health` message per hub per half second, shared by every client: the poll statistics' quantiles
    /// cost a walk over each link's histograms, which must not be paid once per connected console. While one
    /// client builds the new message, the others send the previous one.
    static func sharedHealth(of hub: LiveHub, _ make: () -> String) -> String {
        let now = ContinuousClock.now
        let key = ObjectIdentifier(hub)
        let stale: String? = healthCache.withLock { cache in
            guard let entry = cache[key] else {
                cache[key] = HealthEntry(at: now, message: nil, building: true)
                return nil
            }
            if let message = entry.message, entry.building || now - entry.at < .milliseconds(500) { return message }
            cache[key]?.building = true
            return nil
        }
        if let stale { return stale }
        let message = make()
        healthCache.withLock { cache in
            cache = cache.filter { now - $0.value.at < .seconds(10) }
            cache[key] = HealthEntry(at: now, message: message, building: false)
        }
        return message
    }

    struct HealthEntry {
        var at: ContinuousClock.Instant
        var message: String?
        var building: Bool
    }

    private static let healthCache = Mutex<[ObjectIdentifier: HealthEntry]>([:])

    func health(_ snapshots: [RigSnapshot]) -> String {
        let links = hub.linkStatistics()
        let rigs = snapshots.map { snapshot in
            let link = links.first { $0.rigs.contains { $0.rig == snapshot.rig } }
            let counters = link?.rigs.first { $0.rig == snapshot.rig }
            return LiveMessage.RigHealth(
                rig: snapshot.rig, quality: snapshot.quality, staleForSeconds: snapshot.staleForSeconds,
                online: counters?.online ?? false, timeouts: counters?.timeouts ?? 0, failures: counters?.failures ?? 0,
                polls: counters?.polls ?? 0, link: link?.name)
        }
        return LiveJSON.encode(LiveMessage(type: "health", rigs: rigs, links: links.map(LinkStatisticsView.init)))
    }
}

extension MonotonicInstant {
    /// Seconds since the monotonic clock's origin (for JSON; compare only with other such times).
    var seconds: Double { Double(nanoseconds) / 1e9 }
}
