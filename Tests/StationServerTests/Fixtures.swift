import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import LaneCore
import LaneTesting
import Logging
import NIOCore
import Profiles
import RigFirmware
import Rigs
import StationServer
import Synchronization

/// The demo profile, loaded from the repository.
func demoProfile() throws -> LaneProfile {
    try ProfileLoader(scenarios: VehicleScenario.names, faults: RigFault.names).load(path: Repository().demoProfile)
}

/// The demo profile's rigs simulated in-process on loopback, polled by real pollers into a hub.
final class LiveStation: Sendable {
    let profile: LaneProfile
    let station: SimulatedStation
    let runtime: StationRuntime

    init(only: Set<RigID>? = nil) throws {
        profile = try demoProfile()
        station = try SimulatedStation(profile: profile)
        var ports: [RigID: Int] = [:]
        for rig in profile.rigs { ports[rig.id] = station.port(of: rig.id) }
        let links = try StationLinks.configurations(for: profile, ports: ports, only: only)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        runtime = StationRuntime(profile: profile, links: links, logger: logger)
    }

    var hub: LiveHub { runtime.hub }

    /// Starts the rigs, pollers and hub, runs `body`, then stops everything (threads joined).
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        station.start()
        for poller in runtime.pollers { poller.start() }
        defer { station.stop() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { [hub] in
                try await hub.run()
                return nil
            }
            do {
                let result = try await body()
                group.cancelAll()
                for poller in runtime.pollers { await poller.stop() }
                return result
            } catch {
                group.cancelAll()
                for poller in runtime.pollers { await poller.stop() }
                throw error
            }
        }
    }

    /// Polls `condition` every 20 ms for up to `timeout`.
    func wait(
        _ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !condition() {
            guard clock.now < deadline else { throw TimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A decoded JSON object, for reading responses without mirroring every type.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw TimedOut(what: "a JSON object in \(text.prefix(200))")
    }
    return object
}

/// A clock the test moves by hand (sessions' expiry, the failure window).
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let current = Mutex(Duration.zero)
    var now: Instant { Instant(offset: current.withLock { $0 }) }
    var minimumResolution: Duration { .nanoseconds(1) }
    /// Time since the start, for ``StationAuth``'s failure window.
    var elapsed: Duration { current.withLock { $0 } }

    func advance(by duration: Duration) { current.withLock { $0 += duration } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        while now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }
}

/// Sign-in over `journal`'s accounts (or in memory) with sessions and the failure window on `clock`, and the
/// demo accounts created with `password`.
func makeAuth(
    journal: Journal? = nil, clock: ManualClock = ManualClock(), password: String = "demo-password",
    configure: (inout AuthConfiguration) -> Void = { _ in }
) async throws -> StationAuth {
    var configuration = AuthConfiguration()
    configure(&configuration)
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let accounts = try AccountStore(journal: journal)
    _ = try await accounts.prepareDemoAccounts(profile: try demoProfile(), password: password, by: "test")
    return StationAuth(
        accounts: accounts, configuration: configuration, sessionStore: MemoryPersistDriver(clock),
        uptime: { clock.elapsed }, logger: logger)
}

extension TestClientProtocol {
    /// Signs in and returns the `Cookie` header value to send with later requests.
    func signIn(_ user: String, _ password: String = "demo-password") async throws -> String {
        try await execute(
            uri: "/api/login", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"user": "\#(user)", "password": "\#(password)"}"#)
        ) { response in
            guard response.status == .ok, let setCookie = response.headers[.setCookie],
                let pair = setCookie.split(separator: ";").first
            else { throw TimedOut(what: "a session cookie for \(user) (got \(response.status) \(String(buffer: response.body)))") }
            return String(pair)
        }
    }

    /// `GET uri` with the session cookie.
    func get<T>(_ uri: String, cookie: String?, _ check: @escaping (TestResponse) async throws -> T) async throws -> T {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: uri, method: .get, headers: headers, testCallback: check)
    }

    /// `POST uri` with a JSON body and the session cookie.
    func post<T>(
        _ uri: String, json: String, cookie: String?, _ check: @escaping (TestResponse) async throws -> T
    ) async throws -> T {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json), testCallback: check)
    }
}
