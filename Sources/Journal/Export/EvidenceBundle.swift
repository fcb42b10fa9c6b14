public import Foundation
import GRDB
public import LaneCore

/// A self-contained JSON evidence bundle for one inspection attempt: the report (vehicle, items,
/// curves as blobs and decoded, prompts, assignment and draw, sign-offs, history) and every journal
/// entry behind it with its hashes, so the bundle can be checked offline (``checkOffline()``).
public struct EvidenceBundle: Hashable, Sendable, Codable {
    /// Format tag: `lanecontrol.evidence-bundle/1`.
    public var format: String
    public var exportedAt: WallTime
    public var inspection: InspectionID
    public var report: InspectionReport
    /// The entries carrying every row of the report, in sequence order.
    public var entries: [JournalEntry]
    /// The journal's last entry when exported: publish it, it anchors the whole chain.
    public var chainHeadSequence: Int64
    public var chainHeadHash: String
    /// How to check the bundle by hand.
    public var howToCheck: String

    /// The bundle format tag.
    public static let formatTag = "lanecontrol.evidence-bundle/1"

    enum CodingKeys: String, CodingKey {
        case format, inspection, report, entries
        case exportedAt = "exported_at"
        case chainHeadSequence = "chain_head_seq"
        case chainHeadHash = "chain_head_hash"
        case howToCheck = "how_to_check"
    }

    /// Re-checks the bundle without the database: each entry's hash against its fields, consecutive
    /// entries' links, and each row and curve of the report against the entry that carries it.
    /// Returns the problems found (empty when the bundle is consistent).
    public func checkOffline() -> [String] {
        var problems: [String] = []
        var bySequence: [Int64: JournalEntry] = [:]
        for entry in entries {
            bySequence[entry.sequence] = entry
            if entry.recomputedHash() != entry.hash {
                problems.append("entry \(entry.sequence) (\(entry.kind)): content does not match its hash")
            }
            if let previous = bySequence[entry.sequence - 1], previous.hash != entry.previousHash {
                problems.append("entry \(entry.sequence): previous hash differs from entry \(entry.sequence - 1)'s hash")
            }
        }
        func check<R: EvidenceRecord>(_ records: [R]) {
            for record in records {
                let matches = entries.contains { entry in
                    entry.kind == R.entryKind && (try? entry.decodePayload(R.self)) == record
                }
                if !matches { problems.append("\(R.databaseTableName) row \(record) has no matching \(R.entryKind) entry") }
            }
        }
        check([report.inspection])
        check([report.vehicle])
        check(report.outcome.map { [$0] } ?? [])
        check(report.measurements)
        check(report.items.map(\.record))
        check(report.prompts)
        check(report.acknowledgements)
        check(report.assignments)
        check(report.draws)
        check(report.shifts)
        check(report.shiftCloses)
        check(report.signOffs)
        for curve in report.curves {
            guard let entry = bySequence[curve.journalSequence],
                (try? entry.decodePayload(CurvePayload.self)) == curve.payload
            else {
                problems.append("curve \(curve.payload.measurementID)/\(curve.payload.channel): no matching entry")
                continue
            }
            if sha256Hex(curve.data) != curve.payload.dataSHA256 {
                problems.append("curve \(curve.payload.measurementID)/\(curve.payload.channel): blob does not match its hash")
            }
            if (try? CurveCodec.decodeCurve(curve.data, channel: curve.curve.channel, unit: curve.curve.unit))
                != curve.curve
            {
                problems.append("curve \(curve.payload.measurementID)/\(curve.payload.channel): decoded values differ from the blob")
            }
        }
        return problems
    }
}

extension Journal {
    /// Builds the evidence bundle of one inspection attempt (nil when there is no such inspection).
    public func evidenceBundle(for id: InspectionID, exportedAt: WallTime) throws -> EvidenceBundle? {
        try read { db in
            guard let report = try Self.report(for: id, db: db) else { return nil }
            var sequences = Set(
                try Int64.fetchAll(db, sql: "SELECT seq FROM journal WHERE inspection_id = ?", arguments: [id.rawValue]))
            func add(_ table: String, _ column: String, _ keys: [String]) throws {
                for key in keys {
                    sequences.formUnion(
                        try Int64.fetchAll(
                            db, sql: "SELECT journal_seq FROM \(table) WHERE \(column) = ?", arguments: [key]))
                }
            }
            try add("vehicles", "id", [report.vehicle.id])
            try add("shifts", "id", report.shifts.map(\.id))
            try add("shift_closes", "shift_id", report.shiftCloses.map(\.shiftID))
            try add("users", "id", report.signOffs.map(\.userID))
            for draw in report.draws {
                sequences.formUnion(
                    try Int64.fetchAll(
                        db, sql: "SELECT journal_seq FROM draws WHERE shift_id = ? AND draw_index = ?",
                        arguments: [draw.shiftID, draw.drawIndex]))
            }
            sequences.formUnion(report.curves.map(\.journalSequence))
            sequences.formUnion(report.items.map(\.journalSequence))
            let entries = try JournalEntry.fetchAll(db, keys: sequences.sorted().map { ["seq": $0] })
            let head = try JournalEntry.order(Column("seq").desc).fetchOne(db)
            return EvidenceBundle(
                format: EvidenceBundle.formatTag, exportedAt: exportedAt, inspection: id, report: report,
                entries: entries.sorted { $0.sequence < $1.sequence }, chainHeadSequence: head?.sequence ?? 0,
                chainHeadHash: head?.hash ?? JournalEntry.genesisHash,
                howToCheck: """
                    Each entry's hash is SHA-256 (hex) over: the bytes "lanecontrol.journal.v1\\n", then for each field \
                    in this order a 4-byte big-endian length and its UTF-8 bytes (0xFFFFFFFF and no bytes for null): \
                    seq, at (ms), kind, inspection_id, actor, payload, corrects, previous_hash. Every row of the report \
                    equals the payload of one entry; a curve's blob hashes to its entry's data_sha256. \
                    Check the chain head against the published head or the station's database with `lanectl journal verify`.
                    """)
        }
    }
}

extension EvidenceBundle {
    /// The bundle as pretty JSON with sorted keys (blobs in base64).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
