import Foundation
import GRDB
public import Journal
public import LaneCore
import Synchronization

/// The station's accounts: who may sign in, with which role, and their bcrypt password hash.
///
/// With a journal, accounts live in its SQLite file in the table `station_accounts` (not an evidence table:
/// passwords and roles change), and every change is journaled: creating an account appends `auth.account_created`
/// and the `users` evidence row (`user.added`, which sign-offs refer to), a role change `auth.role_changed`, a
/// password change `auth.password_changed` (never the hash). Without a journal, accounts live in memory.
public final class AccountStore: Sendable {
    /// One account as stored.
    public struct Account: Sendable, Hashable {
        public var user: StationUser
        public var passwordHash: String
        public var disabled: Bool
    }

    let journal: Journal?
    /// The hasher for new passwords.
    public let hasher: PasswordHasher
    let now: @Sendable () -> WallTime
    private let accounts: Mutex<[String: Account]>

    static let createTable = """
        CREATE TABLE IF NOT EXISTS station_accounts (
            id            TEXT PRIMARY KEY,
            name          TEXT NOT NULL,
            role          TEXT NOT NULL CHECK (role IN ('operator','driver','inspector','admin')),
            driver        TEXT,
            password_hash TEXT NOT NULL,
            disabled      INTEGER NOT NULL DEFAULT 0,
            updated_at    INTEGER NOT NULL
        )
        """

    /// Opens the accounts of `journal` (creating the table if needed), or an empty in-memory store.
    /// - Parameters:
    ///   - journal: The station's journal, or nil to keep accounts in memory.
    ///   - hasher: Hashes new passwords.
    ///   - now: Wall time of journal entries (default: the system clock).
    public init(
        journal: Journal?, hasher: PasswordHasher = .init(), now: (@Sendable () -> WallTime)? = nil
    ) throws {
        self.journal = journal
        self.hasher = hasher
        self.now = now ?? { WallTime(Date()) }
        var loaded: [String: Account] = [:]
        if let journal {
            try journal.write { tx in try tx.db.execute(sql: Self.createTable) }
            loaded = try journal.read { db in
                var found: [String: Account] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT id, name, role, driver, password_hash, disabled FROM station_accounts") {
                    if let account = Self.account(row) { found[account.user.id] = account }
                }
                return found
            }
        }
        accounts = Mutex(loaded)
    }

    /// Every account's user, sorted by id.
    public var users: [StationUser] { accounts.withLock { $0.values.map(\.user) }.sorted { $0.id < $1.id } }

    /// The user of an enabled account, or nil. With a journal the account is read from the database each time
    /// (a primary-key read), so a change made by another process (`lanectl accounts disable` or `role` while the
    /// server runs) counts at the next request of a session that outlived it; a read that fails falls back to
    /// the last known state.
    public func user(_ id: String) -> StationUser? {
        if let journal {
            do {
                let fresh = try journal.read { db in try Self.fetch(id, db) }
                accounts.withLock { $0[id] = fresh }
                return fresh.flatMap { $0.disabled ? nil : $0.user }
            } catch {
                // The last known state below.
            }
        }
        return accounts.withLock { $0[id].flatMap { $0.disabled ? nil : $0.user } }
    }

    /// One account's row, or nil when there is none (or its role is not one this version knows).
    static func fetch(_ id: String, _ db: Database) throws -> Account? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT id, name, role, driver, password_hash, disabled FROM station_accounts WHERE id = ?",
            arguments: [id])
        else { return nil }
        return account(row)
    }

    static func account(_ row: Row) -> Account? {
        let id: String = row["id"]
        let roleText: String = row["role"]
        guard let role = StationUser.Role(rawValue: roleText) else { return nil }
        let driver: String? = row["driver"]
        return Account(
            user: StationUser(id: id, name: row["name"], role: role, driver: driver.map(DriverID.init(rawValue:))),
            passwordHash: row["password_hash"], disabled: row["disabled"])
    }

    /// The stored account (for checks and tests).
    public func account(_ id: String) -> Account? { accounts.withLock { $0[id] } }

    /// The account of the driver `driver`, if one is linked to it.
    public func account(forDriver driver: DriverID) -> StationUser? {
        accounts.withLock { $0.values.first { $0.user.driver == driver }?.user }
    }

    /// Creates an account and journals it.
    /// - Parameters:
    ///   - user: Login name, display name, role, and for a driver the roster's driver id.
    ///   - password: At least 8 characters.
    ///   - actor: Who creates it (an admin's id, `lanectl demo`).
    /// - Throws: ``AccountError`` for a taken or malformed id, a short password, a driver without a driver id.
    public func create(_ user: StationUser, password: String, by actor: String) async throws {
        try Self.validate(user)
        try Self.validate(password: password, for: user.id)
        guard account(user.id) == nil else { throw AccountError.exists(user.id) }
        let hash = try await hasher.hash(password)
        let account = Account(user: user, passwordHash: hash, disabled: false)
        if let journal {
            let at = now()
            try journal.write { tx in
                try tx.db.execute(
                    sql: """
                        INSERT INTO station_accounts (id, name, role, driver, password_hash, disabled, updated_at)
                        VALUES (?, ?, ?, ?, ?, 0, ?)
                        """,
                    arguments: [user.id, user.name, user.role.rawValue, user.driver?.rawValue, hash, at.milliseconds])
                try tx.append(
                    kind: "auth.account_created", inspection: nil, actor: actor, at: at,
                    payload: AccountEvent(account: user.id, name: user.name, role: user.role.rawValue, driver: user.driver?.rawValue))
                // The evidence row sign-offs and reports refer to; an id is added once, ever.
                if try Bool.fetchOne(tx.db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [user.id]) == nil {
                    try tx.record(UserRecord(id: user.id, name: user.name, role: user.role.rawValue), actor: actor, at: at)
                }
            }
        }
        try accounts.withLock { accounts in
            guard accounts[user.id] == nil else { throw AccountError.exists(user.id) }
            accounts[user.id] = account
        }
    }

    /// Sets a new password (journaled as `auth.password_changed`, without the hash).
    public func setPassword(of id: String, to password: String, by actor: String) async throws {
        guard account(id) != nil else { throw AccountError.unknown(id) }
        try Self.validate(password: password, for: id)
        let hash = try await hasher.hash(password)
        try persist(id, kind: "auth.password_changed", actor: actor, payload: AccountEvent(account: id)) { account in
            account.passwordHash = hash
            return ("password_hash", hash)
        }
    }

    /// Changes an account's role (journaled as `auth.role_changed` with the old and new role). The driver
    /// link is kept; it only counts while the role is `driver` (the handheld routes require that role).
    public func setRole(of id: String, to role: StationUser.Role, by actor: String) throws {
        guard let old = account(id) else { throw AccountError.unknown(id) }
        if role == .driver, old.user.driver == nil { throw AccountError.driverWithoutDriverID(id) }
        let payload = AccountEvent(account: id, role: role.rawValue, previousRole: old.user.role.rawValue)
        try persist(id, kind: "auth.role_changed", actor: actor, payload: payload) { account in
            account.user.role = role
            return ("role", role.rawValue)
        }
    }

    /// Enables or disables an account (a disabled account cannot sign in and its sessions stop working).
    public func setDisabled(_ id: String, _ disabled: Bool, by actor: String) throws {
        guard account(id) != nil else { throw AccountError.unknown(id) }
        let kind: EntryKind = disabled ? "auth.account_disabled" : "auth.account_enabled"
        try persist(id, kind: kind, actor: actor, payload: AccountEvent(account: id)) { account in
            account.disabled = disabled
            return ("disabled", disabled ? 1 : 0)
        }
    }

    /// The user of `id` when `password` is its password and the account is enabled; nil otherwise. The time
    /// taken does not tell an unknown account from a wrong password (a dummy hash is checked).
    public func verify(_ id: String, password: String) async throws -> StationUser? {
        guard let account = account(id), !account.disabled else {
            _ = try await hasher.verify(password, hash: try await dummyHash())
            return nil
        }
        return try await hasher.verify(password, hash: account.passwordHash) ? account.user : nil
    }

    private let dummy = Mutex<String?>(nil)
    private func dummyHash() async throws -> String {
        if let hash = dummy.withLock({ $0 }) { return hash }
        let hash = try await hasher.hash(UUID().uuidString)
        dummy.withLock { $0 = hash }
        return hash
    }

    private func persist(
        _ id: String, kind: EntryKind, actor: String, payload: AccountEvent,
        _ change: (inout Account) -> (column: String, value: any DatabaseValueConvertible)
    ) throws {
        guard var account = account(id) else { throw AccountError.unknown(id) }
        let (column, value) = change(&account)
        if let journal {
            let at = now()
            try journal.write { tx in
                try tx.db.execute(
                    sql: "UPDATE station_accounts SET \(column) = ?, updated_at = ? WHERE id = ?",
                    arguments: [value, at.milliseconds, id])
                try tx.append(kind: kind, inspection: nil, actor: actor, at: at, payload: payload)
            }
        }
        accounts.withLock { $0[id] = account }
    }

    static func validate(_ user: StationUser) throws {
        guard (1...32).contains(user.id.count),
            user.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else { throw AccountError.badID(user.id) }
        if user.role == .driver, user.driver == nil { throw AccountError.driverWithoutDriverID(user.id) }
    }

    static func validate(password: String, for id: String) throws {
        guard password.count >= 8 else { throw AccountError.shortPassword(id) }
        guard password.utf8.count <= 72 else { throw AccountError.longPassword(id) }
    }
}

