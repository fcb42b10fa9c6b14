import CModbus

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dedicated operating-system thread that can be joined.
///
/// libmodbus blocks, so every link and every server owns one of these instead of borrowing a thread
/// from Swift's cooperative pool (there are two cores; one blocked pool thread is half the machine).
public final class OSThread: @unchecked Sendable {  // safe: `handle` is written once before `start` returns
    private var handle: pthread_t?
    private let name: String

    /// Starts a thread that runs `body` once.
    /// - Parameters:
    ///   - name: The thread's name, for diagnostics; the kernel keeps its first 15 bytes, which `ps -L`, `top -H`
    ///     and `/proc/PID/task/TID/comm` show.
    ///   - body: The work; the thread ends when it returns.
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        let box = Unmanaged.passRetained(ThreadBody(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
                OSThread.setCurrentName(body.name)
                body.body()
                RealTime.unregisterCurrentThread()
                return nil
            }, box)
        precondition(rc == 0, "pthread_create failed for thread \(name): \(String(cString: strerror(rc)))")
        handle = thread
    }

    /// Names the calling thread (first 15 bytes of `name`, cut at a character boundary).
    public static func setCurrentName(_ name: String) {
        var cut = name.startIndex
        while cut < name.endIndex {
            let next = name.index(after: cut)
            if name.utf8.distance(from: name.startIndex, to: next) > 15 { break }
            cut = next
        }
        _ = pthread_setname_np(pthread_self(), String(name[..<cut]))
    }

    /// The kernel's `SCHED_RESET_ON_FORK` flag (`<linux/sched.h>`): threads and processes this thread creates
    /// start under normal scheduling instead of inheriting its real-time policy.
    static let resetOnFork: Int32 = 0x4000_0000

    /// Asks for `SCHED_FIFO` at `priority` (1–99) for the calling thread.
    ///
    /// The policy is set with `SCHED_RESET_ON_FORK`: a thread this one creates (a Swift concurrency or
    /// libdispatch worker started when this thread resumes a continuation, a Foundation thread) starts under
    /// normal scheduling. Without it such a worker inherits `SCHED_FIFO` and then runs every task of the
    /// cooperative pool at real-time priority, starving the machine's normal threads (docs/modbus.md).
    /// - Returns: 0 when granted, else the error number (`EPERM` without root or `CAP_SYS_NICE`).
    @discardableResult
    public static func requestRealTime(priority: Int) -> Int32 {
        var parameters = sched_param()
        parameters.sched_priority = Int32(priority)
        // On Linux, pid 0 is the calling thread.
        guard sched_setscheduler(0, SCHED_FIFO | resetOnFork, &parameters) == 0 else { return errno }
        RealTime.registerCurrentThread()
        return 0
    }

    /// Puts the calling thread back under normal scheduling (`SCHED_OTHER`). Always allowed.
    @discardableResult
    public static func dropRealTime() -> Int32 {
        var parameters = sched_param()
        parameters.sched_priority = 0
        RealTime.unregisterCurrentThread()
        return sched_setscheduler(0, SCHED_OTHER, &parameters) == 0 ? 0 : errno
    }

    /// The calling thread's scheduling: whether it runs under a real-time policy, at which priority, and
    /// whether the threads it creates start under normal scheduling (`SCHED_RESET_ON_FORK`).
    public static var currentScheduling: Scheduling {
        let raw = sched_getscheduler(0)
        var parameters = sched_param()
        _ = sched_getparam(0, &parameters)
        let policy = raw & ~resetOnFork
        return Scheduling(
            realTime: policy == SCHED_FIFO || policy == SCHED_RR, priority: Int(parameters.sched_priority),
            resetsOnFork: raw >= 0 && raw & resetOnFork != 0)
    }

    /// A thread's scheduling policy as the kernel reports it.
    public struct Scheduling: Hashable, Sendable {
        /// True under `SCHED_FIFO` or `SCHED_RR`.
        public var realTime: Bool
        /// The real-time priority (0 under normal scheduling).
        public var priority: Int
        /// True when threads created by this one start under normal scheduling.
        public var resetsOnFork: Bool
    }

    /// CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`).
    public static var currentCPUTime: Duration {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
    }

    /// CPU time this thread has used so far (its `pthread_getcpuclockid` clock); nil once joined. Do not call it
    /// while another thread joins this one.
    ///
    /// Tests use it to catch a loop that spins: a thread that blocks in the kernel while idle uses a small
    /// fraction of the wall time that passes.
    public var cpuTime: Duration? {
        guard let thread = handle else { return nil }
        var clock = clockid_t()
        guard pthread_getcpuclockid(thread, &clock) == 0 else { return nil }
        var ts = timespec()
        guard clock_gettime(clock, &ts) == 0 else { return nil }
        return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
    }

    /// Waits until the thread's body has returned. Call once.
    public func join() {
        guard let thread = handle else { return }
        handle = nil
        pthread_join(thread, nil)
    }
}

private final class ThreadBody {
    let name: String
    let body: @Sendable () -> Void
    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}

/// Reads `CLOCK_MONOTONIC` in nanoseconds.
@inline(__always)
package func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

extension Duration {
    /// The duration as whole microseconds, clamped to be non-negative.
    var clampedMicroseconds: UInt64 {
        let (s, atto) = components
        if s < 0 { return 0 }
        return UInt64(s) * 1_000_000 + UInt64(atto / 1_000_000_000_000)
    }
}
