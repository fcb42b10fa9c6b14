import Foundation
import GRDB

/// What `verify` found wrong, tied to the journal sequence where it shows.
public struct ChainProblem: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable, Codable {
        /// An entry's content no longer matches its hash.
        case changed
        /// An entry is missing (a gap, or later entries renumbered, or the chain cut).
        case removed
        /// An entry sits at another position than the one it was written at.
        case reordered
        /// An entry follows a predecessor whose hash it does not carry.
        case broken
        /// A typed row (or sample batch) differs from the entry that carries it.
        case rowChanged = "row_changed"
        /// An entry's typed row is missing.
        case rowRemoved = "row_removed"
        /// A typed row has no entry of its kind behind it.
        case rowUnbacked = "row_unbacked"
    }

    /// The journal sequence where the problem shows.
    public var sequence: Int64
    public var kind: Kind
    /// What is wrong, in English and Chinese.
    public var message: String

    public var description: String { "entry \(sequence): \(kind.rawValue): \(message)" }
}

/// The result of walking the chain and re-checking every typed row against its entry.
public struct VerificationReport: Hashable, Sendable, Codable {
    /// Entries walked.
    public var entries: Int = 0
    /// Typed rows, curves and samples re-checked.
    public var rows: Int = 0
    /// Last entry's sequence and hash (publish these: they anchor everything before them).
    public var headSequence: Int64 = 0
    public var headHash: String = JournalEntry.genesisHash
    /// Problems sorted by sequence, the first one first (at most ``VerificationReport/limit``).
    public var problems: [ChainProblem] = []
    /// Things that are not tampering yet but make it possible (a missing append-only trigger).
    public var warnings: [String] = []

    /// Problems kept per run.
    public static let limit = 100

    /// True when no problem was found.
    public var isIntact: Bool { problems.isEmpty }
    /// The first problem in chain order.
    public var firstProblem: ChainProblem? { problems.first }
}

extension Journal {
    /// Walks the chain from the first entry and re-checks every typed row, curve and sample batch.
    public func verify() throws -> VerificationReport {
        try pool.read { db in
            var verifier = ChainVerifier(db: db)
            return try verifier.run()
        }
    }

    /// Verifies a journal file without migrating it or closing its open inspections (read-only).
    public static func verify(path: String) throws -> VerificationReport {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw JournalError(.cannotOpen, "cannot open \(path) to verify it: \(error). / 无法打开 \(path)。")
        }
        defer { try? queue.close() }
        return try queue.read { db in
            guard try db.tableExists("journal") else {
                throw JournalError(.cannotOpen, "\(path) has no journal table: it is not a LaneControl journal. / 这不是日志数据库。")
            }
            var verifier = ChainVerifier(db: db)
            return try verifier.run()
        }
    }
}

struct ChainVerifier {
    let db: Database
    var report = VerificationReport()

    init(db: Database) { self.db = db }

    mutating func run() throws -> VerificationReport {
        try checkTriggers()
        try walkChain()
        for type in evidenceRecordTypes { try checkRows(of: type) }
        try checkCurves()
        try checkSampleBatches()
        report.problems.sort { ($0.sequence, $0.kind.rawValue) < ($1.sequence, $1.kind.rawValue) }
        if report.problems.count > VerificationReport.limit {
            report.problems.removeLast(report.problems.count - VerificationReport.limit)
        }
        return report
    }

    mutating func add(_ sequence: Int64, _ kind: ChainProblem.Kind, _ message: String) {
        if report.problems.count < VerificationReport.limit * 4 {
            report.problems.append(ChainProblem(sequence: sequence, kind: kind, message: message))
        }
    }

    mutating func checkTriggers() throws {
        let present = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        for table in Schema.appendOnlyTables {
            for suffix in ["no_update", "no_delete"] where !present.contains("\(table)_\(suffix)") {
                report.warnings.append(
                    "trigger \(table)_\(suffix) is missing: rows of \(table) can be changed; restore it from docs/journal.md. / 触发器 \(table)_\(suffix) 缺失。"
                )
            }
        }
    }

