import Foundation
import GRDB
import Journal
import LaneCore
import Testing

/// Tampering goes around the journal: a plain SQLite connection to the same file, triggers dropped.
func tamper(_ path: String, _ sql: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
    try queue.close()
}

func dropTriggers(_ table: String) -> String {
    "DROP TRIGGER \(table)_no_update; DROP TRIGGER \(table)_no_delete;"
}

struct TamperTests {
    /// Ten entries: a vehicle, an inspection, items, notes.
    func buildJournal(_ folder: TemporaryFolder) throws -> String {
        let path = folder.path()
        let journal = try Journal(path: path, now: t0)
        try openInspection(journal, "I1")
        for k in 0..<4 { try judge(journal, "I1", "brake.axle\(k).rate", .pass, value: Double(60 + k)) }
        for k in 0..<4 {
            try journal.append(kind: .note, inspection: "I1", actor: "op1", at: t0, payload: ["text": "note \(k)"])
        }
        try journal.close()
        return path
    }

    @Test func intactJournalVerifies() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        let report = try Journal.verify(path: path)
        #expect(report.isIntact, "\(report.problems)")
        #expect(report.entries == 10)
        #expect(report.rows == 6)
        #expect(report.headSequence == 10)
        #expect(report.warnings.isEmpty)
    }

    @Test func triggersRefuseUpdateAndDeleteOfEntriesAndEvidence() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        for sql in [
            "UPDATE journal SET actor = 'mallory' WHERE seq = 3", "DELETE FROM journal WHERE seq = 10",
            "UPDATE items SET verdict = 'pass'", "DELETE FROM items", "UPDATE inspections SET lane = 'L2'",
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") { try tamper(path, sql) }
        }
        #expect(try Journal.verify(path: path).isIntact)
    }

    @Test func changedEntryIsNamed() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        try tamper(path, dropTriggers("journal") + "UPDATE journal SET payload = '{\"text\":\"forged\"}' WHERE seq = 7")
        let report = try Journal.verify(path: path)
        #expect(report.firstProblem?.sequence == 7)
        #expect(report.firstProblem?.kind == .changed)
        #expect(report.warnings.count == 2)  // the two dropped triggers
    }

    @Test func deletedEntryIsNamed() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        try tamper(path, dropTriggers("journal") + "PRAGMA foreign_keys = OFF; DELETE FROM journal WHERE seq = 8")
        let report = try Journal.verify(path: path)
        #expect(report.firstProblem?.sequence == 8)
        #expect(report.firstProblem?.kind == .removed)
    }

    @Test func deletedAndRenumberedEntriesAreNamed() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        try tamper(
            path,
            dropTriggers("journal")
                + "PRAGMA foreign_keys = OFF; DELETE FROM journal WHERE seq = 8; UPDATE journal SET seq = seq - 1 WHERE seq > 8")
        let report = try Journal.verify(path: path)
        #expect(report.firstProblem?.sequence == 8)
        #expect(report.firstProblem?.kind == .removed)
    }

    @Test func swappedEntriesAreNamedAsReordered() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        try tamper(
            path,
            dropTriggers("journal")
                + """
                PRAGMA foreign_keys = OFF;
                UPDATE journal SET seq = -1 WHERE seq = 8;
                UPDATE journal SET seq = 8 WHERE seq = 9;
                UPDATE journal SET seq = 9 WHERE seq = -1;
                """)
        let report = try Journal.verify(path: path)
        #expect(report.firstProblem?.sequence == 8)
        #expect(report.firstProblem?.kind == .reordered)
        #expect(report.firstProblem?.message.contains("written as sequence 9") == true)
    }

    @Test func rehashedEntryBreaksTheLinkToTheNext() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        // A forger who recomputes the changed entry's own hash still breaks entry 6's link.
        let journal = try Journal(path: path, now: t0)
        let original = try journal.entries(from: 5, limit: 1)[0]
        try journal.close()
        var forged = original
        forged.actor = "mallory"
        forged.hash = forged.recomputedHash()
        try tamper(path, dropTriggers("journal") + "UPDATE journal SET actor = 'mallory', hash = '\(forged.hash)' WHERE seq = 5")
        let report = try Journal.verify(path: path)
        #expect(report.firstProblem?.sequence == 6)
        #expect(report.firstProblem?.kind == .broken)
    }

    @Test func changedTypedRowIsCaughtAgainstItsEntry() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        try tamper(path, dropTriggers("items") + "UPDATE items SET value = 99.5, verdict = 'fail' WHERE journal_seq = 4")
        let report = try Journal.verify(path: path)
        #expect(report.firstProblem?.sequence == 4)
        #expect(report.firstProblem?.kind == .rowChanged)
    }

    @Test func deletedTypedRowIsCaught() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        try tamper(path, dropTriggers("items") + "DELETE FROM items WHERE journal_seq = 5")
        let report = try Journal.verify(path: path)
        #expect(report.firstProblem?.sequence == 5)
        #expect(report.firstProblem?.kind == .rowRemoved)
    }

    @Test func rowInsertedOutsideTheJournalIsCaught() throws {
        let folder = try TemporaryFolder()
        let path = try buildJournal(folder)
        // Entry 7 is a note: an item row claiming it is not backed by an item.judged entry.
        try tamper(
            path,
            """
            INSERT INTO items (journal_seq, inspection_id, item, value, verdict, ruleset, ruleset_version, at)
            VALUES (7, 'I1', 'brake.axle9.rate', 70, 'pass', 'GB 7258', '2017', 0)
            """)
        let report = try Journal.verify(path: path)
        #expect(report.firstProblem?.sequence == 7)
        #expect(report.firstProblem?.kind == .rowUnbacked)
    }

    @Test func changedCurveBlobIsCaught() throws {
        let folder = try TemporaryFolder()
        let path = folder.path()
        let journal = try Journal(path: path, now: t0)
        try openInspection(journal, "I1")
        try journal.record(
            MeasurementRecord(id: "I1/brake.axle1", inspection: "I1", station: "brake", name: "brake.axle1", figures: [:], at: t0),
            actor: "system", at: t0)
        let curve = Curve(channel: "force_left", unit: "N", resolution: 1, timesNs: [0, 10, 20], values: [1, 5, 9])
        let entry = try journal.record(curve: try CurveRecord(measurementID: "I1/brake.axle1", inspection: "I1", curve: curve), actor: "system", at: t0)
        try journal.close()
        #expect(try Journal.verify(path: path).isIntact)
        let forged = try CurveCodec.encode(Curve(channel: "force_left", unit: "N", resolution: 1, timesNs: [0, 10, 20], values: [1, 6, 9]))
        try tamper(
            path,
            dropTriggers("curves") + "UPDATE curves SET data = x'\(forged.map { String(format: "%02x", $0) }.joined())'")
        let report = try Journal.verify(path: path)
        #expect(report.firstProblem?.sequence == entry.sequence)
        #expect(report.firstProblem?.kind == .rowChanged)
    }

    @Test func correctionIsANewEntryPointingAtTheOld() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        try openInspection(journal, "I1")
        let wrong = try judge(journal, "I1", "brake.axle1.rate", .fail, value: 40)
        let fixed = try judge(journal, "I1", "brake.axle1.rate", .pass, value: 64, corrects: wrong.sequence)
        #expect(fixed.corrects == wrong.sequence)
        let report = try #require(try journal.report(for: "I1"))
        #expect(report.items.count == 2)
        #expect(report.items[0].correctedBy == fixed.sequence)
        #expect(report.currentItems.map(\.verdict) == [.pass])
        #expect(try journal.verify().isIntact)
        #expect(throws: JournalError.self) {
            try journal.append(kind: .correction, actor: "op1", at: t0, payload: ["x": 1], corrects: 999)
        }
    }
}
