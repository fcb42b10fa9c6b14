public import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif
public import LaneCore

/// The journal's benchmark: our writers against a plain SQLite insert loop of the same rows, on the
/// same pragmas, schema and batch size, in the same run; and the ingest queue under the station's
/// full sample rate. Used by `lanectl bench journal`.
public enum JournalBenchmark {
    /// One throughput comparison.
    public struct Throughput: Sendable, Hashable, Codable {
        public var name: String
        public var rows: Int
        public var batch: Int
        public var ourSeconds: Double
        public var baselineSeconds: Double
        public var ourRowsPerSecond: Double { Double(rows) / ourSeconds }
        public var baselineRowsPerSecond: Double { Double(rows) / baselineSeconds }
        /// How many times slower we are than the baseline (1.0 = as fast).
        public var ratio: Double { ourSeconds / baselineSeconds }
    }

    /// The ingest queue under a paced load.
    public struct PacedIngest: Sendable, Hashable, Codable {
        public var rigs: Int
        public var hertz: Int
        public var channels: Int
        public var seconds: Double
        public var statistics: SampleWriter.Statistics
        /// Longest time one `offer` took on a producer thread, in microseconds.
        public var maxOfferMicroseconds: Double
    }

    /// `count` synthetic samples, round-robin over `rigs` rigs, `channels` values each.
    public static func makeSamples(count: Int, rigs: Int, channels: Int) -> [Sample] {
        var random = SplitMix64(seed: 42)
        let rigIDs = (0..<rigs).map { RigID("L\($0 / 3 + 1).rig\($0 % 3 + 1)") }
        return (0..<count).map { i in
            Sample(
                rig: rigIDs[i % rigs], sequence: UInt64(i / rigs),
                time: MonotonicInstant(nanoseconds: UInt64(i / rigs) * 10_000_000),
                values: (0..<channels).map { _ in Double(random.next() % 100_000) / 10 }, quality: .good)
        }
    }

    /// Samples through ``SampleWriter`` (queue, writer thread, batch hash, chain entry) against a plain
    /// loop inserting the same rows in transactions of the same size.
    public static func samples(directory: URL, count: Int, batch: Int, channels: Int, durability: JournalConfiguration.Durability)
        throws -> Throughput
    {
        let samples = makeSamples(count: count, rigs: 6, channels: channels)
        let configuration = JournalConfiguration(durability: durability)
        let ourPath = directory.appendingPathComponent("bench-writer.sqlite").path
        let basePath = directory.appendingPathComponent("bench-plain.sqlite").path
        let now = WallTime(milliseconds: 1_800_000_000_000)

        let baseline = try Journal(path: basePath, configuration: configuration, now: now)
        let baseStart = ContinuousClock.now
        var offset = 0
        var batchNumber: Int64 = 0
        while offset < samples.count {
            let slice = samples[offset..<min(offset + batch, samples.count)]
            batchNumber += 1
            let b = batchNumber
            try baseline.pool.write { db in
                // Same rows, same statement, same transaction size; no queue, no hashing, no chain entry.
                try db.execute(
                    sql: "INSERT INTO journal (seq, at_ms, kind, actor, payload, prev_hash, hash) VALUES (?, 0, 'x', 'x', '', '', ?)",
                    arguments: [b, String(b)])
                try SampleWriter.insert(slice.map(SampleRow.init), batch: b, db: db)
            }
            offset += batch
        }
        let baseSeconds = (ContinuousClock.now - baseStart).seconds
        try baseline.close()

        let journal = try Journal(path: ourPath, configuration: configuration, now: now)
        let writer = SampleWriter(
            journal: journal, configuration: .init(capacity: count + 1, maxBatch: batch, maxDelay: .milliseconds(50)),
            wallClock: { now })
        let ourStart = ContinuousClock.now
        writer.start()
        for sample in samples { writer.offer(sample) }
        writer.stop()
        let ourSeconds = (ContinuousClock.now - ourStart).seconds
        let stats = writer.statistics
        try journal.close()
        guard stats.written == count else {
            throw JournalError(.cannotOpen, "benchmark writer wrote \(stats.written) of \(count) samples (dropped \(stats.dropped))")
        }
        return Throughput(
            name: "samples (\(channels) channels)", rows: count, batch: batch, ourSeconds: ourSeconds,
            baselineSeconds: baseSeconds)
    }

