import CModbus
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Process-wide checks and the safety net for real-time (`SCHED_FIFO`) threads.
///
/// A `SCHED_FIFO` thread runs until it blocks or a higher real-time priority wants the core: one that loops
/// without blocking holds a core against every normal thread. LaneControl's real-time threads (poll threads,
/// simulated rigs' server threads) block in the kernel when idle (`clock_nanosleep`, `poll`) and set
/// `SCHED_RESET_ON_FORK` (see ``OSThread/requestRealTime(priority:)``). Two kernel mechanisms bound the damage
/// if one ever spins anyway (docs/modbus.md):
///
/// * **RT throttling** (``throttling``): by default real-time threads get at most 950 ms of every second on each
///   core (`/proc/sys/kernel/sched_rt_runtime_us` / `sched_rt_period_us`); normal threads keep the rest.
/// * **The runaway guard** (``installRunawayGuard(limit:)``): `RLIMIT_RTTIME` makes the kernel send `SIGXCPU` when a
///   real-time thread has run `limit` without a blocking call. Linux sends it to the process (any thread may take
///   it), so the handler puts every real-time thread of the process back under normal scheduling: the station
///   goes on polling, no longer ahead of the machine's other work, and ``demotions`` counts it.
public enum RealTime {
    /// Whether this process may run threads under `SCHED_FIFO` at `priority`: asks for it on a short-lived thread.
    /// - Returns: nil when allowed, else why not (`"Operation not permitted: …"`).
    public static func probe(priority: Int) -> String? {
        let result = Atomic<Int32>(0)
        let thread = OSThread(name: "rt-probe") { result.store(OSThread.requestRealTime(priority: priority), ordering: .relaxed) }
        thread.join()
        let rc = result.load(ordering: .relaxed)
        guard rc != 0 else { return nil }
        let text = String(cString: strerror(rc))
        return rc == EPERM ? "\(text): run as root or grant CAP_SYS_NICE (setcap cap_sys_nice+ep lanectl)" : text
    }

    /// Linux's limit on real-time threads' share of each core.
    public struct Throttling: Hashable, Sendable, CustomStringConvertible {
        /// Microseconds of each period real-time threads may use; nil when throttling is off (`-1`).
        public var runtimeMicroseconds: Int?
        /// The period in microseconds.
        public var periodMicroseconds: Int

        /// `"950000/1000000 µs (95 %)"` or `"off"`.
        public var description: String {
            guard let runtimeMicroseconds else { return "off (sched_rt_runtime_us = -1)" }
            let share = periodMicroseconds > 0 ? 100 * Double(runtimeMicroseconds) / Double(periodMicroseconds) : 0
            return "\(runtimeMicroseconds)/\(periodMicroseconds) µs (\(Int(share.rounded())) %)"
        }
    }

    /// The kernel's RT throttling, from `/proc/sys/kernel/sched_rt_{runtime,period}_us`; nil when unreadable.
    public static var throttling: Throttling? {
        guard let runtime = readInteger("/proc/sys/kernel/sched_rt_runtime_us"),
            let period = readInteger("/proc/sys/kernel/sched_rt_period_us")
        else { return nil }
        return Throttling(runtimeMicroseconds: runtime < 0 ? nil : runtime, periodMicroseconds: period)
    }

    /// Real-time threads put back under normal scheduling by the runaway guard since the process started.
    public static var demotions: Int { demotionCount.load(ordering: .relaxed) }

