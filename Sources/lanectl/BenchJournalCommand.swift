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

    @Option(help: "Alternating rounds of each comparison (medians are reported).")
    var rounds = 3

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
        // Alternate rounds so a disk hiccup (the machine is shared) hits both sides alike; report medians.
        var sampleRuns: [JournalBenchmark.Throughput] = []
        var entryRuns: [JournalBenchmark.Throughput] = []
        for round in 0..<rounds {
            let roundFolder = folder.appendingPathComponent("round\(round)")
            try FileManager.default.createDirectory(at: roundFolder, withIntermediateDirectories: true)
            sampleRuns.append(
                try JournalBenchmark.samples(directory: roundFolder, count: samples, batch: batch, channels: 12, durability: mode))
            entryRuns.append(try JournalBenchmark.entries(directory: roundFolder, count: entries, batch: batch, durability: mode))
        }
        print("")
        print("what".padding(toLength: 24, withPad: " ", startingAt: 0)
            + "     rows   ours rows/s   plain rows/s   ratio (ours/plain time, median of \(rounds); per round)")
        for runs in [sampleRuns, entryRuns] {
            func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
            var r = runs[0]
            r.ourSeconds = median(runs.map(\.ourSeconds))
            r.baselineSeconds = median(runs.map(\.baselineSeconds))
            let perRound = runs.map { String(format: "%.2f", $0.ratio) }.joined(separator: " ")
            print(
                r.name.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(format: " %8d  %12.0f   %12.0f   %.2fx ", r.rows, r.ourRowsPerSecond, r.baselineRowsPerSecond, r.ratio)
                    + (r.ratio <= 1.5 ? "(within 1.5x target)" : "(OVER the 1.5x target)") + "; rounds: \(perRound)")
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
