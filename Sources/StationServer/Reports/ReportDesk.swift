public import Foundation
public import Journal
public import LaneCore

/// Checks a signed-in user's password again before a signature (the station's ``AccountStore``).
public protocol SignOffAuthority: Sendable {
    /// True when `password` is `user`'s current password.
    func verify(user: String, password: String) async -> Bool
}

/// Sends a vehicle back to the queue for a re-test of the failed items of `inspection`, with a fresh draw
/// that excludes the previous driver (the live station does it; `lanectl reports serve` uses a synthetic lane).
public protocol RetestOrdering: Sendable {
    /// Orders the re-test; returns the new attempt's id once it exists (nil while it waits in the queue).
    func orderRetest(of inspection: InspectionID, by inspector: String) async throws -> InspectionID?
}

/// Everything the report pages need, wired in one place by whoever starts the server.
public struct ReportServices: Sendable {
    public var journal: Journal
    public var authority: any SignOffAuthority
    /// Nil where nobody can run a re-test (a read-only archive): the re-test button is not shown.
    public var retests: (any RetestOrdering)?
    /// The station's offset from UTC in seconds (statistics by local hour and day; dates in forms).
    public var utcOffsetSeconds: Int
    /// Where a signed-out visitor of an HTML page is sent.
    public var loginPath: String
    /// The station's name as printed on reports.
    public var stationName: String
    /// The wall clock (injected so tests sign at known times).
    public var now: @Sendable () -> WallTime

    public init(
        journal: Journal, authority: any SignOffAuthority, retests: (any RetestOrdering)?, utcOffsetSeconds: Int = 8 * 3600,
        loginPath: String = "/login", stationName: String = "LaneControl",
        now: @escaping @Sendable () -> WallTime = { WallTime(Date()) }
    ) {
        self.journal = journal
        self.authority = authority
        self.retests = retests
        self.utcOffsetSeconds = utcOffsetSeconds
        self.loginPath = loginPath
        self.stationName = stationName
        self.now = now
    }
}

/// A refused sign-off or re-test: the HTTP status, a reason code (journaled) and the message in both languages.
public struct ReportActionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: Int
    /// `wrong_password`, `not_inspector`, `already_signed`, `not_closed`, `not_failed`, `retest_exists`, `unknown`.
    public var reason: String
    public var english: String
    public var chinese: String
    public var description: String { "\(english) / \(chinese)" }
}

/// The two actions that change a report, with every check, the lock, and the journaling of refusals.
/// Routes call it; tests call it directly.
public struct ReportDesk: Sendable {
    public var services: ReportServices

    public init(services: ReportServices) { self.services = services }

    /// Journals a refused `action` (`signoff.refused`) and throws it as the route's error.
    func refusal(_ action: String, of inspection: InspectionID, by user: StationUser, at now: WallTime,
                 _ status: Int, _ reason: String, _ en: String, _ zh: String) throws -> Never {
        let error = ReportActionError(status: status, reason: reason, english: en, chinese: zh)
        try services.journal.recordRefusal(
            ReportRefusal(action: action, user: user.id, role: user.role.rawValue, reason: reason, message: error.description),
            inspection: inspection, at: now)
        throw error
    }

    /// Roles that may sign and order re-tests.
    public static let signingRoles: Set<StationUser.Role> = [.inspector, .admin]