    /// Walks entries in sequence order; stops at the first chain problem (everything after it is suspect).
    mutating func walkChain() throws {
        var expectedSequence: Int64 = 1
        var previousHash = JournalEntry.genesisHash
        let maxSequence = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM journal") ?? 0
        let cursor = try JournalEntry.order(Column("seq")).fetchCursor(db)
        while let entry = try cursor.next() {
            report.entries += 1
            let s = entry.sequence
            if s != expectedSequence {
                add(
                    expectedSequence, .removed,
                    "sequence jumps from \(expectedSequence - 1) to \(s): entry \(expectedSequence) was removed. / 条目 \(expectedSequence) 被删除。"
                )
                return
            }
            if entry.recomputedHash() != entry.hash {
                if let written = try sequenceWrittenAs(entry, maxSequence: maxSequence) {
                    let predecessorExists =
                        try Bool.fetchOne(db, sql: "SELECT 1 FROM journal WHERE hash = ?", arguments: [entry.previousHash])
                        ?? false
                    if written > s && !predecessorExists {
                        add(
                            s, .removed,
                            "the entry at sequence \(s) was written as \(written) and its predecessor is gone: entries were removed and the rest renumbered. / 条目被删除并重新编号。"
                        )
                    } else {
                        add(
                            s, .reordered,
                            "the entry at sequence \(s) (\(entry.kind)) was written as sequence \(written): entries were reordered. / 条目 \(s) 的位置被调换（原为 \(written)）。"
                        )
                    }
                } else {
                    add(
                        s, .changed,
                        "entry \(s) (\(entry.kind)) was changed: its content no longer matches its hash \(entry.hash.prefix(16))…. / 条目 \(s) 被篡改。"
                    )
                }
                return
            }
            if entry.previousHash != previousHash {
                add(
                    s, .broken,
                    "entry \(s) does not follow entry \(s - 1): it carries previous hash \(entry.previousHash.prefix(16))… but entry \(s - 1) hashes to \(previousHash.prefix(16))…; entry \(s - 1) was rewritten, or entries before \(s) were removed. / 条目 \(s) 与前一条目的哈希不连续。"
                )
                return
            }
            previousHash = entry.hash
            report.headSequence = s
            report.headHash = entry.hash
            expectedSequence += 1
        }
    }

    /// The sequence number this entry's content was hashed under, if another than its own.
    func sequenceWrittenAs(_ entry: JournalEntry, maxSequence: Int64) throws -> Int64? {
        let upper = max(maxSequence, entry.sequence) + 1
        var distance: Int64 = 1
        while distance <= upper {
            for candidate in [entry.sequence - distance, entry.sequence + distance] where candidate >= 1 && candidate <= upper {
                if entry.recomputedHash(asSequence: candidate) == entry.hash { return candidate }
            }
            distance += 1
        }
        return nil
    }

    mutating func checkRows(of type: any EvidenceRecord.Type) throws {
        try checkRowsGeneric(type)
    }

    mutating func checkRowsGeneric<R: EvidenceRecord>(_: R.Type) throws {
        let table = R.databaseTableName
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY journal_seq")
        while let row = try rows.next() {
            report.rows += 1
            let s: Int64 = row["journal_seq"]
            guard let entry = try JournalEntry.fetchOne(db, key: ["seq": s]), entry.kind == R.entryKind else {
                add(
                    s, .rowUnbacked,
                    "a row of \(table) names entry \(s), which is not a \(R.entryKind) entry: the row was added or changed outside the journal. / 表 \(table) 中的行没有对应的日志条目。"
                )
                continue
            }
            let expected: [String: DatabaseValue]
            do {
                expected = try entry.decodePayload(R.self).databaseDictionary
            } catch {
                add(s, .changed, "entry \(s)'s payload no longer decodes as a \(R.entryKind) row: \(error). / 条目 \(s) 的内容无法解析。")
                continue
            }
            for (column, value) in expected.sorted(by: { $0.key < $1.key }) {
                let stored: DatabaseValue = row[column] ?? .null
                if stored != value {
                    add(
                        s, .rowChanged,
                        "\(table).\(column) of the row of entry \(s) is \(stored) but the entry recorded \(value). / 表 \(table) 的字段 \(column) 与日志条目 \(s) 不符。"
                    )
                    break
                }
            }
        }
        let missing = try Int64.fetchAll(
            db,
            sql: "SELECT seq FROM journal WHERE kind = ? AND seq NOT IN (SELECT journal_seq FROM \(table.quotedDatabaseIdentifier)) ORDER BY seq",
            arguments: [R.entryKind.rawValue])
        for s in missing.prefix(VerificationReport.limit) {
            add(s, .rowRemoved, "entry \(s) (\(R.entryKind)) has no row in \(table): the row was deleted. / 表 \(table) 中条目 \(s) 的行被删除。")
        }
    }

