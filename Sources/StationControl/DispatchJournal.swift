public import Foundation
public import Journal
public import Valet

/// Where the dispatcher's records live in the station journal: one entry of kind `dispatch.record` per
/// ``DispatchJournalEntry``, payload = the entry itself, so the hash chain covers every draw and
/// `lanectl dispatch verify DB --shift ID` re-runs the shift from them.
public enum DispatchJournal {
    /// The entry kind of a dispatcher record.
    public static let kind: EntryKind = "dispatch.record"

    /// The actor written on every dispatcher entry.
    public static let actor = "dispatch"

    /// Appends the entries in order, in one transaction (they are acknowledged together).
    public static func append(_ entries: [DispatchJournalEntry], to journal: Journal, at: WallTime) throws {
        try journal.write { tx in
            for entry in entries { try append(entry, in: tx, at: at) }
        }
    }

    /// Appends one entry inside a transaction the caller holds.
    @discardableResult
    public static func append(_ entry: DispatchJournalEntry, in tx: JournalTransaction, at: WallTime) throws -> JournalEntry {
        try tx.append(kind: kind, inspection: nil, actor: actor, at: at, payload: entry)
    }

    /// The dispatch entries of one shift, in journal order.
    public static func entries(of shift: ShiftID, in journal: Journal) throws -> [DispatchJournalEntry] {
        let decoder = JSONDecoder()
        return try journal.entries().compactMap { entry -> DispatchJournalEntry? in
            guard entry.kind == kind else { return nil }
            let decoded: DispatchJournalEntry
            do {
                decoded = try decoder.decode(DispatchJournalEntry.self, from: Data(entry.payload.utf8))
            } catch {
                throw JournalError(
                    .cannotOpen,
                    "journal entry \(entry.sequence) (dispatch.record) does not decode: \(error). / 第 \(entry.sequence) 条调度记录无法解析。")
            }
            return decoded.shift == shift ? decoded : nil
        }
    }
}
