import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Journal
import LaneCore
import LaneTesting
import Logging
import NIOCore
import StationServer
import Synchronization
import Testing

/// A wall clock the test turns by hand (session expiry is wall time: it must survive a restart).
final class ManualWallClock: Sendable {
    let milliseconds = Mutex<Int64>(1_795_000_000_000)
    var now: WallTime { WallTime(milliseconds: milliseconds.withLock { $0 }) }
    func advance(_ d: Duration) { milliseconds.withLock { $0 += d.components.seconds * 1_000 } }
}

/// Sessions in the station's database (`SQLitePersistDriver`): a server rebuilt on the same file (a restart)
/// keeps everyone signed in; expiry, sign-out and account changes still count.
@Suite(.timeLimit(.minutes(5)))
struct SessionPersistenceTests {
    /// One "process": the database opened, the accounts and sessions read from it, a server built on them.
    struct Station {
        let journal: Journal
        let accounts: AccountStore
        let sessions: SQLitePersistDriver
        let auth: StationAuth

        init(path: String, clock: ManualWallClock, lifetime: Duration = .seconds(8 * 3600)) throws {
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            journal = try Journal(path: path, now: clock.now)
            accounts = try AccountStore(journal: journal, now: { clock.now })
            sessions = try SQLitePersistDriver(journal: journal, now: { clock.now }, logger: logger)
            var configuration = AuthConfiguration()
            configuration.sessionLifetime = lifetime
            auth = StationAuth(accounts: accounts, configuration: configuration, sessionStore: sessions, logger: logger)
        }

        func app() throws -> some ApplicationProtocol {
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let (stream, _) = AsyncStream.makeStream(of: Sample.self)
            let hub = LiveHub(profile: try demoProfile(), pollers: [], samples: stream)
            return StationRoutes.application(hub: hub, auth: auth, host: "127.0.0.1", port: 0, logger: logger)
        }
    }

    /// `GET /api/me` with `cookie` answers `status`.
    static func expectStatus(
        _ client: some TestClientProtocol, _ cookie: String, _ status: HTTPResponse.Status, _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let answered = try await client.get("/api/me", cookie: cookie) { $0.status }
        #expect(answered == status, comment, sourceLocation: sourceLocation)
    }

    @Test func aSessionSurvivesARebuiltServerOnTheSameDatabaseAndTheFileNeverHoldsTheCookie() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.url.appendingPathComponent("station.sqlite").path
        let clock = ManualWallClock()
        let first = try Station(path: path, clock: clock)
        _ = try await first.accounts.prepareDemoAccounts(profile: try demoProfile(), password: "demo-password", by: "test")
        let cookie = try await first.app().test(.router) { client in
            let cookie = try await client.signIn("op1")
            try await Self.expectStatus(client, cookie, .ok)
            return cookie
        }
        try first.journal.close()

