import Foundation
public import GRDB
public import LaneCore

extension EntryKind {
    /// A sign-off (or another change to a report) was refused: wrong password, a role that may not sign,
    /// an inspection already signed. Untyped; the payload is a ``ReportRefusal``.
    public static let signOffRefused: EntryKind = "signoff.refused"
}

extension JournalError.Code {
    /// The inspection carries an inspector's signature: its report is locked, nothing may be added to it.
    public static let inspectionSigned = JournalError.Code(rawValue: "inspection_signed")
    /// The inspection is still open: there is nothing to sign yet.
    public static let inspectionOpen = JournalError.Code(rawValue: "inspection_open")
}

/// Why a change to a report was refused, as journaled under ``EntryKind/signOffRefused``.
public struct ReportRefusal: Hashable, Sendable, Codable {
    /// What was tried: `sign`, `retest`.
    public var action: String
    /// Who tried (their login), and the role their session had.
    public var user: String
    public var role: String?
    /// `wrong_password`, `not_inspector`, `already_signed`, `not_closed`, `not_failed`, `retest_exists`, …
    public var reason: String
    /// The message shown to the user.
    public var message: String

    public init(action: String, user: String, role: String?, reason: String, message: String) {
        self.action = action
        self.user = user
        self.role = role
        self.reason = reason
        self.message = message
    }
}

/// An inspection's signature: the sign-off row and the journal entry that carries it (its hash is the
/// seal printed on the report).
public struct Signature: Hashable, Sendable, Codable {
    public var record: SignOffRecord
    /// The signer's display name, from `users`.
    public var signerName: String?
    public var journalSequence: Int64
    public var entryHash: String

    enum CodingKeys: String, CodingKey {
        case record
        case signerName = "signer_name"
        case journalSequence = "journal_seq"
        case entryHash = "entry_hash"
    }
}

extension JournalTransaction {
    /// True when `inspection` carries an approving sign-off: its report is locked.
    public func isSigned(_ inspection: InspectionID) throws -> Bool {
        try Journal.isSigned(inspection, db: db)
    }

    /// Throws ``JournalError/Code/inspectionSigned`` when `inspection` is signed.
    func requireUnsigned(_ inspection: InspectionID, what: String) throws {
        // One indexed probe on every record; the signature's details only when it is there.
        guard try Journal.isSigned(inspection, db: db), let signature = try Journal.signature(of: inspection, db: db)
        else { return }
        throw JournalError(
            .inspectionSigned,
            "\(what): inspection \(inspection) was signed by \(signature.record.userID) at \(signature.record.at) (entry \(signature.journalSequence)); a signed report is locked and never changed. / 检验 \(inspection) 已由 \(signature.record.userID) 签字，报告已锁定，不能再修改。"
        )
    }

    /// Records an inspector's signature on a closed, unsigned inspection, adding the signer to `users`
    /// first when the journal does not know them yet. Returns the sign-off's entry.
    /// - Parameters:
    ///   - inspection: The attempt signed.
    ///   - user: The signer's login, display name and role (`inspector`, `admin`).
    ///   - comment: Optional remark printed with the signature.
    @discardableResult
    public func signOff(
        _ inspection: InspectionID, user: String, name: String, role: String, comment: String?, at: WallTime
    ) throws -> JournalEntry {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM inspections WHERE id = ?", arguments: [inspection.rawValue])
            != nil
        else {
            throw JournalError(.unknownInspection, "sign-off: there is no inspection \(inspection). / 检验 \(inspection) 不存在。")
        }
        guard try OutcomeRecord.fetchOne(db, key: inspection.rawValue) != nil else {
            throw JournalError(
                .inspectionOpen,
                "sign-off: inspection \(inspection) is still open; sign it after its outcome is recorded. / 检验 \(inspection) 尚未结束，不能签字。"
            )
        }
        try ensureUser(user, name: name, role: role, at: at)
        return try record(
            SignOffRecord(inspection: inspection, userID: user, decision: .approved, comment: comment, at: at),
            actor: user, at: at)
    }

    /// Adds `user` to `users` unless the journal knows them (a sign-off's `user_id` must name a user).
    public func ensureUser(_ user: String, name: String, role: String, at: WallTime) throws {
        if try UserRecord.fetchOne(db, key: user) == nil {
            try record(UserRecord(id: user, name: name, role: role), actor: "system", at: at)
        }
    }
}

extension Journal {
    /// True when `inspection` carries an approving sign-off (its report is locked).
    public func isSigned(_ inspection: InspectionID) throws -> Bool {
        try read { db in try Self.isSigned(inspection, db: db) }
    }

    /// The signature of `inspection`, nil while unsigned.
    public func signature(of inspection: InspectionID) throws -> Signature? {
        try read { db in try Self.signature(of: inspection, db: db) }
    }

    /// Signs a closed, unsigned inspection in its own transaction (see ``JournalTransaction/signOff(_:user:name:role:comment:at:)``).
    @discardableResult
    public func signOff(
        _ inspection: InspectionID, user: String, name: String, role: String, comment: String?, at: WallTime
    ) throws -> JournalEntry {
        try write { tx in try tx.signOff(inspection, user: user, name: name, role: role, comment: comment, at: at) }
    }

    /// Journals a refused change to a report (``EntryKind/signOffRefused``).
    @discardableResult
    public func recordRefusal(_ refusal: ReportRefusal, inspection: InspectionID?, at: WallTime) throws -> JournalEntry {
        let known = try inspection.map { id in
            try read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM inspections WHERE id = ?", arguments: [id.rawValue]) }
        }
        // An unknown id stays in the payload, not in the entry's inspection column (which names real inspections).
        return try append(
            kind: .signOffRefused, inspection: known == true ? inspection : nil, actor: refusal.user, at: at,
            payload: refusal)
    }

    /// Refusals journaled for `inspection`, oldest first.
    public func refusals(of inspection: InspectionID) throws -> [(entry: JournalEntry, refusal: ReportRefusal)] {
        try read { db in
            try JournalEntry.filter(
                Column("inspection_id") == inspection.rawValue && Column("kind") == EntryKind.signOffRefused.rawValue
            ).order(Column("seq")).fetchAll(db)
        }.map { entry in (entry, try entry.decodePayload(ReportRefusal.self)) }
    }

    static func isSigned(_ inspection: InspectionID, db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM signoffs WHERE inspection_id = ? AND decision = 'approved' LIMIT 1",
            arguments: [inspection.rawValue]) != nil
    }

    static func signature(of inspection: InspectionID, db: Database) throws -> Signature? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT s.*, j.hash AS entry_hash, u.name AS signer_name FROM signoffs s
                    JOIN journal j ON j.seq = s.journal_seq LEFT JOIN users u ON u.id = s.user_id
                    WHERE s.inspection_id = ? AND s.decision = 'approved' ORDER BY s.journal_seq LIMIT 1
                    """, arguments: [inspection.rawValue])
        else { return nil }
        return Signature(
            record: try SignOffRecord(row: row), signerName: row["signer_name"], journalSequence: row["journal_seq"],
            entryHash: row["entry_hash"])
    }
}
