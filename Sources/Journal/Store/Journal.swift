import Foundation
public import GRDB
public import LaneCore

/// The station's evidence store: one SQLite file in WAL mode, an append-only hash-chained journal,
/// and typed evidence tables each row of which is carried by a journal entry.
///
/// Every write is a transaction that appends entries (and their typed rows) to the chain; when
/// ``write(_:)`` returns, the transaction is committed with `synchronous=FULL`: it is acknowledged.
/// Opening the journal marks every inspection left open by a previous process `interrupted`.
public final class Journal: Sendable {
    /// Path of the database file.
    public let path: String
    let pool: DatabasePool
    /// Inspections that were open when this process opened the file, now closed as `interrupted`.
    public let interruptedAtOpen: [InspectionID]

    /// Opens (creating if needed) a journal, migrates it, and closes inspections left open.
    /// - Parameters:
    ///   - path: The SQLite file.
    ///   - configuration: Pragmas and pool size.
    ///   - now: Wall time written on the `interrupted` outcomes (passed in: the journal reads no clock).
    public init(path: String, configuration: JournalConfiguration = .init(), now: WallTime) throws {
        self.path = path
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(configuration.busyTimeoutSeconds)
        config.maximumReaderCount = configuration.maximumReaderCount
        config.label = "journal"
        let synchronous = configuration.durability == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            // WAL is set by DatabasePool; these hold for every connection of the pool.
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw JournalError(
                .cannotOpen,
                "cannot open journal database \(path): \(error). Check the path and permissions. / 无法打开日志数据库 \(path)：请检查路径和权限。"
            )
        }
        // DatabasePool sets synchronous=NORMAL on its writer connection after prepareDatabase runs;
        // set ours again on that one long-lived connection (the readers never commit).
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        try Schema.migrator.migrate(pool)
        interruptedAtOpen = try pool.write { db in
            let tx = try JournalTransaction(db)
            return try tx.closeOpenInspectionsAsInterrupted(at: now)
        }
    }

    /// Opens an existing journal read-only: no migration, no recovery, writes fail. For tools
    /// (`lanectl journal export|report|stats`) that may run beside a live station without closing
    /// its open inspection.
    public init(readingAt path: String, configuration: JournalConfiguration = .init()) throws {
        self.path = path
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(configuration.busyTimeoutSeconds)
        config.maximumReaderCount = configuration.maximumReaderCount
        config.label = "journal.readonly"
        do {
            pool = try DatabasePool(path: path, configuration: config)
            guard try pool.read({ db in try db.tableExists("journal") }) else {
                throw JournalError(.cannotOpen, "no journal table")
            }
        } catch {
            throw JournalError(
                .cannotOpen,
                "cannot read journal database \(path): \(error). Check the path; it must be a LaneControl journal. / 无法读取日志数据库 \(path)。"
            )
        }
        interruptedAtOpen = []
    }

    /// Runs `body` in one write transaction; every entry appended in it commits together or not at all.
    /// When this returns, the entries are durable (acknowledged).
    public func write<T>(_ body: (JournalTransaction) throws -> T) throws -> T {
        try pool.write { db in
            let tx = try JournalTransaction(db)
            return try body(tx)
        }
    }

    /// Appends one typed evidence row and its entry in its own transaction.
    @discardableResult
    public func record<R: EvidenceRecord>(_ record: R, actor: String, at: WallTime) throws -> JournalEntry {
        try write { try $0.record(record, actor: actor, at: at) }
    }

    /// Appends one curve and its entry in its own transaction.
    @discardableResult
    public func record(curve: CurveRecord, actor: String, at: WallTime) throws -> JournalEntry {
        try write { try $0.record(curve: curve, actor: actor, at: at) }
    }

    /// Appends one untyped event (`note`, rig fault, …) in its own transaction.
    @discardableResult
    public func append(
        kind: EntryKind, inspection: InspectionID? = nil, actor: String, at: WallTime, payload: some Encodable,
        corrects: Int64? = nil
    ) throws -> JournalEntry {
        try write {
            try $0.append(kind: kind, inspection: inspection, actor: actor, at: at, payload: payload, corrects: corrects)
        }
    }

    /// Runs `body` on a reader connection (a consistent snapshot, concurrent with the writer).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// The last entry, or nil for an empty journal.
    public func head() throws -> JournalEntry? {
        try pool.read { db in try JournalEntry.order(Column("seq").desc).fetchOne(db) }
    }

    /// Entries from `sequence` on, in order.
    public func entries(from sequence: Int64 = 1, limit: Int? = nil) throws -> [JournalEntry] {
        try pool.read { db in
            try JournalEntry.filter(Column("seq") >= sequence).order(Column("seq")).limit(limit ?? -1).fetchAll(db)
        }
    }

    /// Status of an inspection: its outcome, or nil while it is open (or unknown).
    public func status(of inspection: InspectionID) throws -> InspectionStatus? {
        try pool.read { db in
            try InspectionStatus.fetchOne(
                db, sql: "SELECT status FROM inspection_outcomes WHERE inspection_id = ?", arguments: [inspection.rawValue])
        }
    }

    /// Inspections that have no outcome yet.
    public func openInspections() throws -> [InspectionID] {
        try pool.read { db in try JournalTransaction.openInspections(db) }
    }

    /// Closes the database connections. Further calls throw.
    public func close() throws { try pool.close() }
}

