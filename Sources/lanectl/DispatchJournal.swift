import Foundation
import Journal
import Valet

/// Where the dispatcher's records live in the station journal: one entry of kind `dispatch.record` per
/// ``DispatchJournalEntry``, payload = the entry itself, so the hash chain covers every draw.
enum DispatchJournal {
    static let kind: EntryKind = "dispatch.record"

    /// Appends the entries in order, in one transaction (they are acknowledged together).
    static func append(_ entries: [DispatchJournalEntry], to journal: Journal, at: WallTime) throws {
        try journal.write { tx in
            for entry in entries {
                try tx.append(kind: kind, inspection: nil, actor: "dispatch", at: at, payload: entry)
            }
        }
    }

    /// The dispatch entries of one shift, in journal order.
    static func entries(of shift: ShiftID, in journal: Journal) throws -> [DispatchJournalEntry] {
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
