public import Foundation
import GRDB
public import LaneCore
public import Logging

/// The ingest path for raw samples: a bounded queue the poll threads offer samples to, and one
/// dedicated writer thread that commits them in batches, each batch chained by a
/// `samples.batch` journal entry holding the batch's SHA-256.
///
/// The producer never blocks on the database: ``offer(_:)`` takes a short lock, appends, and
/// returns. When the queue is full the sample is **dropped and counted** (per rig), and the writer
/// records a `samples.dropped` journal entry with the counts at its next batch: a poll thread that
/// must keep its 10 ms deadline is never made to wait for a disk, and no loss is silent. Size the
/// queue (``Configuration/capacity``) for the longest disk stall to ride out.
public final class SampleWriter: @unchecked Sendable {
    // @unchecked: `pending`, `stats`, `dropsToReport` and `stopping` are touched only under `lock`;
    // `thread` only by `start()` / `stop()`, which the owner calls once each from one place.

    /// Queue and batching settings.
    public struct Configuration: Sendable, Hashable {
        /// Samples the queue holds before it drops (the default rides out ~30 s at the full station rate).
        public var capacity: Int = 16_384
        /// Samples per transaction at most.
        public var maxBatch: Int = 1_000
        /// Longest time a sample waits in the queue before its batch commits.
        public var maxDelay: Duration = .milliseconds(200)
        /// The actor written on batch entries.
        public var actor: String = "ingest"

        public init(capacity: Int = 16_384, maxBatch: Int = 1_000, maxDelay: Duration = .milliseconds(200)) {
            self.capacity = capacity
            self.maxBatch = maxBatch
            self.maxDelay = maxDelay
        }
    }

    /// Counters of the queue and the writer (a snapshot).
    public struct Statistics: Sendable, Hashable, Codable {
        /// Samples offered by producers.
        public var offered = 0
        /// Samples refused because the queue was full (each also in a `samples.dropped` entry).
        public var dropped = 0
        /// Samples committed to the database.
        public var written = 0
        /// Transactions committed.
        public var batches = 0
        /// Largest number of samples ever waiting in the queue.
        public var highWaterMark = 0
        /// Largest batch committed.
        public var largestBatch = 0
        /// Offers that found the queue's lock held by the writer or another producer and waited for it
        /// (the only wait a producer can have; it never waits for the database).
        public var producerLockWaits = 0
        /// Transactions that failed (their samples are counted in `lostOnError`).
        public var writeErrors = 0
        public var lostOnError = 0
    }

    private let journal: Journal
    private let configuration: Configuration
    private let wallClock: @Sendable () -> WallTime
    private let logger: Logger
    private let lock = NSLock()
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var pending: [Sample] = []
    private var stats = Statistics()
    private var dropsToReport: [String: Int] = [:]
    private var stopping = false
    private var thread: Thread?

    /// - Parameters:
    ///   - journal: The journal to write to.
    ///   - configuration: Queue size and batching.
    ///   - wallClock: Time written on batch entries (the writer is the one place that reads a clock).
    public init(
        journal: Journal, configuration: Configuration = .init(), logger: Logger = Logger(label: "journal.ingest"),
        wallClock: @escaping @Sendable () -> WallTime = { WallTime(Date()) }
    ) {
        self.journal = journal
        self.configuration = configuration
        self.wallClock = wallClock
        self.logger = logger
        pending.reserveCapacity(configuration.capacity)
    }

