import Foundation
import Journal
import LaneCore
import TestScheduling
import Testing

/// `lanectl journal …` as an operator runs it: exit statuses and the bundle on disk.
@Suite(.onOwnThread)
struct CommandTests {
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try CrashTests.lanectl()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(5)))
    func verifyExitsZeroIntactOneTamperedTwoUnreadableAndExportWritesACheckableBundle() throws {
        let day = try SmallDay()
        let path = day.folder.path()
        try day.journal.close()
        let intact = try run(["journal", "verify", path])
        #expect(intact.status == 0, "\(intact.output)")
        #expect(intact.output.contains("intact"))

        let bundlePath = day.folder.path("bundle.json")
        let export = try run(["journal", "export", path, "--inspection", "I3", "-o", bundlePath])
        #expect(export.status == 0, "\(export.output)")
        let bundle = try JSONDecoder().decode(EvidenceBundle.self, from: Data(contentsOf: URL(fileURLWithPath: bundlePath)))
        #expect(bundle.inspection == "I3")
        #expect(bundle.checkOffline().isEmpty)
        #expect(try run(["journal", "export", path, "--inspection", "nope"]).status != 0)

        try tamper(path, dropTriggers("journal") + "UPDATE journal SET actor = 'mallory' WHERE seq = 12")
        let tampered = try run(["journal", "verify", path])
        #expect(tampered.status == 1)
        #expect(tampered.output.contains("TAMPERED at entry 12"))

        #expect(try run(["journal", "verify", day.folder.path("missing.sqlite")]).status == 2)
    }

    @Test(.timeLimit(.minutes(5)))
    func benchmarkWritesEveryRowOnBothSides() throws {
        let folder = try TemporaryFolder()
        let samples = try JournalBenchmark.samples(directory: folder.url, count: 2_000, batch: 100, channels: 12, durability: .normal)
        #expect(samples.rows == 2_000 && samples.ourSeconds > 0 && samples.baselineSeconds > 0)
        let entries = try JournalBenchmark.entries(directory: folder.url, count: 1_000, batch: 100, durability: .normal)
        #expect(entries.rows == 1_000)
        let written = try Journal(readingAt: folder.path("bench-entries-journal.sqlite"))
        #expect(try written.head()?.sequence == 1_000)
        #expect(try written.verify().isIntact)
        let paced = try JournalBenchmark.pacedIngest(directory: folder.url, rigs: 2, hertz: 100, channels: 12, seconds: 0.5, durability: .normal)
        #expect(paced.statistics.offered == 100)
        #expect(paced.statistics.written + paced.statistics.dropped == 100)
    }
}
