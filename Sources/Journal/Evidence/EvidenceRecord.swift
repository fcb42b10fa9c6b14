public import GRDB
public import LaneCore

/// A typed evidence row: stored in its own table for the reports, and in the payload of the journal
/// entry written in the same transaction, so `verify` can re-check the row against the chain.
///
/// Every evidence table has a `journal_seq` column naming that entry; the record's own columns are
/// its `Codable` keys. Rows are insert-only (SQLite triggers abort any UPDATE or DELETE).
public protocol EvidenceRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    /// The kind of the journal entry that carries this row.
    static var entryKind: EntryKind { get }
    /// The inspection the row belongs to (the entry's `inspection_id`), if any.
    var inspectionID: InspectionID? { get }
    /// The journal sequence of the entry this row corrects, if it is a correction.
    var corrects: Int64? { get }
}

extension EvidenceRecord {
    public var corrects: Int64? { nil }
}

/// Every table of typed evidence rows, with the record type whose payload verifies it.
/// (Curves are verified separately: their payload holds the blob's hash, not the blob.)
let evidenceRecordTypes: [any EvidenceRecord.Type] = [
    UserRecord.self, VehicleRecord.self, InspectionRecord.self, OutcomeRecord.self, MeasurementRecord.self,
    ItemRecord.self, PromptRecord.self, AcknowledgementRecord.self, ShiftRecord.self, ShiftCloseRecord.self,
    DrawRecord.self, AssignmentRecord.self, SignOffRecord.self,
]