    /// Starts the writer thread.
    public func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "journal.ingest"
        self.thread = thread
        thread.start()
    }

    /// Offers a sample. Returns false when the queue was full and the sample was dropped (and counted).
    /// Never waits for the database.
    @discardableResult
    public func offer(_ sample: Sample) -> Bool {
        if !lock.try() {
            lock.lock()
            stats.producerLockWaits += 1
        }
        stats.offered += 1
        guard pending.count < configuration.capacity, !stopping else {
            stats.dropped += 1
            dropsToReport[sample.rig.rawValue, default: 0] += 1
            lock.unlock()
            return false
        }
        pending.append(sample)
        let depth = pending.count
        if depth > stats.highWaterMark { stats.highWaterMark = depth }
        lock.unlock()
        if depth == configuration.maxBatch { wakeup.signal() }
        return true
    }

    /// Current queue depth.
    public var depth: Int {
        lock.lock()
        defer { lock.unlock() }
        return pending.count
    }

    /// A snapshot of the counters.
    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return stats
    }

    /// Stops accepting samples, writes what is queued, and joins the writer thread.
    public func stop() {
        lock.lock()
        let wasRunning = thread != nil && !stopping
        stopping = true
        lock.unlock()
        guard wasRunning else { return }
        wakeup.signal()
        finished.wait()
    }

    private func run() {
        var taken: [Sample] = []
        taken.reserveCapacity(configuration.capacity)
        while true {
            _ = wakeup.wait(timeout: .now() + .nanoseconds(Int(configuration.maxDelay.nanosecondsTotal)))
            // Take the whole queue in O(1) (swap), then commit it in transactions of at most maxBatch:
            // producers refill an empty queue meanwhile, so the writer never holds the lock while writing.
            lock.lock()
            swap(&taken, &pending)
            let drops = dropsToReport
            dropsToReport = [:]
            let done = stopping
            lock.unlock()
            var start = 0
            repeat {
                let end = min(start + configuration.maxBatch, taken.count)
                commit(Array(taken[start..<end]), drops: start == 0 ? drops : [:])
                start = end
            } while start < taken.count
            taken.removeAll(keepingCapacity: true)
            if done {
                lock.lock()
                let empty = pending.isEmpty
                lock.unlock()
                if empty {
                    finished.signal()
                    return
                }
            }
        }
    }

    private func commit(_ batch: [Sample], drops: [String: Int]) {
        guard !batch.isEmpty || !drops.isEmpty else { return }
        let rows = batch.map(SampleRow.init)
        var rigs: [String: [Int64]] = [:]
        for row in rows {
            if let range = rigs[row.rig] {
                rigs[row.rig] = [min(range[0], row.sequence), max(range[1], row.sequence)]
            } else {
                rigs[row.rig] = [row.sequence, row.sequence]
            }
        }
        let payload = SampleBatchPayload(count: rows.count, sha256: SampleRow.digest(rows), rigs: rigs)
        let at = wallClock()
        do {
            try journal.write { tx in
                if !drops.isEmpty {
                    try tx.append(
                        kind: .samplesDropped, inspection: nil, actor: configuration.actor, at: at,
                        payload: ["dropped_by_rig": drops])
                }
                guard !rows.isEmpty else { return }
                let entry = try tx.append(
                    kind: .samplesBatch, inspection: nil, actor: configuration.actor, at: at, payload: payload)
                try SampleWriter.insert(rows, batch: entry.sequence, db: tx.db)
            }
            lock.lock()
            stats.written += rows.count
            stats.batches += 1
            stats.largestBatch = max(stats.largestBatch, rows.count)
            lock.unlock()
        } catch {
            lock.lock()
            stats.writeErrors += 1
            stats.lostOnError += rows.count
            lock.unlock()
            logger.error(
                "Sample batch could not be written", metadata: ["samples": "\(rows.count)", "error": "\(error)"])
        }
    }

    static func insert(_ rows: [SampleRow], batch: Int64, db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO samples (batch_seq, rig, sequence, mono_ns, quality, deadline_missed, channel_values)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        for row in rows {
            try statement.execute(arguments: [
                batch, row.rig, row.sequence, row.monotonicNs, row.quality, row.deadlineMissed, Data(row.channelValues),
            ])
        }
    }
}

extension Journal {
    /// Samples of a rig between two monotonic instants (inclusive), in time order.
    public func samples(rig: RigID, from start: MonotonicInstant, through end: MonotonicInstant) throws -> [Sample] {
        try read { db in
            try SampleRow.fetchAll(
                db, sql: "SELECT * FROM samples WHERE rig = ? AND mono_ns BETWEEN ? AND ? ORDER BY mono_ns, id",
                arguments: [rig.rawValue, Int64(bitPattern: start.nanoseconds), Int64(bitPattern: end.nanoseconds)]
            ).map(\.sample)
        }
    }
}