    /// Installs the runaway guard: a `SIGXCPU` handler that puts the thread receiving it under `SCHED_OTHER`, and
    /// `RLIMIT_RTTIME`'s soft limit at `limit` (its hard limit is left as it is). Call it once, before starting
    /// real-time threads; `lanectl demo` and `lanectl run` do when the profile asks for real-time priority.
    /// - Parameter limit: CPU time a real-time thread may use without a blocking system call (kernel tick
    ///   granularity). LaneControl's threads block every cycle (at most 10 ms of work at 100 Hz).
    /// - Returns: nil when installed, else why not.
    @discardableResult
    public static func installRunawayGuard(limit: Duration = .milliseconds(500)) -> String? {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            // Async-signal-safe: system calls and atomics only. The kernel sends SIGXCPU for RLIMIT_RTTIME to the
            // process, not to the thread that exceeded it, so every registered real-time thread is demoted.
            var parameters = sched_param()
            parameters.sched_priority = 0
            let count = min(registeredCount.load(ordering: .acquiring), registrySize)
            for slot in 0..<count {
                let tid = registry[slot].load(ordering: .relaxed)
                if tid > 0, sched_setscheduler(tid, SCHED_OTHER, &parameters) == 0 {
                    demotionCount.add(1, ordering: .relaxed)
                }
            }
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        guard sigaction(SIGXCPU, &action, nil) == 0 else { return "sigaction(SIGXCPU): \(String(cString: strerror(errno)))" }
        var current = rlimit()
        guard getrlimit(resourceRTTime, &current) == 0 else { return "getrlimit(RLIMIT_RTTIME): \(String(cString: strerror(errno)))" }
        var wanted = current
        wanted.rlim_cur = min(rlim_t(limit.clampedMicroseconds), current.rlim_max)
        guard setrlimit(resourceRTTime, &wanted) == 0 else { return "setrlimit(RLIMIT_RTTIME): \(String(cString: strerror(errno)))" }
        return nil
    }

    /// Lifts `RLIMIT_RTTIME`'s soft limit again (to the hard limit); the `SIGXCPU` handler stays.
    public static func removeRunawayGuard() {
        var current = rlimit()
        guard getrlimit(resourceRTTime, &current) == 0 else { return }
        current.rlim_cur = current.rlim_max
        _ = setrlimit(resourceRTTime, &current)
    }

    /// `RLIMIT_RTTIME`'s soft limit in microseconds; nil when unlimited.
    public static var runawayLimitMicroseconds: Int? {
        var current = rlimit()
        guard getrlimit(resourceRTTime, &current) == 0, current.rlim_cur != rlim_t.max else { return nil }
        return Int(current.rlim_cur)
    }

    /// Notes the calling thread as real-time, for the runaway guard (``OSThread/requestRealTime(priority:)``).
    static func registerCurrentThread() {
        let tid = gettid()
        let slot = registeredCount.add(1, ordering: .acquiringAndReleasing).newValue - 1
        guard slot < registrySize else { return }  // beyond the registry: left to RT throttling
        registry[slot].store(tid, ordering: .releasing)
    }

    /// Forgets the calling thread (it ends or leaves real-time scheduling): its id may be reused.
    static func unregisterCurrentThread() {
        let tid = gettid()
        let count = min(registeredCount.load(ordering: .acquiring), registrySize)
        for slot in 0..<count {
            _ = registry[slot].compareExchange(expected: tid, desired: 0, ordering: .relaxed)
        }
    }

    private static let resourceRTTime = __rlimit_resource_t(15)  // RLIMIT_RTTIME (<bits/resource.h>)

    private static func readInteger(_ path: String) -> Int? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = read(fd, &bytes, bytes.count)
        guard count > 0 else { return nil }
        return String(decoding: bytes[0..<count], as: UTF8.self).split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }
    }
}

private let demotionCount = Atomic<Int>(0)
/// Kernel thread ids of the process's real-time threads (0: free), read by the SIGXCPU handler.
private let registrySize = 512
// safe: the slots are atomics, allocated once and never freed.
nonisolated(unsafe) private let registry: UnsafeMutablePointer<Atomic<Int32>> = {
    let slots = UnsafeMutablePointer<Atomic<Int32>>.allocate(capacity: registrySize)
    for i in 0..<registrySize { (slots + i).initialize(to: Atomic<Int32>(0)) }
    return slots
}()
private let registeredCount = Atomic<Int>(0)
