/// A reading of the monotonic clock (`CLOCK_MONOTONIC`), in nanoseconds since an arbitrary origin.
///
/// Domain code never reads a clock: instants arrive with samples and commands, so any recorded
/// sequence can be replayed and gives the same result.
public struct MonotonicInstant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var nanoseconds: UInt64
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }

    /// The time from `earlier` to `self`; negative when `earlier` is later.
    public func since(_ earlier: MonotonicInstant) -> Duration {
        if nanoseconds >= earlier.nanoseconds {
            return .nanoseconds(Int64(nanoseconds - earlier.nanoseconds))
        }
        return .nanoseconds(-Int64(earlier.nanoseconds - nanoseconds))
    }

    public static func + (a: Self, d: Duration) -> Self {
        let ns = d.nanosecondsTotal
        return ns >= 0
            ? Self(nanoseconds: a.nanoseconds &+ UInt64(ns))
            : Self(nanoseconds: a.nanoseconds &- UInt64(-ns))
    }

    public var description: String { "\(nanoseconds)ns" }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating at `Int64` bounds).
    public var nanosecondsTotal: Int64 {
        let (s, atto) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        return ns &+ atto / 1_000_000_000
    }

    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