    /// Hash-chained journal entries (payload encoding, SHA-256, insert) against a plain loop inserting
    /// rows of the same shape and size, in transactions of the same size.
    public static func entries(directory: URL, count: Int, batch: Int, durability: JournalConfiguration.Durability)
        throws -> Throughput
    {
        struct Payload: Codable { var rig: String, register: Int, value: Double, note: String }
        let configuration = JournalConfiguration(durability: durability)
        let now = WallTime(milliseconds: 1_800_000_000_000)
        let payloads = (0..<count).map { Payload(rig: "L1.brake", register: $0 % 40, value: Double($0) / 8, note: "rig fault cleared") }
        // The baseline inserts exactly the rows the journal will write (payload text and real chain
        // hashes computed before the clock starts), so the difference is our per-entry work:
        // payload encoding, hashing, chain bookkeeping.
        let encoder = makePayloadEncoder()
        var rows: [[DatabaseValue]] = []
        rows.reserveCapacity(count)
        var previous = JournalEntry.genesisHash
        for (i, payload) in payloads.enumerated() {
            let json = String(decoding: try encoder.encode(payload), as: UTF8.self)
            let seq = Int64(i + 1)
            let hash = JournalEntry.computeHash(
                sequence: seq, at: now, kind: .note, inspectionID: "I-1", actor: "L1.brake", payload: json, corrects: nil,
                previousHash: previous)
            rows.append([
                seq.databaseValue, now.milliseconds.databaseValue, "note".databaseValue, "I-1".databaseValue,
                "L1.brake".databaseValue, json.databaseValue, .null, previous.databaseValue, hash.databaseValue,
            ])
            previous = hash
        }

        let baseline = try Journal(
            path: directory.appendingPathComponent("bench-entries-plain.sqlite").path, configuration: configuration, now: now)
        let baseStart = ContinuousClock.now
        var offset = 0
        while offset < count {
            let range = offset..<min(offset + batch, count)
            try baseline.pool.write { db in
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO journal (seq, at_ms, kind, inspection_id, actor, payload, corrects, prev_hash, hash)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for i in range { try statement.execute(arguments: StatementArguments(rows[i])) }
            }
            offset += batch
        }
        let baseSeconds = (ContinuousClock.now - baseStart).seconds
        try baseline.close()

        let journal = try Journal(
            path: directory.appendingPathComponent("bench-entries-journal.sqlite").path, configuration: configuration, now: now)
        let ourStart = ContinuousClock.now
        offset = 0
        while offset < count {
            let range = offset..<min(offset + batch, count)
            try journal.write { tx in
                for i in range {
                    try tx.append(kind: .note, inspection: "I-1", actor: "L1.brake", at: now, payload: payloads[i])
                }
            }
            offset += batch
        }
        let ourSeconds = (ContinuousClock.now - ourStart).seconds
        try journal.close()
        return Throughput(name: "journal entries", rows: count, batch: batch, ourSeconds: ourSeconds, baselineSeconds: baseSeconds)
    }

    /// Producer threads offering samples on absolute 100 Hz deadlines (one per rig), the writer
    /// committing them; reports the queue's high-water mark, drops and producer waits.
    public static func pacedIngest(
        directory: URL, rigs: Int = 6, hertz: Int = 100, channels: Int = 12, seconds: Double,
        durability: JournalConfiguration.Durability
    ) throws -> PacedIngest {
        let journal = try Journal(
            path: directory.appendingPathComponent("bench-paced.sqlite").path,
            configuration: JournalConfiguration(durability: durability), now: WallTime(Date()))
        let writer = SampleWriter(journal: journal)
        writer.start()
        let period = 1_000_000_000 / hertz
        let ticks = Int(seconds * Double(hertz))
        let done = DispatchGroup()
        let maxOffer = NSLock()
        nonisolated(unsafe) var worstNs: Int64 = 0
        for r in 0..<rigs {
            done.enter()
            let rig = RigID("L\(r / 3 + 1).rig\(r % 3 + 1)")
            let thread = Thread {
                var deadline = timespec()
                clock_gettime(CLOCK_MONOTONIC, &deadline)
                var worst: Int64 = 0
                var values = [Double](repeating: 0, count: channels)
                for t in 0..<ticks {
                    deadline.tv_nsec += period
                    while deadline.tv_nsec >= 1_000_000_000 {
                        deadline.tv_nsec -= 1_000_000_000
                        deadline.tv_sec += 1
                    }
                    _ = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nil)
                    for c in 0..<channels { values[c] = Double((t * 7 + c * 13) % 5000) / 10 }
                    let now = UInt64(deadline.tv_sec) * 1_000_000_000 + UInt64(deadline.tv_nsec)
                    let sample = Sample(
                        rig: rig, sequence: UInt64(t), time: MonotonicInstant(nanoseconds: now), values: values,
                        quality: .good)
                    let start = ContinuousClock.now
                    writer.offer(sample)
                    let took = (ContinuousClock.now - start).nanosecondsTotal
                    if took > worst { worst = took }
                }
                maxOffer.lock()
                worstNs = max(worstNs, worst)
                maxOffer.unlock()
                done.leave()
            }
            thread.name = "bench.rig\(r)"
            thread.start()
        }
        done.wait()
        writer.stop()
        let stats = writer.statistics
        try journal.close()
        maxOffer.lock()
        let worst = worstNs
        maxOffer.unlock()
        return PacedIngest(
            rigs: rigs, hertz: hertz, channels: channels, seconds: seconds, statistics: stats,
            maxOfferMicroseconds: Double(worst) / 1000)
    }
}