    mutating func checkCurves() throws {
        let curves = try CurveRecordRow.fetchCursor(db, sql: "SELECT * FROM curves ORDER BY journal_seq")
        while let curve = try curves.next() {
            report.rows += 1
            let s = curve.journalSequence
            guard let entry = try JournalEntry.fetchOne(db, key: ["seq": s]), entry.kind == .curveRecorded,
                let payload = try? entry.decodePayload(CurvePayload.self)
            else {
                add(s, .rowUnbacked, "a curve row names entry \(s), which is not a curve.recorded entry. / 曲线行没有对应的日志条目。")
                continue
            }
            if payload != curve.record.payload {
                add(s, .rowChanged, "the curve of entry \(s) differs from what the entry recorded (metadata). / 曲线 \(s) 的元数据被修改。")
            } else if sha256Hex(curve.record.data) != payload.dataSHA256 {
                add(
                    s, .rowChanged,
                    "the curve blob of entry \(s) (\(payload.measurementID)/\(payload.channel)) no longer hashes to \(payload.dataSHA256.prefix(16))…. / 曲线 \(s) 的数据被修改。"
                )
            }
        }
        let missing = try Int64.fetchAll(
            db, sql: "SELECT seq FROM journal WHERE kind = ? AND seq NOT IN (SELECT journal_seq FROM curves) ORDER BY seq",
            arguments: [EntryKind.curveRecorded.rawValue])
        for s in missing.prefix(VerificationReport.limit) {
            add(s, .rowRemoved, "entry \(s) (curve.recorded) has no row in curves: the curve was deleted. / 曲线 \(s) 被删除。")
        }
    }

    mutating func checkSampleBatches() throws {
        let batches = try JournalEntry.filter(Column("kind") == EntryKind.samplesBatch.rawValue).order(Column("seq"))
            .fetchCursor(db)
        while let entry = try batches.next() {
            let s = entry.sequence
            guard let payload = try? entry.decodePayload(SampleBatchPayload.self) else {
                add(s, .changed, "entry \(s)'s payload no longer decodes as a sample batch. / 条目 \(s) 无法解析。")
                continue
            }
            let rows = try SampleRow.fetchAll(db, sql: "SELECT * FROM samples WHERE batch_seq = ? ORDER BY id", arguments: [s])
            report.rows += rows.count
            if rows.count != payload.count {
                add(
                    s, rows.count < payload.count ? .rowRemoved : .rowChanged,
                    "sample batch \(s) recorded \(payload.count) samples, the table holds \(rows.count). / 样本批次 \(s) 的行数不符。"
                )
            } else if SampleRow.digest(rows) != payload.sha256 {
                add(s, .rowChanged, "the samples of batch \(s) no longer hash to what the entry recorded. / 样本批次 \(s) 被修改。")
            }
        }
        let unbacked = try Int64.fetchAll(
            db,
            sql: """
                SELECT DISTINCT batch_seq FROM samples WHERE batch_seq NOT IN
                (SELECT seq FROM journal WHERE kind = ?) ORDER BY batch_seq
                """, arguments: [EntryKind.samplesBatch.rawValue])
        for s in unbacked.prefix(VerificationReport.limit) {
            add(s, .rowUnbacked, "samples name batch entry \(s), which is not a samples.batch entry. / 样本行没有对应的批次条目。")
        }
    }
}

/// A curve row with its journal sequence (for verification).
struct CurveRecordRow: FetchableRecord {
    var journalSequence: Int64
    var record: CurveRecord
    init(row: Row) throws {
        journalSequence = row["journal_seq"]
        record = try CurveRecord(row: row)
    }
}