/// The payload of the `auth.*` journal entries about an account (never a password or hash).
struct AccountEvent: Codable, Sendable {
    var account: String
    var name: String?
    var role: String?
    var driver: String?
    var previousRole: String?

    enum CodingKeys: String, CodingKey {
        case account, name, role, driver
        case previousRole = "previous_role"
    }
}

/// Why an account could not be created or changed.
public enum AccountError: Error, Hashable, Sendable, CustomStringConvertible {
    case exists(String)
    case unknown(String)
    case badID(String)
    case shortPassword(String)
    case longPassword(String)
    case driverWithoutDriverID(String)

    public var description: String {
        switch self {
        case .exists(let id): "account \(id) already exists; pick another login name / 账号 \(id) 已存在"
        case .unknown(let id): "no account \(id) / 没有账号 \(id)"
        case .badID(let id):
            "login name \"\(id)\" must be 1 to 32 ASCII letters, digits, '-', '_' or '.' / 登录名只能包含 1–32 个字母、数字、-、_ 或 ."
        case .shortPassword(let id): "the password of \(id) must have at least 8 characters / 密码至少 8 个字符"
        case .longPassword(let id): "the password of \(id) must be at most 72 bytes (bcrypt's limit) / 密码最长 72 字节"
        case .driverWithoutDriverID(let id):
            "driver account \(id) needs the driver id of the profile's roster (D01…) / 驾驶员账号 \(id) 必须关联驾驶员编号"
        }
    }
}
