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
import Testing

@Suite(.timeLimit(.minutes(5)))
struct AuthTests {
    func app(_ auth: StationAuth) throws -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let (stream, _) = AsyncStream.makeStream(of: Sample.self)
        let hub = LiveHub(profile: try demoProfile(), pollers: [], samples: stream)
        return StationRoutes.application(hub: hub, auth: auth, host: "127.0.0.1", port: 0, logger: logger)
    }

    func withJournal<T>(_ body: (Journal) async throws -> T) async throws -> T {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let journal = try Journal(path: folder.url.appendingPathComponent("station.sqlite").path, now: WallTime(milliseconds: 0))
        defer { try? journal.close() }
        return try await body(journal)
    }

    func entries(_ journal: Journal, kind: String) throws -> [[String: Any]] {
        try journal.entries().filter { $0.kind.rawValue == kind }.map { try jsonObject($0.payload) }
    }

    @Test func rightPasswordSignsInWithAnHttpOnlySameSiteStrictCookieAndMeNamesTheRole() async throws {
        try await app(try await makeAuth()).test(.router) { client in
            try await client.post("/api/login", json: #"{"user": "op1", "password": "demo-password"}"#, cookie: nil) { response in
                #expect(response.status == .ok)
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.hasPrefix("lanecontrol_session="))
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Strict"))
                let body = try jsonObject(String(buffer: response.body))
                #expect(body["role"] as? String == "operator")
                #expect(body["home"] as? String == "/console")
                #expect(body["expires_in_seconds"] as? Int == 8 * 3600)
            }
            let cookie = try await client.signIn("D03")
            try await client.get("/api/me", cookie: cookie) { response in
                #expect(response.status == .ok)
                let body = try jsonObject(String(buffer: response.body))
                #expect(body["user"] as? String == "D03")
                #expect(body["role"] as? String == "driver")
                #expect(body["driver"] as? String == "D03")
                #expect(body["home"] as? String == "/handheld")
            }
            try await client.get("/api/me", cookie: nil) { response in #expect(response.status == .unauthorized) }
            try await client.get("/api/me", cookie: "lanecontrol_session=forged") { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func wrongPasswordAndUnknownAccountAnswerTheSame401AndAreJournaledWithoutThePassword() async throws {
        try await withJournal { journal in
            let auth = try await makeAuth(journal: journal)
            try await app(auth).test(.router) { client in
                var reasons: [String] = []
                for user in ["op1", "nobody"] {
                    try await client.post("/api/login", json: #"{"user": "\#(user)", "password": "guess-1234"}"#, cookie: nil) { r in
                        #expect(r.status == .unauthorized)
                        #expect(r.headers[.setCookie] == nil)
                        let error = try #require(try jsonObject(String(buffer: r.body))["error"] as? [String: Any])
                        reasons.append(try #require(error["reason"] as? String))
                    }
                }
                #expect(reasons[0] == reasons[1], "the answer does not tell which accounts exist")
                try await client.post("/api/login", json: #"{"user": "op1"}"#, cookie: nil) { r in #expect(r.status == .badRequest) }
            }
            let failed = try entries(journal, kind: "auth.login_failed")
            #expect(failed.map { $0["account"] as? String } == ["op1", "nobody"])
            #expect(failed.allSatisfy { $0["reason"] as? String == "bad_credentials" && $0["address"] != nil })
            #expect(try journal.entries().allSatisfy { !$0.payload.contains("guess-1234") })
            #expect(try journal.verify().isIntact)
        }
    }

    @Test func fiveFailuresOfAnAccountIn5MinutesAnswer429WithRetryAfterUntilTheWindowPasses() async throws {
        let clock = ManualClock()
        try await withJournal { journal in
            let auth = try await makeAuth(journal: journal, clock: clock)
            try await app(auth).test(.router) { client in
                for _ in 0..<5 {
                    clock.advance(by: .seconds(10))
                    try await client.post("/api/login", json: #"{"user": "insp1", "password": "wrong-one"}"#, cookie: nil) { r in
                        #expect(r.status == .unauthorized)
                    }
                }
                // Even the right password is refused while the account is throttled.
                try await client.post("/api/login", json: #"{"user": "insp1", "password": "demo-password"}"#, cookie: nil) { r in
                    #expect(r.status == .tooManyRequests)
                    // The first failure (at 10 s) leaves the window at 310 s; now is 50 s.
                    #expect(r.headers[.retryAfter] == "260")
                    #expect(String(buffer: r.body).contains("260"))
                }
                clock.advance(by: .seconds(261))
                _ = try await client.signIn("insp1")
            }
            let failed = try entries(journal, kind: "auth.login_failed")
            #expect(failed.map { $0["reason"] as? String } == Array(repeating: "bad_credentials", count: 5) + ["rate_limited"])
            #expect(try entries(journal, kind: "auth.login").count == 1)
        }
    }

    @Test func failuresFromOneAddressAcrossAccountsAreLimitedToo() async throws {
        let clock = ManualClock()
        try await app(try await makeAuth(clock: clock)).test(.router) { client in
            // Five different accounts guessed from the same client address.
            for user in ["a1", "a2", "a3", "a4", "op1"] {
                try await client.post("/api/login", json: #"{"user": "\#(user)", "password": "wrong-one"}"#, cookie: nil) { r in
                    #expect(r.status == .unauthorized)
                }
            }
            try await client.post("/api/login", json: #"{"user": "D01", "password": "demo-password"}"#, cookie: nil) { r in
                #expect(r.status == .tooManyRequests)
                #expect(r.headers[.retryAfter] == "300")
            }
        }
    }

    @Test func sessionEndsAfterItsLifetimeAndAfterLogout() async throws {
        let clock = ManualClock()
        let auth = try await makeAuth(clock: clock) { $0.sessionLifetime = .seconds(3600) }
        try await app(auth).test(.router) { client in
            let cookie = try await client.signIn("op1")
            clock.advance(by: .seconds(3599))
            try await client.get("/api/me", cookie: cookie) { r in #expect(r.status == .ok) }
            clock.advance(by: .seconds(2))
            try await client.get("/api/me", cookie: cookie) { r in #expect(r.status == .unauthorized) }
            try await client.get("/console", cookie: cookie) { r in
                #expect(r.status == .seeOther)
                #expect(r.headers[.location] == "/login?next=%2Fconsole")
            }
            let second = try await client.signIn("op1")
            try await client.post("/api/logout", json: "{}", cookie: second) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.setCookie]?.contains("lanecontrol_session=") == true)
            }
            try await client.get("/api/me", cookie: second) { r in #expect(r.status == .unauthorized) }
            // Signing in again with a session cookie replaces that session: the old id stops working.
            let third = try await client.signIn("op1")
            try await client.post("/api/login", json: #"{"user": "insp1", "password": "demo-password"}"#, cookie: third) { r in
                #expect(r.status == .ok)
            }
            try await client.get("/api/me", cookie: third) { r in #expect(r.status == .unauthorized) }
        }
    }

    @Test func everyRoleReachesOnlyItsPagesAndRoutes() async throws {
        try await app(try await makeAuth()).test(.router) { client in
            // Not signed in: pages go to the login page, the API answers 401 in JSON.
            try await client.get("/console", cookie: nil) { r in
                #expect(r.status == .seeOther)
                #expect(r.headers[.location] == "/login?next=%2Fconsole")
            }
            try await client.get("/handheld", cookie: nil) { r in #expect(r.headers[.location] == "/login?next=%2Fhandheld") }
            try await client.get("/api/rigs", cookie: nil) { r in
                #expect(r.status == .unauthorized)
                #expect(String(buffer: r.body).contains("POST /api/login"))
            }
            try await client.get("/login", cookie: nil) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("/assets/login.js"))
            }
            try await client.get("/", cookie: nil) { r in #expect(r.headers[.location] == "/login") }

            let driver = try await client.signIn("D01")
            try await client.get("/console", cookie: driver) { r in
                #expect(r.status == .seeOther)
                #expect(r.headers[.location] == "/login?next=%2Fconsole&denied=1")
            }
            try await client.get("/api/rigs", cookie: driver) { r in
                #expect(r.status == .forbidden)
                #expect(String(buffer: r.body).contains("D01 is driver"))
            }
            try await client.get("/handheld", cookie: driver) { r in #expect(r.status == .ok) }
            try await client.get("/", cookie: driver) { r in #expect(r.headers[.location] == "/handheld") }

            let operatorCookie = try await client.signIn("op1")
            try await client.get("/console", cookie: operatorCookie) { r in #expect(r.status == .ok) }
            try await client.get("/api/rigs", cookie: operatorCookie) { r in #expect(r.status == .ok) }
            try await client.get("/handheld", cookie: operatorCookie) { r in #expect(r.status == .seeOther) }

            let inspector = try await client.signIn("insp1")
            try await client.get("/console", cookie: inspector) { r in #expect(r.status == .seeOther) }
            try await client.get("/api/rigs", cookie: inspector) { r in #expect(r.status == .ok) }

            let admin = try await client.signIn("admin")
            try await client.get("/console", cookie: admin) { r in #expect(r.status == .ok) }
        }
    }

    @Test func accountsPersistInTheJournalFileAndEveryChangeIsJournaled() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.url.appendingPathComponent("station.sqlite").path
        do {
            let journal = try Journal(path: path, now: WallTime(milliseconds: 0))
            let store = try AccountStore(journal: journal)
            try await store.create(StationUser(id: "op7", name: "Operator 7", role: .operator), password: "first-secret", by: "admin")
            await #expect(throws: AccountError.exists("op7")) {
                try await store.create(StationUser(id: "op7", name: "again", role: .admin), password: "first-secret", by: "admin")
            }
            await #expect(throws: AccountError.shortPassword("op8")) {
                try await store.create(StationUser(id: "op8", name: "x", role: .operator), password: "short", by: "admin")
            }
            await #expect(throws: AccountError.driverWithoutDriverID("d9")) {
                try await store.create(StationUser(id: "d9", name: "x", role: .driver), password: "long-enough", by: "admin")
            }
            try store.setRole(of: "op7", to: .inspector, by: "admin")
            try await store.setPassword(of: "op7", to: "second-secret", by: "admin")
            try journal.close()
        }
        let journal = try Journal(path: path, now: WallTime(milliseconds: 0))
        defer { try? journal.close() }
        let store = try AccountStore(journal: journal)
        #expect(try await store.verify("op7", password: "first-secret") == nil)
        let user = try #require(try await store.verify("op7", password: "second-secret"))
        #expect(user.role == .inspector)
        let hash = try #require(store.account("op7")?.passwordHash)
        #expect(hash.hasPrefix("$2b$10$") || hash.hasPrefix("$2a$10$") || hash.hasPrefix("$2y$10$"))
        #expect(try journal.entries().map(\.kind.rawValue) == [
            "auth.account_created", "user.added", "auth.role_changed", "auth.password_changed",
        ])
        let roleChange = try #require(try entries(journal, kind: "auth.role_changed").first)
        #expect(roleChange["role"] as? String == "inspector" && roleChange["previous_role"] as? String == "operator")
        // The evidence row sign-offs refer to.
        #expect(try journal.read { db in try String.fetchOne(db, sql: "SELECT role FROM users WHERE id = 'op7'") } == "operator")
        #expect(try journal.entries().allSatisfy { !$0.payload.contains(hash) && !$0.payload.contains("secret") })
        #expect(try journal.verify().isIntact)
    }

    @Test func disabledAccountCannotSignInAndItsSessionStopsWorking() async throws {
        let auth = try await makeAuth()
        try await app(auth).test(.router) { client in
            let cookie = try await client.signIn("D02")
            try auth.accounts.setDisabled("D02", true, by: "admin")
            try await client.get("/api/me", cookie: cookie) { r in #expect(r.status == .unauthorized) }
            try await client.post("/api/login", json: #"{"user": "D02", "password": "demo-password"}"#, cookie: nil) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test func demoAccountsCoverEveryRoleAndEveryDriverOfTheProfileWithRandomPasswords() async throws {
        let store = try AccountStore(journal: nil)
        let profile = try demoProfile()
        let logins = try await store.prepareDemoAccounts(profile: profile, password: nil, by: "test")
        #expect(logins.prefix(3).map(\.user.id) == ["op1", "insp1", "admin"])
        #expect(logins.dropFirst(3).map(\.user.driver) == profile.drivers.map(\.id))
        #expect(Set(logins.map(\.password)).count == logins.count)
        #expect(logins.allSatisfy { $0.password.count == 10 })
        let again = try await store.prepareDemoAccounts(profile: profile, password: nil, by: "test")
        #expect(try await store.verify("D01", password: logins[3].password) == nil)
        #expect(try await store.verify("D01", password: again[3].password)?.driver == "D01")
    }
}

struct LoginThrottleTests {
    @Test func refusesAfterTheLimitAndFreesTheKeyAsFailuresLeaveTheWindow() {
        var throttle = LoginThrottle(limit: 3, window: .seconds(60))
        for t in [0, 10, 20] { throttle.recordFailure(["a"], at: .seconds(t)) }
        #expect(throttle.retryAfter(["a"], at: .seconds(30)) == .seconds(30))
        #expect(throttle.retryAfter(["b"], at: .seconds(30)) == nil)
        #expect(throttle.retryAfter(["b", "a"], at: .seconds(30)) == .seconds(30))
        #expect(throttle.retryAfter(["a"], at: .seconds(60)) == nil)
        #expect(throttle.failureCount("a", at: .seconds(60)) == 2)
        throttle.reset("a")
        #expect(throttle.failureCount("a", at: .seconds(60)) == 0)
    }
}

@Suite(.timeLimit(.minutes(5)))
struct AccountRoutesTests {
    @Test func anAdminManagesAccountsOverTheAPIAndOthersAreRefused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let journal = try Journal(path: folder.url.appendingPathComponent("station.sqlite").path, now: WallTime(milliseconds: 0))
        defer { try? journal.close() }
        let auth = try await makeAuth(journal: journal)
        try await AuthTests().app(auth).test(.router) { client in
            let admin = try await client.signIn("admin")
            let operatorCookie = try await client.signIn("op1")
            try await client.get("/api/accounts", cookie: operatorCookie) { r in
                #expect(r.status == .forbidden)
            }
            try await client.get("/api/accounts", cookie: admin) { r in
                #expect(r.status == .ok)
                let accounts = try #require(try jsonObject(String(buffer: r.body))["accounts"] as? [[String: Any]])
                #expect(accounts.count == 11)
                #expect(!String(buffer: r.body).contains("$2"), "no hash leaves the server")
            }
            let create = #"{"user": "op2", "name": "Operator 2", "role": "operator", "password": "op2-secret"}"#
            try await client.post("/api/accounts", json: create, cookie: operatorCookie) { r in
                #expect(r.status == .forbidden)
            }
            try await client.post("/api/accounts", json: create, cookie: admin) { r in
                #expect(r.status == .ok)
                let body = try jsonObject(String(buffer: r.body))
                #expect(body["role"] as? String == "operator")
            }
            try await client.post("/api/accounts", json: create, cookie: admin) { r in
                #expect(r.status == .conflict)
            }
            try await client.post(
                "/api/accounts", json: #"{"user": "d9", "role": "driver", "password": "long-enough"}"#, cookie: admin
            ) { r in
                #expect(r.status == .unprocessableContent)
            }
            let op2 = try await client.signIn("op2", "op2-secret")
            try await client.post("/api/accounts/op2/role", json: #"{"role": "inspector"}"#, cookie: admin) { r in
                #expect(r.status == .ok)
            }
            try await client.get("/api/me", cookie: op2) { r in
                let body = try jsonObject(String(buffer: r.body))
                #expect(body["role"] as? String == "inspector")
            }
            try await client.post("/api/accounts/op2/password", json: #"{"password": "new-secret-2"}"#, cookie: admin) { r in
                #expect(r.status == .ok)
            }
            _ = try await client.signIn("op2", "new-secret-2")
            try await client.post("/api/accounts/op2/disabled", json: #"{"disabled": true}"#, cookie: admin) { r in
                #expect(r.status == .ok)
                let body = try jsonObject(String(buffer: r.body))
                #expect(body["disabled"] as? Bool == true)
            }
            try await client.get("/api/me", cookie: op2) { r in #expect(r.status == .unauthorized) }
            try await client.post("/api/accounts/admin/disabled", json: #"{"disabled": true}"#, cookie: admin) { r in
                #expect(r.status == .conflict)
            }
            try await client.post("/api/accounts/nobody/role", json: #"{"role": "admin"}"#, cookie: admin) { r in
                #expect(r.status == .notFound)
            }
        }
        let kinds = try journal.entries().filter { $0.actor == "admin" }.map(\.kind.rawValue)
        #expect(kinds.contains("auth.account_created") && kinds.contains("auth.role_changed")
            && kinds.contains("auth.password_changed") && kinds.contains("auth.account_disabled"))
    }
}
