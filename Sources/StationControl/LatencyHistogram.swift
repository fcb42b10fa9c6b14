public import LaneCore
import Synchronization

/// A histogram of latencies with fixed bucket bounds, for `/metrics` (a Prometheus `histogram`): recording
/// takes one lock for a few nanoseconds, so it may be called on the sample path.
public final class LatencyHistogram: Sendable {
    /// The histogram at one instant, in the shape Prometheus exposes.
    public struct Snapshot: Hashable, Sendable {
        /// Upper bounds of the buckets in seconds, ascending (the `+Inf` bucket is implied: it is ``count``).
        public var bounds: [Double]
        /// Observations at or below each bound (cumulative, as Prometheus' `le` buckets).
        public var cumulativeCounts: [UInt64]
        /// Every observation.
        public var count: UInt64
        /// The sum of every observation, in seconds.
        public var sum: Double
    }

    /// Bounds from 100 µs to 1 s: a verdict or a stop command should reach its destination within
    /// milliseconds; anything past 1 s lands in `+Inf` and is worth an alarm of its own.
    public static let defaultBounds: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    ]

    /// Upper bounds of the buckets in seconds, ascending.
    public let bounds: [Double]
    private let boundsNs: [UInt64]
    private let state: Mutex<(counts: [UInt64], count: UInt64, sumNs: UInt64)>

    /// A histogram with `bounds` (seconds, ascending, positive).
    public init(bounds: [Double] = LatencyHistogram.defaultBounds) {
        let sorted = bounds.filter { $0 > 0 && $0.isFinite }.sorted()
        self.bounds = sorted
        boundsNs = sorted.map { UInt64(($0 * 1e9).rounded()) }
        state = Mutex((counts: Array(repeating: 0, count: sorted.count), count: 0, sumNs: 0))
    }

    /// Records one latency; a negative one (the end before the start: two clocks mixed up) is not recorded.
    public func record(_ latency: Duration) {
        let ns = latency.nanosecondsTotal
        guard ns >= 0 else { return }
        record(nanoseconds: UInt64(ns))
    }

    /// Records the time from `start` to `end` (the same monotonic clock); nothing when `end` is before `start`.
    public func record(from start: MonotonicInstant, to end: MonotonicInstant) {
        guard end >= start else { return }
        record(nanoseconds: end.nanoseconds - start.nanoseconds)
    }

    private func record(nanoseconds ns: UInt64) {
        // The first bucket that holds it; buckets are stored per bucket and summed up in `snapshot()`.
        let index = boundsNs.firstIndex { ns <= $0 }
        state.withLock { s in
            if let index { s.counts[index] += 1 }
            s.count += 1
            s.sumNs &+= ns
        }
    }

    /// The counts and sum now.
    public func snapshot() -> Snapshot {
        let (counts, count, sumNs) = state.withLock { ($0.counts, $0.count, $0.sumNs) }
        var cumulative: [UInt64] = []
        cumulative.reserveCapacity(counts.count)
        var running: UInt64 = 0
        for c in counts {
            running += c
            cumulative.append(running)
        }
        return Snapshot(bounds: bounds, cumulativeCounts: cumulative, count: count, sum: Double(sumNs) / 1e9)
    }
}

/// The station controller's latency figures (exposed on `/metrics`, see docs/station-control.md). Times are on
/// the controller's monotonic clock, the pollers' clock, so a sample's time and "now" compare.
public struct StationLatencies: Sendable {
    /// From the last sample behind an item's verdict to the journal transaction holding the item committed.
    public let journalWrite = LatencyHistogram()
    /// From a sample after which a procedure stopped the rollers (a wheel slipping, the end of a brake run, a
    /// fault) to the stop command handed to the rig's link (its queue, written within one poll period).
    public let rollersStop = LatencyHistogram()

    public init() {}
}