        // The database holds a hash of the session's key, never the id the cookie carries.
        let id = try #require(cookie.split(separator: "=", maxSplits: 1).last.map(String.init))
        let raw = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT key_hash, CAST(value AS TEXT) AS value FROM station_sessions")
        }
        #expect(raw.count == 1)
        let keyHash: String = raw[0]["key_hash"]
        let value: String = raw[0]["value"]
        #expect(keyHash.count == 64 && !keyHash.contains(id))
        #expect(value.contains("\"account\":\"op1\"") && !value.contains(id))

        // A new process on the same file: the cookie still signs op1 in, with the time it has left.
        clock.advance(.seconds(3600))
        let second = try Station(path: path, clock: clock)
        try await second.app().test(.router) { client in
            try await client.get("/api/me", cookie: cookie) { response in
                #expect(response.status == .ok)
                let body = try jsonObject(String(buffer: response.body))
                #expect(body["user"] as? String == "op1")
                #expect(body["role"] as? String == "operator")
                #expect(body["expires_in_seconds"] as? Int == 7 * 3600)
            }
            try await client.get("/console", cookie: cookie) { response in #expect(response.status == .ok) }
        }
        try second.journal.close()
    }

    @Test func anExpiredSessionIsRefusedAfterARestartAndItsRowIsPurged() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.url.appendingPathComponent("station.sqlite").path
        let clock = ManualWallClock()
        let first = try Station(path: path, clock: clock, lifetime: .seconds(600))
        _ = try await first.accounts.prepareDemoAccounts(profile: try demoProfile(), password: "demo-password", by: "test")
        let (early, late) = try await first.app().test(.router) { client in
            let early = try await client.signIn("op1")
            clock.advance(.seconds(300))
            let late = try await client.signIn("insp1")
            clock.advance(.seconds(299))
            try await Self.expectStatus(client, early, .ok, "599 s of 600")
            clock.advance(.seconds(1))
            try await Self.expectStatus(client, early, .unauthorized, "600 s: expired")
            try await Self.expectStatus(client, late, .ok)
            return (early, late)
        }
        #expect(try first.sessions.liveCount() == 1)
        try first.journal.close()

        // After a restart the expired one is still refused (expiry is wall time); opening purged its row.
        clock.advance(.seconds(60))
        let second = try Station(path: path, clock: clock, lifetime: .seconds(600))
        #expect(try second.journal.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM station_sessions") } == 1)
        try await second.app().test(.router) { client in
            try await Self.expectStatus(client, early, .unauthorized)
            try await Self.expectStatus(client, late, .ok)
            clock.advance(.seconds(300))
            try await Self.expectStatus(client, late, .unauthorized)
        }
        #expect(try second.sessions.purgeExpired() == 1)
        #expect(try second.journal.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM station_sessions") } == 0)
        try second.journal.close()
    }

    @Test func signingOutDeletesTheRowAndTheOldCookieStaysDeadAfterARestart() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.url.appendingPathComponent("station.sqlite").path
        let clock = ManualWallClock()
        let first = try Station(path: path, clock: clock)
        _ = try await first.accounts.prepareDemoAccounts(profile: try demoProfile(), password: "demo-password", by: "test")
        let cookie = try await first.app().test(.router) { client in
            let cookie = try await client.signIn("op1")
            let other = try await client.signIn("D01")
            #expect(try first.sessions.liveCount() == 2)
            try await client.post("/api/logout", json: "{}", cookie: cookie) { response in #expect(response.status == .ok) }
            #expect(try first.sessions.liveCount() == 1, "the row is deleted, not left to expire")
            #expect(try first.sessions.purgeExpired() == 0)
            try await Self.expectStatus(client, cookie, .unauthorized)
            try await Self.expectStatus(client, other, .ok)
            return cookie
        }
        try first.journal.close()
        let second = try Station(path: path, clock: clock)
        try await second.app().test(.router) { client in
            try await Self.expectStatus(client, cookie, .unauthorized)
        }
        try second.journal.close()
    }

    @Test func anAccountDisabledOrDemotedByAnotherProcessCountsAtTheNextRequestOfASurvivingSession() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.url.appendingPathComponent("station.sqlite").path
        let clock = ManualWallClock()
        let server = try Station(path: path, clock: clock)
        _ = try await server.accounts.prepareDemoAccounts(profile: try demoProfile(), password: "demo-password", by: "test")
        try await server.app().test(.router) { client in
            let operatorCookie = try await client.signIn("op1")
            let inspectorCookie = try await client.signIn("insp1")
            try await client.get("/console", cookie: operatorCookie) { #expect($0.status == .ok) }
            // `lanectl accounts role` and `disable` open the same file in another process, as here.
            let cli = try Journal(path: path, now: clock.now)
            let cliAccounts = try AccountStore(journal: cli, now: { clock.now })
            try cliAccounts.setRole(of: "op1", to: .inspector, by: "admin")
            try cliAccounts.setDisabled("insp1", true, by: "admin")
            try cli.close()
            try await client.get("/api/me", cookie: operatorCookie) { response in
                #expect(response.status == .ok)
                let body = try jsonObject(String(buffer: response.body))
                #expect(body["role"] as? String == "inspector")
            }
            try await client.get("/console", cookie: operatorCookie) { response in
                #expect(response.status == .seeOther, "an inspector is not let into the console")
            }
            try await Self.expectStatus(client, inspectorCookie, .unauthorized)
        }
        try server.journal.close()
    }

    @Test func theDriverAnswersLikeAPersistDriver() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = ManualWallClock()
        let journal = try Journal(path: folder.url.appendingPathComponent("station.sqlite").path, now: clock.now)
        defer { try? journal.close() }
        let store = try SQLitePersistDriver(journal: journal, now: { clock.now }, logger: Logger(label: "test"))
        try await store.create(key: "a", value: StationSession(account: "op1", signedInAt: 1), expires: .seconds(10))
        await #expect(throws: PersistError.duplicate) {
            try await store.create(key: "a", value: StationSession(account: "op2", signedInAt: 2), expires: nil)
        }
        #expect(try await store.get(key: "a", as: StationSession.self)?.account == "op1")
        // A value of another type is a conversion error, not a wrong answer.
        await #expect(throws: PersistError.invalidConversion) { try await store.get(key: "a", as: Int.self) }
        // `set` without an expiry keeps the one there.
        try await store.set(key: "a", value: StationSession(account: "op3", signedInAt: 3), expires: nil)
        let (value, ttl) = try #require(try await store.getWithTTL(key: "a", as: StationSession.self))
        #expect(value.account == "op3")
        #expect(ttl == .seconds(10))
        // A value without expiry lasts; an expired key may be created again.
        try await store.set(key: "forever", value: 42, expires: nil)
        clock.advance(.seconds(10))
        #expect(try await store.get(key: "a", as: StationSession.self) == nil)
        try await store.create(key: "a", value: StationSession(account: "op4", signedInAt: 4), expires: .seconds(5))
        #expect(try await store.get(key: "a", as: StationSession.self)?.account == "op4")
        let forever = try #require(try await store.getWithTTL(key: "forever", as: Int.self))
        #expect(forever.object == 42 && forever.ttl == nil)
        try await store.remove(key: "forever")
        #expect(try await store.get(key: "forever", as: Int.self) == nil)
        try await store.remove(key: "never-there")
    }
    @Test func runningItDeletesExpiredRowsEveryTidyInterval() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = ManualWallClock()
        let journal = try Journal(path: folder.url.appendingPathComponent("station.sqlite").path, now: clock.now)
        defer { try? journal.close() }
        let store = try SQLitePersistDriver(
            journal: journal, configuration: .init(tidyInterval: .milliseconds(20)), now: { clock.now },
            logger: Logger(label: "test"))
        func rows() throws -> Int {
            try journal.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM station_sessions") ?? -1 }
        }
        try await store.create(key: "short", value: 1, expires: .seconds(1))
        try await store.create(key: "long", value: 2, expires: .seconds(100))
        clock.advance(.seconds(2))
        #expect(try rows() == 2, "nothing deletes a row before the service runs")
        let service = Task { try await store.run() }
        var left = try rows()
        for _ in 0..<500 where left != 1 {
            try await Task.sleep(for: .milliseconds(20))
            left = try rows()
        }
        service.cancel()
        try? await service.value
        #expect(left == 1)
        #expect(try await store.get(key: "long", as: Int.self) == 2)
    }
}
