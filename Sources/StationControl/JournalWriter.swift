import Foundation
import Journal
import LaneCore
import Logging

/// The station's one serial journal writer: jobs are queued from any thread in microseconds (never from
/// the sample path's I/O) and written in order, in batches, on the writer's own thread.
///
/// A batch is one transaction. When a batch fails, its jobs are written one by one so one bad record does
/// not take the others with it; a job that still fails is retried (3 times, backing off) and then logged at
/// `error` with its label and counted, and `onFailure` raises an alarm on the console: nothing is dropped
/// silently.
final class JournalWriter: @unchecked Sendable {  // safe: every mutable field is guarded by `condition`
    /// What a job may remember between jobs: the journal sequence of each item entry, so a repeated
    /// station's items correct the earlier ones.
    struct Memory {
        var items: [String: Int64] = [:]
    }

    struct Job: Sendable {
        let label: String
        /// The monotonic time the job's latency counts from (the last sample behind an item), if any.
        var origin: MonotonicInstant? = nil
        let body: @Sendable (JournalTransaction, inout Memory) throws -> Void
    }

    let journal: Journal
    let logger: Logger
    let onFailure: @Sendable (_ label: String, _ error: any Error, _ final: Bool) -> Void
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var busy = false
    private var stopping = false
    private var stopped = false
    private var failures = 0
    private var written = 0
    private var memory = Memory()
    private var thread: Thread?
    /// Where a job with an origin records its latency once committed, and the clock it reads then.
    let latency: (histogram: LatencyHistogram, clock: @Sendable () -> MonotonicInstant)?

    init(journal: Journal, logger: Logger,
         latency: (histogram: LatencyHistogram, clock: @Sendable () -> MonotonicInstant)? = nil,
         onFailure: @escaping @Sendable (_ label: String, _ error: any Error, _ final: Bool) -> Void)
    {
        self.journal = journal
        self.logger = logger
        self.latency = latency
        self.onFailure = onFailure
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "station.journal"
        condition.lock()
        self.thread = thread
        condition.unlock()
        thread.start()
    }

    /// Queues a job (order is kept). After ``stop()`` the job is written on the caller's thread.
    /// - Parameter origin: When set, the time from `origin` to the job's commit is recorded in ``latency``.
    func enqueue(_ label: String, origin: MonotonicInstant? = nil,
                 _ body: @escaping @Sendable (JournalTransaction, inout Memory) throws -> Void)
    {
        let job = Job(label: label, origin: origin, body: body)
        condition.lock()
        if stopped {
            condition.unlock()
            writeAlone([job])
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Jobs waiting, and jobs that could not be written.
    var counts: (pending: Int, failures: Int, written: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (queue.count + (busy ? 1 : 0), failures, written)
    }

    /// Waits until every job queued so far is written (or `timeout` passes). True when drained.
    @discardableResult
    func flush(timeout: Duration = .seconds(30)) -> Bool {
        let deadline = Date().addingTimeInterval(timeout.seconds)
        condition.lock()
        defer { condition.unlock() }
        while !queue.isEmpty || busy {
            if !condition.wait(until: deadline) { return queue.isEmpty && !busy }
        }
        return true
    }

    /// Writes what is queued, then stops the thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped && thread != nil { condition.wait() }
        stopped = true
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = Array(queue.prefix(200))
            queue.removeFirst(batch.count)
            busy = true
            condition.unlock()

            write(batch)

            condition.lock()
            busy = false
            condition.broadcast()
            condition.unlock()
        }
    }

    private func write(_ batch: [Job]) {
        var scratch = memory
        do {
            try journal.write { tx in
                for job in batch { try job.body(tx, &scratch) }
            }
            memory = scratch
            count(written: batch.count)
            recordLatency(of: batch)
        } catch {
            // One transaction for the batch failed: find the job(s) at fault by writing them one by one.
            writeAlone(batch)
        }
    }

    private func writeAlone(_ jobs: [Job]) {
        for job in jobs {
            var attempt = 0
            while true {
                var scratch = memory
                do {
                    try journal.write { tx in try job.body(tx, &scratch) }
                    memory = scratch
                    count(written: 1)
                    recordLatency(of: [job])
                    break
                } catch {
                    attempt += 1
                    if attempt > 3 {
                        condition.lock()
                        failures += 1
                        condition.unlock()
                        logger.error(
                            "Journal write failed; entry not written",
                            metadata: ["journal.job": "\(job.label)", "error": "\(error)"])
                        onFailure(job.label, error, true)
                        break
                    }
                    onFailure(job.label, error, false)
                    Thread.sleep(forTimeInterval: 0.05 * Double(attempt * attempt))
                }
            }
        }
    }

    /// Committed: the jobs with an origin count their latency (origin → now).
    private func recordLatency(of jobs: [Job]) {
        guard let latency, jobs.contains(where: { $0.origin != nil }) else { return }
        let now = latency.clock()
        for job in jobs { if let origin = job.origin { latency.histogram.record(from: origin, to: now) } }
    }

    private func count(written n: Int) {
        condition.lock()
        written += n
        condition.unlock()
    }
}