/// One open write transaction on the journal: appends entries to the chain and inserts their rows.
/// Not `Sendable`: it lives inside ``Journal/write(_:)``.
public final class JournalTransaction {
    /// The transaction's database connection, for reads inside the transaction.
    public let db: Database
    private var headSequence: Int64
    private var headHash: String
    private let encoder = makePayloadEncoder()

    init(_ db: Database) throws {
        self.db = db
        if let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1") {
            headSequence = row[0]
            headHash = row[1]
        } else {
            headSequence = 0
            headHash = JournalEntry.genesisHash
        }
    }

    /// Appends an entry whose payload is already JSON text.
    @discardableResult
    public func append(
        kind: EntryKind, inspection: InspectionID?, actor: String, at: WallTime, payloadJSON: String,
        corrects: Int64? = nil
    ) throws -> JournalEntry {
        if let corrects {
            guard corrects >= 1, corrects <= headSequence else {
                throw JournalError(
                    .unknownEntry,
                    "entry \(headSequence + 1) corrects entry \(corrects), which does not exist (journal ends at \(headSequence)). / 更正的条目 \(corrects) 不存在。"
                )
            }
        }
        let sequence = headSequence + 1
        let hash = JournalEntry.computeHash(
            sequence: sequence, at: at, kind: kind, inspectionID: inspection, actor: actor, payload: payloadJSON,
            corrects: corrects, previousHash: headHash)
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO journal (seq, at_ms, kind, inspection_id, actor, payload, corrects, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try statement.execute(arguments: [
            sequence, at.milliseconds, kind.rawValue, inspection?.rawValue, actor, payloadJSON, corrects, headHash, hash,
        ])
        let entry = JournalEntry(
            sequence: sequence, at: at, kind: kind, inspectionID: inspection, actor: actor, payload: payloadJSON,
            corrects: corrects, previousHash: headHash, hash: hash)
        headSequence = sequence
        headHash = hash
        return entry
    }

    /// Appends an entry with an `Encodable` payload (encoded as JSON with sorted keys).
    @discardableResult
    public func append(
        kind: EntryKind, inspection: InspectionID?, actor: String, at: WallTime, payload: some Encodable,
        corrects: Int64? = nil
    ) throws -> JournalEntry {
        let json = String(decoding: try encoder.encode(payload), as: UTF8.self)
        return try append(kind: kind, inspection: inspection, actor: actor, at: at, payloadJSON: json, corrects: corrects)
    }

    /// Appends a typed row and the entry that carries it.
    @discardableResult
    public func record<R: EvidenceRecord>(_ record: R, actor: String, at: WallTime) throws -> JournalEntry {
        try checkBeforeRecording(record)
        let entry = try append(
            kind: R.entryKind, inspection: record.inspectionID, actor: actor, at: at, payload: record,
            corrects: record.corrects)
        try insertRow(table: R.databaseTableName, columns: try record.databaseDictionary, journalSequence: entry.sequence)
        return entry
    }

    /// Appends a curve (blob in `curves`, its hash in the entry).
    @discardableResult
    public func record(curve: CurveRecord, actor: String, at: WallTime) throws -> JournalEntry {
        try requireOpen(curve.inspection, what: "curve \(curve.measurementID)/\(curve.channel)")
        let entry = try append(
            kind: .curveRecorded, inspection: curve.inspection, actor: actor, at: at, payload: curve.payload)
        try insertRow(
            table: CurveRecord.databaseTableName, columns: try curve.databaseDictionary,
            journalSequence: entry.sequence)
        return entry
    }

    private func insertRow(table: String, columns: [String: DatabaseValue], journalSequence: Int64) throws {
        let names = columns.keys.sorted()
        let sql =
            "INSERT INTO \(table.quotedDatabaseIdentifier) (journal_seq, "
            + names.map(\.quotedDatabaseIdentifier).joined(separator: ", ") + ") VALUES (?"
            + String(repeating: ", ?", count: names.count) + ")"
        var values: [DatabaseValue] = [journalSequence.databaseValue]
        for name in names { values.append(columns[name]!) }
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(values))
    }

    private func checkBeforeRecording<R: EvidenceRecord>(_ record: R) throws {
        // A signed report is locked: nothing more is recorded about it (no item, no correction, no second
        // sign-off, no re-test). The checks below are one indexed lookup each.
        if let inspection = record.inspectionID {
            try requireUnsigned(inspection, what: "\(R.entryKind)")
        }
        if let retest = record as? InspectionRecord, let previous = retest.retestOf {
            try requireUnsigned(previous, what: "re-test \(retest.id) of \(previous)")
        }
        switch record {
        case let item as ItemRecord where item.corrects == nil:
            try requireOpen(item.inspection, what: "item \(item.item)")
        case let measurement as MeasurementRecord:
            try requireOpen(measurement.inspection, what: "measurement \(measurement.id)")
        case let outcome as OutcomeRecord:
            try requireOpen(outcome.inspection, what: "outcome \(outcome.status.rawValue)")
            if outcome.status == .pass { try requirePassSupported(outcome.inspection) }
        default:
            break
        }
    }

    private func requireOpen(_ inspection: InspectionID, what: String) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM inspections WHERE id = ?", arguments: [inspection.rawValue])
            != nil
        else {
            throw JournalError(
                .unknownInspection,
                "\(what): inspection \(inspection) was never opened; record its inspection.opened first. / 检验 \(inspection) 不存在。"
            )
        }
        if let status = try String.fetchOne(
            db, sql: "SELECT status FROM inspection_outcomes WHERE inspection_id = ?", arguments: [inspection.rawValue])
        {
            throw JournalError(
                .inspectionClosed,
                "\(what): inspection \(inspection) is already closed (\(status)); record a correction or a re-test instead. / 检验 \(inspection) 已结束（\(status)），请记录更正或复检。"
            )
        }
    }

    /// A `pass` needs at least one current item and every current item `pass` or `not_applicable`.
    private func requirePassSupported(_ inspection: InspectionID) throws {
        let verdicts = try String.fetchAll(
            db,
            sql: """
                SELECT verdict FROM items i WHERE inspection_id = ?
                AND NOT EXISTS (SELECT 1 FROM items c WHERE c.corrects = i.journal_seq)
                """, arguments: [inspection.rawValue])
        let blocking = verdicts.filter { $0 != ItemVerdict.pass.rawValue && $0 != ItemVerdict.notApplicable.rawValue }
        guard verdicts.contains(ItemVerdict.pass.rawValue), blocking.isEmpty else {
            throw JournalError(
                .passNotSupported,
                "inspection \(inspection) cannot close as pass: \(verdicts.count) current items, \(blocking.count) not pass (\(Set(blocking).sorted().joined(separator: ", "))). / 检验 \(inspection) 的项目不支持“合格”结论。"
            )
        }
    }

    static func openInspections(_ db: Database) throws -> [InspectionID] {
        try String.fetchAll(
            db,
            sql: """
                SELECT id FROM inspections WHERE id NOT IN (SELECT inspection_id FROM inspection_outcomes)
                ORDER BY journal_seq
                """
        ).map(InspectionID.init(rawValue:))
    }

    func closeOpenInspectionsAsInterrupted(at now: WallTime) throws -> [InspectionID] {
        let open = try Self.openInspections(db)
        for id in open {
            try record(
                OutcomeRecord(
                    inspection: id, status: .interrupted, closedAt: now,
                    reason: "the station process stopped while this inspection was open; closed at the next start"),
                actor: "system", at: now)
        }
        return open
    }
}
