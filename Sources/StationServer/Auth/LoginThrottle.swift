/// Counts failed logins per key (an account, a client address) in a sliding window and says how long a key
/// must wait once it has failed too often. A value type: ``StationAuth`` keeps one behind a lock and passes
/// the time in, so tests drive it without waiting.
public struct LoginThrottle: Sendable {
    /// Failures allowed in ``window`` before the key is refused.
    public var limit: Int
    /// The sliding window.
    public var window: Duration
    /// Keys kept at most; past it, keys with no failure inside the window are dropped first.
    public var capacity = 50_000

    private var failures: [String: [Duration]] = [:]

    /// A throttle refusing a key after `limit` failures within `window` (default: 5 in 5 minutes).
    public init(limit: Int = 5, window: Duration = .seconds(300)) {
        precondition(limit >= 1, "a login throttle needs a limit of at least 1")
        self.limit = limit
        self.window = window
    }

    /// How long the first of `keys` that is refused must still wait at `now`, or nil when none is refused.
    public mutating func retryAfter(_ keys: [String], at now: Duration) -> Duration? {
        var wait: Duration?
        for key in keys {
            let recent = prune(key, at: now)
            guard recent.count >= limit else { continue }
            // The key is free again once enough of its failures have left the window.
            let until = recent[recent.count - limit] + window - now
            wait = max(wait ?? .zero, until)
        }
        return wait
    }

    /// Counts a failure against every key at `now`.
    public mutating func recordFailure(_ keys: [String], at now: Duration) {
        if failures.count >= capacity { compact(at: now) }
        for key in keys {
            var recent = prune(key, at: now)
            recent.append(now)
            failures[key] = recent
        }
    }

    /// Forgets a key's failures (after a successful login of that account).
    public mutating func reset(_ key: String) { failures[key] = nil }

    /// Failures of `key` still inside the window at `now`.
    public mutating func failureCount(_ key: String, at now: Duration) -> Int { prune(key, at: now).count }

    private mutating func prune(_ key: String, at now: Duration) -> [Duration] {
        guard var times = failures[key] else { return [] }
        times.removeAll { now - $0 >= window }
        failures[key] = times.isEmpty ? nil : times
        return times
    }

    private mutating func compact(at now: Duration) {
        failures = failures.compactMapValues { times in
            let kept = times.filter { now - $0 < window }
            return kept.isEmpty ? nil : kept
        }
    }
}
