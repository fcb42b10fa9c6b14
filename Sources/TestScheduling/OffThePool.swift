import Foundation
public import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A test trait that runs each test case on a thread of its own, at a lower CPU priority, instead of on Swift's
/// cooperative thread pool.
///
/// Swift Testing runs test bodies on the cooperative pool, which has one thread per core (two on CI). A synchronous
/// test that computes for seconds — a property test, a simulated inspection, a long dispatch run — holds a pool
/// thread all that time, and two of them hold the whole pool: every asynchronous test then waits. The suite's
/// socket and timing tests are the ones that suffer: a served lane's pollers keep polling on their own threads
/// while the tasks that consume the samples and drive the procedure do not run, so prompts and commands go out
/// late, rollers "never reach speed", and live-feed clients miss their deadlines. Measured before this trait: a
/// full `swift test` on two cores spent its first 45–190 s with only CPU-bound tests running.
///
/// With `.offThePool` on a suite (or a test), its cases run on their own threads at nice 19, at most one per core
/// at a time (``slots``): they still take every idle cycle, but the kernel runs the timing-sensitive threads first
/// (a nice-19 thread weighs 15 against a normal thread's 1024). Issues recorded inside are attributed to the
/// test as usual (the case runs in its own task, with its task-locals, on the executor).
public struct OffThePool: SuiteTrait, TestTrait, TestScoping {
    /// The niceness of the threads the cases run on (0 is normal; 19 the lowest priority).
    public var niceness: Int32
    /// Whether the cases wait for one of the ``slots`` (CPU-bound work) or start at once (blocking waits).
    public var limited: Bool

    public var isRecursive: Bool { true }

    /// How many cases run at once across the process: one per core, as the cooperative pool itself would.
    static let slots = RunSlots(max(1, ProcessInfo.processInfo.activeProcessorCount))

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Suites themselves are scoped too: only the cases move.
        guard testCase != nil else { return try await function() }
        if limited { await Self.slots.acquire() }
        defer { if limited { Task { await Self.slots.release() } } }
        let executor = DedicatedThreadExecutor(name: "test \(test.name)", niceness: niceness)
        defer { executor.shutdown() }
        try await withTaskExecutorPreference(executor) { try await function() }
    }
}

extension Trait where Self == OffThePool {
    /// Runs each case on a dedicated thread at nice 19 (see ``OffThePool``).
    public static var offThePool: Self { OffThePool(niceness: 19, limited: true) }

    /// Runs each case on a dedicated thread at normal priority, at once: for tests that block on something other
    /// than the CPU (a child process, a file sync), which would otherwise hold a pool thread while they wait.
    public static var onOwnThread: Self { OffThePool(niceness: 0, limited: false) }
}

/// A task executor backed by one thread it owns: jobs run in the order they were enqueued, until ``shutdown()``
/// (jobs enqueued before it still run).
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private var finished = false

    /// Starts the thread (8 MB of stack, as the main thread has: debug builds recurse deeply).
    public init(name: String, niceness: Int32) {
        let thread = Thread { [self] in
            // On Linux a nice value is per thread: `who` 0 is the calling thread.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            drain()
        }
        thread.name = String(name.prefix(15))
        thread.stackSize = 8 << 20
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        defer { condition.unlock() }
        guard !finished else {
            // A task that outlived its test (an unstructured `Task` inherits the preference): run it elsewhere
            // rather than never.
            DispatchQueue.global().async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
            return
        }
        jobs.append(job)
        condition.signal()
    }

    /// Lets the thread end once the jobs already enqueued have run.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func drain() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                finished = true
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// At most `count` holders at a time; the others wait in turn.
public actor RunSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(_ count: Int) { free = count }

    public func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    public func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