    /// Signs `inspection` for `user` after checking their role, their password again, and that the
    /// inspection is closed and unsigned. Every refusal is journaled (`signoff.refused`) before it is thrown.
    @discardableResult
    public func sign(_ inspection: InspectionID, user: StationUser, password: String, comment: String?) async throws -> Signature {
        let journal = services.journal
        let now = services.now()
        func refuse(_ status: Int, _ reason: String, _ en: String, _ zh: String) throws -> Never {
            try refusal("sign", of: inspection, by: user, at: now, status, reason, en, zh)
        }
        guard Self.signingRoles.contains(user.role) else {
            try refuse(403, "not_inspector", "\(user.id) is \(user.role.rawValue): only an inspector signs reports",
                       "\(user.id) 的角色是 \(user.role.rawValue)，只有检验员可以签字")
        }
        guard try journal.report(for: inspection) != nil else {
            throw ReportActionError(status: 404, reason: "unknown", english: "no inspection \(inspection)", chinese: "没有检验 \(inspection)")
        }
        guard await services.authority.verify(user: user.id, password: password) else {
            try refuse(403, "wrong_password", "the password is wrong; the report was not signed",
                       "密码错误，报告未签字")
        }
        if let signature = try journal.signature(of: inspection) {
            try refuse(409, "already_signed",
                       "\(inspection) was already signed by \(signature.record.userID) at \(signature.record.at); a signed report is locked",
                       "\(inspection) 已由 \(signature.record.userID) 签字，报告已锁定")
        }
        guard try journal.status(of: inspection) != nil else {
            try refuse(409, "not_closed", "\(inspection) is still open: sign it after its outcome", "\(inspection) 尚未结束，不能签字")
        }
        do {
            try journal.signOff(
                inspection, user: user.id, name: user.name, role: user.role.rawValue,
                comment: comment.flatMap { $0.isEmpty ? nil : $0 }, at: now)
        } catch let error as JournalError where error.code == .inspectionSigned {
            try refuse(409, "already_signed", "\(inspection) was signed meanwhile; a signed report is locked", "\(inspection) 已签字，报告已锁定")
        }
        return try journal.signature(of: inspection)!
    }

    /// Orders a re-test of the failed items of `inspection`: it must be closed, not passed, unsigned and
    /// not re-tested already. Refusals are journaled.
    public func orderRetest(_ inspection: InspectionID, user: StationUser) async throws -> InspectionID? {
        let journal = services.journal
        let now = services.now()
        func refuse(_ status: Int, _ reason: String, _ en: String, _ zh: String) throws -> Never {
            try refusal("retest", of: inspection, by: user, at: now, status, reason, en, zh)
        }
        guard Self.signingRoles.contains(user.role) else {
            try refuse(403, "not_inspector", "\(user.id) is \(user.role.rawValue): only an inspector orders a re-test",
                       "\(user.id) 的角色是 \(user.role.rawValue)，只有检验员可以安排复检")
        }
        guard let summary = try journal.summary(of: inspection) else {
            throw ReportActionError(status: 404, reason: "unknown", english: "no inspection \(inspection)", chinese: "没有检验 \(inspection)")
        }
        if let signature = try journal.signature(of: inspection) {
            try refuse(409, "already_signed",
                       "\(inspection) was signed by \(signature.record.userID); a signed report is locked (no re-test)",
                       "\(inspection) 已由 \(signature.record.userID) 签字，报告已锁定，不能复检")
        }
        guard let status = summary.status else {
            try refuse(409, "not_closed", "\(inspection) is still open", "\(inspection) 尚未结束")
        }
        guard status != .pass else {
            try refuse(409, "not_failed", "\(inspection) passed: there is nothing to re-test", "\(inspection) 已合格，无需复检")
        }
        if let retest = summary.retestedBy {
            try refuse(409, "retest_exists", "\(inspection) is already re-tested by \(retest)", "\(inspection) 已安排复检 \(retest)")
        }
        guard let retests = services.retests else {
            throw ReportActionError(
                status: 503, reason: "no_station", english: "this server runs no lane: re-tests are ordered at the station",
                chinese: "本服务器不连接检测线，请在检测站安排复检")
        }
        // The inspector's decision is journaled under their id: the journal must know them.
        try journal.write { tx in try tx.ensureUser(user.id, name: user.name, role: user.role.rawValue, at: now) }
        do {
            return try await retests.orderRetest(of: inspection, by: user.id)
        } catch let error as ReportActionError {
            // The station refused (a re-test already queued but not yet on a lane, the vehicle still in the flow,
            // no shift open): journaled like the desk's own refusals.
            try refuse(error.status, error.reason, error.english, error.chinese)
        }
    }
}
