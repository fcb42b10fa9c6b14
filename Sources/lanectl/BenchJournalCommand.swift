import ArgumentParser
import Foundation
import Journal

/// `lanectl bench journal`: journal writer against a plain SQLite insert loop, and the ingest queue at full rate.
struct BenchJournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Rows per second of the journal writers against a plain SQLite insert loop; queue depth at full rate.")

    @Option(help: "Samples for the throughput run.")
    var samples = 200_000

    @Option(help: "Journal entries for the throughput run.")
    var entries = 50_000

    @Option(help: "Rows per transaction, for both sides.")
    var batch = 100

    @Option(help: "Seconds of the paced full-rate run (2 lanes × 3 stations × 100 Hz × 12 channels).")
    var seconds = 10.0

    @Option(help: "synchronous setting: full (station default) or normal.")
    var durability = "full"

    @Option(help: "Folder for the benchmark's databases (default: a new temporary folder, removed after).")
    var directory: String?

    func run() throws {
        guard let mode = JournalConfiguration.Durability(rawValue: durability) else {
            throw ValidationError("--durability must be full or normal, got \(durability)")
        }
        let folder = directory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("lanectl-bench-journal-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(at: folder) } }
        print("journal benchmark: synchronous=\(mode.rawValue.uppercased()), WAL, \(batch) rows per transaction, folder \(folder.path)")
        let results = [
            try JournalBenchmark.samples(directory: folder, count: samples, batch: batch, channels: 12, durability: mode),
            try JournalBenchmark.entries(directory: folder, count: entries, batch: batch, durability: mode),
        ]
        print("")
        print("what".padding(toLength: 28, withPad: " ", startingAt: 0) + "     rows   ours rows/s   plain rows/s   ratio (ours/plain time)")
        for r in results {
            print(
                r.name.padding(toLength: 28, withPad: " ", startingAt: 0)
                    + String(format: " %8d  %12.0f   %12.0f   %.2fx %@", r.rows, r.ourRowsPerSecond, r.baselineRowsPerSecond,
                        r.ratio, r.ratio <= 1.5 ? "(within 1.5x target)" : "(OVER the 1.5x target)"))
        }
        print("")
        print("paced full-rate ingest: 6 rigs × 100 Hz × 12 channels for \(seconds) s …")
        let paced = try JournalBenchmark.pacedIngest(directory: folder, seconds: seconds, durability: mode)
        let s = paced.statistics
        print("  offered \(s.offered), written \(s.written), dropped \(s.dropped), batches \(s.batches), largest batch \(s.largestBatch)")
        print("  queue high-water mark \(s.highWaterMark) of 16384, producer lock waits \(s.producerLockWaits), "
            + String(format: "longest offer %.1f µs", paced.maxOfferMicroseconds) + ", write errors \(s.writeErrors)")
    }
}
