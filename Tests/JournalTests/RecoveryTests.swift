import Foundation
import GRDB
import Journal
import LaneCore
import Testing

struct RecoveryTests {
    @Test func databaseUsesWalFullSyncForeignKeysAndBusyTimeout() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        let (mode, sync, fk, busy) = try journal.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode")!, try Int.fetchOne(db, sql: "PRAGMA synchronous")!,
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")!, try Int.fetchOne(db, sql: "PRAGMA busy_timeout")!
            )
        }
        #expect(mode == "wal")
        #expect(sync == 2)  // FULL
        #expect(fk == 1)
        #expect(busy >= 5_000)  // pool readers: GRDB sets 10 s; the writer: ours, checked below
        let writerSettings = try journal.write { tx in
            (try Int.fetchOne(tx.db, sql: "PRAGMA synchronous")!, try Int.fetchOne(tx.db, sql: "PRAGMA busy_timeout")!)
        }
        #expect(writerSettings == (2, 5_000))
    }

    @Test func migratorIsIdempotentAcrossReopens() throws {
        let folder = try TemporaryFolder()
        try Journal(path: folder.path(), now: t0).close()
        let journal = try Journal(path: folder.path(), now: t0)
        #expect(try journal.head() == nil)
        #expect(try journal.verify().isIntact)
    }

    @Test func openInspectionIsMarkedInterruptedAtNextOpen() throws {
        let folder = try TemporaryFolder()
        var journal: Journal? = try Journal(path: folder.path(), now: t0)
        try openInspection(journal!, "I1")
        try judge(journal!, "I1", "brake.axle1.rate", .pass)
        try openInspection(journal!, "I2", vehicle: "V2")
        try close(journal!, "I2", .fail, at: t0.adding(milliseconds: 1))
        try journal!.close()
        journal = nil

        let later = t0.adding(milliseconds: 3_600_000)
        let reopened = try Journal(path: folder.path(), now: later)
        #expect(reopened.interruptedAtOpen == ["I1"])
        #expect(try reopened.status(of: "I1") == .interrupted)
        #expect(try reopened.status(of: "I2") == .fail)
        let last = try #require(try reopened.head())
        #expect(last.kind == .inspectionClosed)
        #expect(last.inspectionID == "I1")
        #expect(last.actor == "system")
        #expect(last.at == later)
        #expect(try reopened.verify().isIntact)
        // A third open finds nothing left to close.
        try reopened.close()
        #expect(try Journal(path: folder.path(), now: later).interruptedAtOpen.isEmpty)
    }

    @Test func readOnlyOpenBesideALiveStationClosesNothingAndCannotWrite() throws {
        let folder = try TemporaryFolder()
        let station = try Journal(path: folder.path(), now: t0)
        try openInspection(station, "I1")
        let tool = try Journal(readingAt: folder.path())
        #expect(tool.interruptedAtOpen.isEmpty)
        #expect(try tool.report(for: "I1")?.outcome == nil)
        #expect(throws: (any Error).self) { try tool.append(kind: .note, actor: "x", at: t0, payload: ["a": 1]) }
        #expect(try station.openInspections() == ["I1"])
        #expect(throws: JournalError.self) { try Journal(readingAt: folder.path("missing.sqlite")) }
    }

    @Test func passIsRefusedUnlessEveryCurrentItemPasses() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        try openInspection(journal, "I1")
        #expect(throws: JournalError.self) { try close(journal, "I1", .pass, at: t0) }  // no items
        try judge(journal, "I1", "brake.axle1.rate", .pass)
        let bad = try judge(journal, "I1", "brake.axle1.imbalance", .incomplete)
        #expect(throws: JournalError.self) { try close(journal, "I1", .pass, at: t0) }
        try judge(journal, "I1", "brake.axle1.imbalance", .pass, corrects: bad.sequence)
        try close(journal, "I1", .pass, at: t0)
        #expect(try journal.status(of: "I1") == .pass)
    }

    @Test func closedInspectionTakesNoMoreEvidenceAndNoSecondOutcome() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        try openInspection(journal, "I1")
        try judge(journal, "I1", "brake.axle1.rate", .fail)
        try close(journal, "I1", .fail, at: t0)
        let before = try journal.head()
        #expect(throws: JournalError.self) { try judge(journal, "I1", "brake.axle2.rate", .pass) }
        #expect(throws: JournalError.self) { try close(journal, "I1", .pass, at: t0) }
        #expect(throws: JournalError.self) { try judge(journal, "nope", "brake.axle2.rate", .pass) }
        // A refused write leaves no entry behind: the entry and its row share one transaction.
        #expect(try journal.head() == before)
    }

    @Test func aFailedTransactionLeavesNoHalfWrittenEntries() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        try openInspection(journal, "I1")
        let before = try journal.head()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try journal.write { tx in
                try tx.record(
                    MeasurementRecord(id: "I1/m", inspection: "I1", station: "brake", name: "m", figures: [:], at: t0),
                    actor: "system", at: t0)
                throw Boom()
            }
        }
        #expect(try journal.head() == before)
        #expect(try journal.report(for: "I1")?.measurements.isEmpty == true)
        #expect(try journal.verify().isIntact)
    }
}
