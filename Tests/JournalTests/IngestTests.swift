import Foundation
import GRDB
import Journal
import LaneCore
import Testing

struct IngestTests {
    func sample(_ rig: String, _ n: UInt64) -> Sample {
        Sample(
            rig: RigID(rig), sequence: n, time: MonotonicInstant(nanoseconds: 1_000_000_000 + n * 10_000_000),
            values: (0..<12).map { Double(n) + Double($0) / 8 }, quality: n % 7 == 0 ? .stale : .good,
            deadlineMissed: n % 11 == 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func writerCommitsEverySampleInBatchesChainedAndReadable() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        let writer = SampleWriter(
            journal: journal, configuration: .init(capacity: 10_000, maxBatch: 250, maxDelay: .milliseconds(20)),
            wallClock: { t0 })
        writer.start()
        var offered: [Sample] = []
        for n in 0..<1_000 {
            for rig in ["L1.brake", "L2.brake"] {
                let s = sample(rig, UInt64(n))
                offered.append(s)
                #expect(writer.offer(s))
            }
        }
        writer.stop()
        let stats = writer.statistics
        #expect(stats.written == 2_000)
        #expect(stats.dropped == 0)
        #expect(stats.largestBatch <= 250)
        #expect(stats.batches >= 8)
        let back = try journal.samples(
            rig: "L1.brake", from: MonotonicInstant(nanoseconds: 0), through: MonotonicInstant(nanoseconds: .max / 2))
        #expect(back == offered.filter { $0.rig == "L1.brake" })
        let report = try journal.verify()
        #expect(report.isIntact, "\(report.problems)")
        #expect(report.rows == 2_000)
    }

    @Test func fullQueueDropsAndCountsNeverBlocksAndJournalsTheLoss() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        let writer = SampleWriter(journal: journal, configuration: .init(capacity: 100, maxBatch: 50), wallClock: { t0 })
        // Not started yet: nothing drains, so the queue fills.
        var accepted = 0
        for n in 0..<130 where writer.offer(sample("L1.brake", UInt64(n))) { accepted += 1 }
        #expect(accepted == 100)
        #expect(writer.statistics.dropped == 30)
        #expect(writer.statistics.highWaterMark == 100)
        writer.start()
        writer.stop()
        #expect(writer.statistics.written == 100)
        let dropped = try journal.entries().filter { $0.kind == .samplesDropped }
        #expect(dropped.count == 1)
        #expect(dropped.first?.payload == #"{"dropped_by_rig":{"L1.brake":30}}"#)
        #expect(try journal.verify().isIntact)
    }

    @Test func changedOrDeletedSampleIsCaught() throws {
        let folder = try TemporaryFolder()
        let path = folder.path()
        let journal = try Journal(path: path, now: t0)
        let writer = SampleWriter(journal: journal, configuration: .init(maxBatch: 10), wallClock: { t0 })
        for n in 0..<30 { writer.offer(sample("L1.brake", UInt64(n))) }
        writer.start()
        writer.stop()
        try journal.close()
        #expect(try Journal.verify(path: path).isIntact)
        try tamper(path, dropTriggers("samples") + "UPDATE samples SET quality = 'good' WHERE sequence = 14")
        let changed = try Journal.verify(path: path)
        #expect(changed.firstProblem?.kind == .rowChanged)
        #expect(changed.firstProblem?.sequence == 2)  // batch 2 holds samples 10…19
        try tamper(path, "DELETE FROM samples WHERE sequence = 25")
        let removed = try Journal.verify(path: path)
        #expect(removed.problems.contains { $0.sequence == 3 && $0.kind == .rowRemoved })
    }

    @Test(.timeLimit(.minutes(5)))
    func manyProducersConcurrentWithEventWritesKeepTheChainIntact() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        let writer = SampleWriter(journal: journal, configuration: .init(maxBatch: 64, maxDelay: .milliseconds(5)), wallClock: { t0 })
        writer.start()
        let group = DispatchGroup()
        for r in 0..<6 {
            group.enter()
            Thread {
                for n in 0..<500 { writer.offer(self.sample("rig\(r)", UInt64(n))) }
                group.leave()
            }.start()
        }
        try openInspection(journal, "I1")
        for k in 0..<50 { try judge(journal, "I1", "item\(k)", .pass) }
        group.wait()
        writer.stop()
        #expect(writer.statistics.written + writer.statistics.dropped == 3_000)
        #expect(writer.statistics.dropped == 0)
        #expect(try journal.verify().isIntact)
    }
}
