public import Foundation
import GRDB
public import LaneCore

/// An item as stored, with the entry that carries it and whether a later correction replaced it.
public struct StoredItem: Hashable, Sendable, Codable {
    public var journalSequence: Int64
    public var record: ItemRecord
    /// The journal sequence of the correction that replaced this item, if any.
    public var correctedBy: Int64?

    enum CodingKeys: String, CodingKey {
        case record
        case journalSequence = "journal_seq"
        case correctedBy = "corrected_by"
    }
}

/// A curve as stored (blob and metadata) and read back.
public struct StoredCurve: Hashable, Sendable, Codable {
    public var journalSequence: Int64
    public var payload: CurvePayload
    /// The stored blob, base64 in JSON.
    public var data: Data
    /// The curve decoded from `data`.
    public var curve: Curve

    enum CodingKeys: String, CodingKey {
        case payload, data, curve
        case journalSequence = "journal_seq"
    }
}

/// One attempt in an inspection's history (re-test chain).
public struct AttemptSummary: Hashable, Sendable, Codable {
    public var id: InspectionID
    public var attempt: Int
    public var lane: LaneID
    public var openedAt: WallTime
    /// Nil while open.
    public var status: InspectionStatus?
    public var closedAt: WallTime?

    enum CodingKeys: String, CodingKey {
        case id, attempt, lane, status
        case openedAt = "opened_at"
        case closedAt = "closed_at"
    }
}

/// Everything the journal holds about one inspection attempt: what a report shows and a bundle carries.
public struct InspectionReport: Hashable, Sendable, Codable {
    public var inspection: InspectionRecord
    public var vehicle: VehicleRecord
    /// Nil while the attempt is open.
    public var outcome: OutcomeRecord?
    public var measurements: [MeasurementRecord]
    /// All items, corrected ones included (see ``currentItems``).
    public var items: [StoredItem]
    public var curves: [StoredCurve]
    public var prompts: [PromptRecord]
    public var acknowledgements: [AcknowledgementRecord]
    public var assignments: [AssignmentRecord]
    /// The draws behind the assignments.
    public var draws: [DrawRecord]
    /// The shifts of those draws, and their closes (with the revealed seed) when closed.
    public var shifts: [ShiftRecord]
    public var shiftCloses: [ShiftCloseRecord]
    public var signOffs: [SignOffRecord]
    /// Every attempt of this vehicle's inspection, first to last (this one included).
    public var history: [AttemptSummary]

    /// Items not replaced by a correction.
    public var currentItems: [ItemRecord] { items.filter { $0.correctedBy == nil }.map(\.record) }

    enum CodingKeys: String, CodingKey {
        case inspection, vehicle, outcome, measurements, items, curves, prompts, acknowledgements, assignments, draws
        case shifts, history
        case shiftCloses = "shift_closes"
        case signOffs = "sign_offs"
    }
}

extension Journal {
    /// The full report of one inspection attempt, or nil if there is no such inspection.
    public func report(for id: InspectionID) throws -> InspectionReport? {
        try read { db in try Self.report(for: id, db: db) }
    }

    static func report(for id: InspectionID, db: Database) throws -> InspectionReport? {
        guard let inspection = try InspectionRecord.fetchOne(db, key: id.rawValue) else { return nil }
        let key = id.rawValue
        let vehicle = try VehicleRecord.fetchOne(db, key: inspection.vehicleID)!
        let outcome = try OutcomeRecord.fetchOne(db, key: key)
        let measurements = try MeasurementRecord.fetchAll(
            db, sql: "SELECT * FROM measurements WHERE inspection_id = ? ORDER BY journal_seq", arguments: [key])
        let items = try Row.fetchAll(
            db,
            sql: """
                SELECT i.*, (SELECT MIN(c.journal_seq) FROM items c WHERE c.corrects = i.journal_seq) AS corrected_by
                FROM items i WHERE i.inspection_id = ? ORDER BY i.journal_seq
                """, arguments: [key]
        ).map { row in
            StoredItem(journalSequence: row["journal_seq"], record: try ItemRecord(row: row), correctedBy: row["corrected_by"])
        }
        let curves = try CurveRecordRow.fetchAll(
            db, sql: "SELECT * FROM curves WHERE inspection_id = ? ORDER BY journal_seq", arguments: [key]
        ).map { row in
            StoredCurve(
                journalSequence: row.journalSequence, payload: row.record.payload, data: row.record.data,
                curve: try row.record.decoded())
        }
        let prompts = try PromptRecord.fetchAll(
            db, sql: "SELECT * FROM prompts WHERE inspection_id = ? ORDER BY journal_seq", arguments: [key])
        let acknowledgements = try AcknowledgementRecord.fetchAll(
            db,
            sql: """
                SELECT * FROM acknowledgements WHERE inspection_id = ?
                OR prompt_id IN (SELECT id FROM prompts WHERE inspection_id = ?) ORDER BY journal_seq
                """, arguments: [key, key])
        let assignments = try AssignmentRecord.fetchAll(
            db, sql: "SELECT * FROM assignments WHERE inspection_id = ? ORDER BY journal_seq", arguments: [key])
        let draws = try DrawRecord.fetchAll(
            db,
            sql: """
                SELECT d.* FROM draws d WHERE d.inspection_id = ? OR EXISTS (SELECT 1 FROM assignments a
                WHERE a.inspection_id = ? AND a.shift_id = d.shift_id AND a.draw_index = d.draw_index)
                ORDER BY d.journal_seq
                """, arguments: [key, key])
        let shiftIDs = Array(Set(draws.map(\.shiftID))).sorted()
        let shifts = try ShiftRecord.fetchAll(db, keys: shiftIDs)
        let closes = try ShiftCloseRecord.fetchAll(db, keys: shiftIDs)
        let signOffs = try SignOffRecord.fetchAll(
            db, sql: "SELECT * FROM signoffs WHERE inspection_id = ? ORDER BY journal_seq", arguments: [key])
        return InspectionReport(
            inspection: inspection, vehicle: vehicle, outcome: outcome, measurements: measurements, items: items,
            curves: curves, prompts: prompts, acknowledgements: acknowledgements, assignments: assignments, draws: draws,
            shifts: shifts, shiftCloses: closes, signOffs: signOffs, history: try history(of: inspection, db: db))
    }

    /// The re-test chain through `inspection`: back to the first attempt, then forward to the last.
    static func history(of inspection: InspectionRecord, db: Database) throws -> [AttemptSummary] {
        var first = inspection
        var guardCount = 0
        while let previous = first.retestOf, let record = try InspectionRecord.fetchOne(db, key: previous.rawValue),
            guardCount < 1000
        {
            first = record
            guardCount += 1
        }
        var chain: [InspectionRecord] = [first]
        while let next = try InspectionRecord.fetchOne(
            db, sql: "SELECT * FROM inspections WHERE retest_of = ?", arguments: [chain.last!.id.rawValue]),
            chain.count < 1000
        {
            chain.append(next)
        }
        return try chain.map { record in
            let outcome = try OutcomeRecord.fetchOne(db, key: record.id.rawValue)
            return AttemptSummary(
                id: record.id, attempt: record.attempt, lane: record.lane, openedAt: record.openedAt,
                status: outcome?.status, closedAt: outcome?.closedAt)
        }
    }

    /// Journal entries of one inspection, in order.
    public func entries(inspection: InspectionID) throws -> [JournalEntry] {
        try read { db in
            try JournalEntry.filter(Column("inspection_id") == inspection.rawValue).order(Column("seq")).fetchAll(db)
        }
    }
}
