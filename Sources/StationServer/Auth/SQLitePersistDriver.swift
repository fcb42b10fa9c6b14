import Foundation
import GRDB
public import Hummingbird
public import Journal
public import Logging
import ServiceLifecycle

/// Sessions that survive a restart: Hummingbird's key/value `PersistDriver` on a table of the station's SQLite
/// database (the journal's file, beside `station_accounts`; not an evidence table: sessions come and go).
///
/// A row holds the SHA-256 of the key (the database never holds a live session id, so a copy of the file signs
/// nobody in), the value as JSON and its expiry in wall-clock milliseconds (a monotonic clock does not survive a
/// restart). An expired row is never answered; ``run()`` deletes expired rows every
/// ``Configuration/tidyInterval`` while the server runs, and opening the store deletes them too.
///
/// Reads go to the pool's reader connections (concurrent with the journal writer); writes (sign-in, sign-out)
/// share the journal's serial writer. The session holds only the account's id: ``StationAuth`` re-reads the
/// account on every request, so a disabled account or a changed role takes effect at once, restart or not.
public final class SQLitePersistDriver: PersistDriver {
    /// How often expired rows are deleted.
    public struct Configuration: Sendable {
        /// Time between two purges of expired rows while the server runs (default 10 minutes).
        public var tidyInterval: Duration = .seconds(600)

        public init(tidyInterval: Duration = .seconds(600)) { self.tidyInterval = tidyInterval }
    }

    /// The station's database.
    public let journal: Journal
    /// How often expired rows are deleted.
    public let configuration: Configuration
    let now: @Sendable () -> WallTime
    let logger: Logger

    static let createTable = """
        CREATE TABLE IF NOT EXISTS station_sessions (
            key_hash   TEXT PRIMARY KEY,
            value      BLOB NOT NULL,
            expires_at INTEGER,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS station_sessions_expiry ON station_sessions (expires_at)
        """

    /// Opens the session table of `journal` (creating it if needed) and deletes the rows that expired.
    /// - Parameters:
    ///   - journal: The station's database (the same file as the accounts).
    ///   - configuration: How often expired rows are deleted.
    ///   - now: Wall time that expiry is measured on (default: the system clock); tests pass a manual one.
    ///   - logger: Logs purges and failed purges.
    public init(
        journal: Journal, configuration: Configuration = .init(), now: (@Sendable () -> WallTime)? = nil, logger: Logger
    ) throws {
        self.journal = journal
        self.configuration = configuration
        self.now = now ?? { WallTime(Date()) }
        self.logger = logger
        try journal.write { tx in try tx.db.execute(sql: Self.createTable) }
        _ = try purgeExpired()
    }

    // MARK: PersistDriver

    /// Stores `value` under `key`; `PersistError.duplicate` when a live (unexpired) value is there already.
    public func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let data = try Self.encode(value)
        let at = now().milliseconds
        let expiresAt = expires.map { at + Self.milliseconds($0) }
        let inserted = try journal.write { tx -> Bool in
            // An expired row is gone as far as readers know: the key is free again.
            try tx.db.execute(
                sql: "DELETE FROM station_sessions WHERE key_hash = ? AND expires_at IS NOT NULL AND expires_at <= ?",
                arguments: [Self.hash(key), at])
            try tx.db.execute(
                sql: """
                    INSERT INTO station_sessions (key_hash, value, expires_at, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key_hash) DO NOTHING
                    """,
                arguments: [Self.hash(key), data, expiresAt, at])
            return tx.db.changesCount > 0
        }
        if !inserted { throw PersistError.duplicate }
    }

    /// Stores `value` under `key`, replacing what is there; `expires` nil keeps an existing value's expiry.
    public func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let data = try Self.encode(value)
        let at = now().milliseconds
        let expiresAt = expires.map { at + Self.milliseconds($0) }
        try journal.write { tx in
            try tx.db.execute(
                sql: """
                    INSERT INTO station_sessions (key_hash, value, expires_at, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key_hash) DO UPDATE SET
                        value = excluded.value,
                        expires_at = COALESCE(excluded.expires_at, station_sessions.expires_at)
                    """,
                arguments: [Self.hash(key), data, expiresAt, at])
        }
    }

    /// The value under `key` unless it expired; `PersistError.invalidConversion` when it is not an `Object`.
    public func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    /// The value under `key` and the time it has left (nil: it never expires), unless it expired.
    public func getWithTTL<Object: Codable & Sendable>(
        key: String, as type: Object.Type
    ) async throws -> (object: Object, ttl: Duration?)? {
        let at = now().milliseconds
        let row = try journal.read { db in
            try Row.fetchOne(
                db, sql: "SELECT value, expires_at FROM station_sessions WHERE key_hash = ?", arguments: [Self.hash(key)])
        }
        guard let row else { return nil }
        let expiresAt: Int64? = row["expires_at"]
        if let expiresAt, expiresAt <= at { return nil }
        let data: Data = row["value"]
        let object: Object
        do {
            object = try JSONDecoder().decode(Object.self, from: data)
        } catch {
            throw PersistError.invalidConversion
        }
        return (object, expiresAt.map { .milliseconds($0 - at) })
    }

    /// Deletes the value under `key` (nothing when there is none).
    public func remove(key: String) async throws {
        try journal.write { tx in
            try tx.db.execute(sql: "DELETE FROM station_sessions WHERE key_hash = ?", arguments: [Self.hash(key)])
        }
    }

    // MARK: Tidying

    /// Deletes every expired row; returns how many.
    @discardableResult
    public func purgeExpired() throws -> Int {
        let at = now().milliseconds
        return try journal.write { tx in
            try tx.db.execute(
                sql: "DELETE FROM station_sessions WHERE expires_at IS NOT NULL AND expires_at <= ?", arguments: [at])
            return tx.db.changesCount
        }
    }

    /// Live (unexpired) rows now, for `lanectl` and the tests.
    public func liveCount() throws -> Int {
        let at = now().milliseconds
        return try journal.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM station_sessions WHERE expires_at IS NULL OR expires_at > ?",
                arguments: [at]) ?? 0
        }
    }

    /// Deletes expired rows every ``Configuration/tidyInterval`` until graceful shutdown or cancellation.
    public func run() async throws {
        let interval = configuration.tidyInterval
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                do {
                    let purged = try self.purgeExpired()
                    if purged > 0 { self.logger.debug("Expired sessions deleted", metadata: ["sessions.purged": "\(purged)"]) }
                } catch {
                    self.logger.warning("Could not delete expired sessions", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    // MARK: Helpers

    static func hash(_ key: String) -> String { sha256Hex(Data(key.utf8)) }

    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    static func milliseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s * 1_000 + atto / 1_000_000_000_000_000
    }
}
