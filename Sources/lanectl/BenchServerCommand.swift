import ArgumentParser
import AsyncHTTPClient
import Foundation
import Histogram
import Hummingbird
import HummingbirdWSClient
import HummingbirdWebSocket
import Journal
import LaneCore
import Logging
import Modbus
import NIOCore
import NIOHTTP1
import NIOWebSocket
import RigFirmware
import Rigs
import ServiceLifecycle
import StationControl
import StationServer
import Synchronization

/// `lanectl bench server`: the live feed's delivery latency and the server's request throughput with 50 clients
/// connected, beside a bare Hummingbird server measured in the same run.
struct BenchServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Live feed latency and request throughput with 50 clients vs a bare Hummingbird server.",
        discussion: """
            Everything runs in this process on 127.0.0.1 (ports picked by the system): the profile's rigs as \
            simulated firmware, the pollers, the live hub, the station controller (a shift open, a vehicle checked \
            in at the desk every --checkin-interval so its events flow), the station server with sign-in; and, \
            beside it, a bare Hummingbird server with a `GET /hello` route and a `/tick` WebSocket that pushes a \
            time stamp every 50 ms (the baseline). Consoles sign in as an operator and read `/live`; handhelds sign \
            in as drivers and poll their task.

            Latency: for every sample a console receives, its poll time (the monotonic clock the poller stamped) to \
            the moment the console decoded it; for every controller event, the moment the server published it to \
            the moment the console decoded it; for the baseline, the stamp the bare server wrote just before sending \
            to the moment the client decoded it. Throughput: as many concurrent HTTP/1.1 keep-alive clients as asked \
            loop on one route for the given seconds, our route and `/hello` in alternating rounds, while the consoles \
            stay connected. Clients and servers share the machine's cores.
            """)

    @Option(help: "The lane profile (its rigs are simulated).") var profile = "LaneProfiles/demo-station.yaml"
    @Option(help: "Consoles connected to /live.") var consoles = 40
    @Option(help: "Handhelds polling --handheld-route every 200 ms.") var handhelds = 10
    @Option(help: "Seconds the latency phase runs.") var seconds = 10.0
    @Option(help: "Concurrent HTTP clients in the throughput phase.") var clients = 50
    @Option(help: "Seconds of each throughput round (two rounds each for ours and the baseline).") var roundSeconds = 3.0
    @Option(help: "Our API route measured for throughput (signed in as an operator).") var route = "/api/station"
    @Option(help: "The route handhelds poll (signed in as their driver).") var handheldRoute = "/api/handheld/task"
    @Option(help: "Seconds between the desk's check-ins during the latency phase.") var checkinInterval = 0.2

    func validate() throws {
        guard consoles >= 1, clients >= 1, handhelds >= 0 else {
            throw ValidationError("--consoles and --clients must be 1 or more, --handhelds 0 or more.")
        }
        guard seconds > 0, roundSeconds > 0 else { throw ValidationError("--seconds and --round-seconds must be above 0.") }
    }

    func run() async throws {
        var logger = Logger(label: "lanectl.bench.server")
        logger.logLevel = .error
        let station = try BenchStation(profileFile: profile, logger: logger)
        defer { station.remove() }
        let password = AccountStore.randomPassword(length: 16)
        let auth = try await station.auth(password: password, logger: logger)
        let ours = PortBox()
        let baselinePort = PortBox()
        let app = StationRoutes.application(
            hub: station.runtime.hub, auth: auth, controller: station.controller, host: "127.0.0.1", port: 0,
            logger: logger, onRunning: { ours.set($0) })
        let baseline = Self.baselineApplication(logger: logger, onRunning: { baselinePort.set($0) })
        let group = ServiceGroup(
            services: [SimulatedRigsService(station: station.simulated)] + station.runtime.services + [app, baseline],
            gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients + handhelds)))
        let options = self
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            do {
                let port = try await ours.wait()
                let base = try await baselinePort.wait()
                try await options.measure(
                    port: port, baselinePort: base, http: http, station: station, password: password, logger: logger)
            } catch {
                try? await http.shutdown()
                await group.triggerGracefulShutdown()
                throw error
            }
            try await http.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
    }

    func measure(
        port: Int, baselinePort: Int, http: HTTPClient, station: BenchStation, password: String, logger: Logger
    ) async throws {
        print("Server: station \(station.profile.stationNameEn ?? station.profile.stationName), "
            + "\(station.profile.rigs.count) simulated rigs polled in-process, 127.0.0.1:\(port); "
            + "baseline: bare Hummingbird on 127.0.0.1:\(baselinePort)")
        print("Machine: \(ProcessInfo.processInfo.activeProcessorCount) CPUs, load average \(Self.loadAverage()); "
            + "build: \(Self.buildConfiguration)")
        if let load = Self.loadAverage1(), load > 0.5 {
            print("  note: the machine is busy (load \(Self.fmt(load, 2))): latencies here say little about a quiet station; "
                + "run again when the load average is below 0.5")
        }
        // Let the pollers reach their rate before measuring.
        try await Task.sleep(for: .seconds(1))
        let base = "http://127.0.0.1:\(port)"
        let operatorCookie = try await Self.signIn(http: http, base: base, user: "op1", password: password)
        let drivers = station.profile.drivers.map(\.id.rawValue)
        var driverCookies: [String] = []
        for i in 0..<handhelds {
            driverCookies.append(try await Self.signIn(http: http, base: base, user: drivers[i % drivers.count], password: password))
        }
        _ = try station.controller.openShift(by: "bench")

        // Latency: consoles on /live and handhelds polling, then the same number of clients on the bare /tick.
        let live = LatencyRecorder()
        let polls = ThroughputCounter()
        let stop = StopFlag()
        let checkedIn = ThroughputCounter()
        print("")
        print("Live feed: \(consoles) consoles on /live + \(handhelds) handhelds polling \(handheldRoute) every 200 ms, "
            + "a check-in every \(Self.fmt(checkinInterval * 1000, 0)) ms, \(Self.fmt(seconds, 0)) s")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<consoles {
                group.addTask {
                    try await Self.console(url: "ws://127.0.0.1:\(port)/live", cookie: operatorCookie, live: live, stop: stop, logger: logger)
                }
            }
            for cookie in driverCookies {
                group.addTask {
                    try await Self.poll(http: http, url: base + handheldRoute, cookie: cookie, every: .milliseconds(200),
                                        counter: polls, stop: stop)
                }
            }
            group.addTask {
                // The desk: real check-ins, so the controller publishes events (checked_in, assigned, task …).
                var n = 0
                while !stop.isSet {
                    n += 1
                    var vehicle = Vehicle(plate: "鲁G" + String(format: "%05d", n % 100_000))
                    vehicle.category = "M1"
                    vehicle.fuel = .gasoline
                    vehicle.axles = 2
                    if (try? station.controller.checkIn(CheckInRequest(vehicle: vehicle), by: "bench.desk")) != nil {
                        checkedIn.add()
                    } else {
                        checkedIn.fail()
                    }
                    try await Task.sleep(for: .seconds(checkinInterval))
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                stop.set()
            }
            try await group.waitForAll()
        }
        let tick = LatencyRecorder()
        let tickStop = StopFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<consoles {
                group.addTask {
                    try await Self.console(url: "ws://127.0.0.1:\(baselinePort)/tick", cookie: nil, live: tick, stop: tickStop, logger: logger)
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                tickStop.set()
            }
            try await group.waitForAll()
        }
        let ourLatency = live.snapshot()
        let baseLatency = tick.snapshot()
        print(Self.row("", "messages", "samples", "p50", "p99", "max"))
        print(Self.row("ours: sample poll → console", "\(ourLatency.messages)", "\(ourLatency.histogram.totalCount)",
                       Self.ms(ourLatency.histogram.valueAtPercentile(50)), Self.ms(ourLatency.histogram.valueAtPercentile(99)),
                       Self.ms(ourLatency.histogram.max)))
        print(Self.row("baseline: bare WS push", "\(baseLatency.messages)", "\(baseLatency.histogram.totalCount)",
                       Self.ms(baseLatency.histogram.valueAtPercentile(50)), Self.ms(baseLatency.histogram.valueAtPercentile(99)),
                       Self.ms(baseLatency.histogram.max)))
        let p50Ratio = Double(ourLatency.histogram.valueAtPercentile(50)) / Double(max(baseLatency.histogram.valueAtPercentile(50), 1))
        let p99Ratio = Double(ourLatency.histogram.valueAtPercentile(99)) / Double(max(baseLatency.histogram.valueAtPercentile(99), 1))
        print(Self.row("ours: event publish → console", "", "\(ourLatency.events.totalCount)",
                       Self.ms(ourLatency.events.valueAtPercentile(50)), Self.ms(ourLatency.events.valueAtPercentile(99)),
                       Self.ms(ourLatency.events.max)))
        print("ratio ours/baseline (samples): p50 \(Self.fmt(p50Ratio, 1))×, p99 \(Self.fmt(p99Ratio, 1))× "
            + "(ours includes the wait for the next 50 ms frame: the feed sends each rig's newest sample at 20 Hz)")
        print("desk check-ins: \(checkedIn.count) accepted, \(checkedIn.failures) refused")
        print("handheld polls: \(polls.count) answered, \(polls.failures) failed "
            + "(\(Self.fmt(Double(polls.count) / seconds, 1))/s)")
        print("consoles: \(ourLatency.connections) connected, \(ourLatency.failures) failed")

        // Throughput: our route vs /hello, alternating rounds, consoles connected throughout.
        print("")
        print("Throughput: \(clients) concurrent keep-alive HTTP/1.1 clients, \(consoles) consoles on /live, "
            + "2 rounds × \(Self.fmt(roundSeconds, 0)) s each")
        let background = StopFlag()
        let backgroundLatency = LatencyRecorder()
        var ourRate: [Double] = []
        var baseRate: [Double] = []
        let ourRequests = RequestLatencies()
        let baseRequests = RequestLatencies()
        var failures = 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<consoles {
                group.addTask {
                    try await Self.console(
                        url: "ws://127.0.0.1:\(port)/live", cookie: operatorCookie, live: backgroundLatency, stop: background,
                        logger: logger)
                }
            }
            for _ in 0..<2 {
                let o = try await Self.hammer(
                    http: http, url: base + route, cookie: operatorCookie, clients: clients, seconds: roundSeconds,
                    latencies: ourRequests)
                ourRate.append(o.rate)
                failures += o.failures
                let b = try await Self.hammer(
                    http: http, url: "http://127.0.0.1:\(baselinePort)/hello", cookie: nil, clients: clients, seconds: roundSeconds,
                    latencies: baseRequests)
                baseRate.append(b.rate)
                failures += b.failures
            }
            background.set()
            try await group.waitForAll()
        }
        let o = ourRate.reduce(0, +) / Double(ourRate.count)
        let b = baseRate.reduce(0, +) / Double(baseRate.count)
        let ourTimes = ourRequests.snapshot()
        let baseTimes = baseRequests.snapshot()
        print(Self.row("", "req/s", "rounds", "p50", "p99", "max"))
        print(Self.row("ours: GET \(route)", Self.fmt(o, 0), ourRate.map { Self.fmt($0, 0) }.joined(separator: " "),
                       Self.ms(ourTimes.valueAtPercentile(50)), Self.ms(ourTimes.valueAtPercentile(99)), Self.ms(ourTimes.max)))
        print(Self.row("baseline: GET /hello", Self.fmt(b, 0), baseRate.map { Self.fmt($0, 0) }.joined(separator: " "),
                       Self.ms(baseTimes.valueAtPercentile(50)), Self.ms(baseTimes.valueAtPercentile(99)), Self.ms(baseTimes.max)))
        print("ratio ours/baseline: \(Self.fmt(o / max(b, 1), 2))× requests per second; "
            + "p50 \(Self.fmt(Double(ourTimes.valueAtPercentile(50)) / Double(max(baseTimes.valueAtPercentile(50), 1)), 1))× "
            + "request time; failed requests: \(failures)")
        print("  (each of our requests reads its session and account from the station database, as `lanectl run` does)")
        let during = backgroundLatency.snapshot()
        print("live feed during the throughput phase: p50 \(Self.ms(during.histogram.valueAtPercentile(50))), "
            + "p99 \(Self.ms(during.histogram.valueAtPercentile(99))) over \(during.histogram.totalCount) samples")
    }

    /// A console: reads `/live` (or the baseline's `/tick`) until `stop`, recording each sample's age on arrival.
    static func console(url: String, cookie: String?, live: LatencyRecorder, stop: StopFlag, logger: Logger) async throws {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 8 << 20)
        if let cookie { configuration.additionalHeaders[.cookie] = cookie }
        do {
            try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                live.connected()
                var iterator = inbound.messages(maxSize: 8 << 20).makeAsyncIterator()
                while !stop.isSet, let message = try await iterator.next() {
                    guard case .text(let text) = message else { continue }
                    let now = monotonicNanoseconds()
                    let (samples, events) = Self.times(text)
                    live.record(times: samples, now: now)
                    live.recordEvents(times: events, now: now)
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
        } catch {
            live.failed()
        }
    }

    /// The sample times (`t`, seconds) of a `samples` message or the `t` of a baseline tick; the publication
    /// times of an `events` message.
    static func times(_ text: String) -> (samples: [Double], events: [Double]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return ([], []) }
        if let samples = object["samples"] as? [[String: Any]] { return (samples.compactMap { $0["t"] as? Double }, []) }
        if let events = object["events"] as? [[String: Any]] { return ([], events.compactMap { $0["published"] as? Double }) }
        if object["type"] as? String == "tick", let t = object["t"] as? Double { return ([t], []) }
        return ([], [])
    }

    /// Signs in through `POST /api/login`; the session cookie (`name=value`).
    static func signIn(http: HTTPClient, base: String, user: String, password: String) async throws -> String {
        var request = HTTPClientRequest(url: base + "/api/login")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"user": "\#(user)", "password": "\#(password)"}"#))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok, let cookie = response.headers["set-cookie"].first?.split(separator: ";").first else {
            throw ValidationError("sign-in of \(user) failed: \(response.status) \(String(buffer: body))")
        }
        return String(cookie)
    }

    /// A handheld: GET `url` every `every` until `stop`.
    static func poll(
        http: HTTPClient, url: String, cookie: String, every: Duration, counter: ThroughputCounter, stop: StopFlag
    ) async throws {
        var prepared = HTTPClientRequest(url: url)
        prepared.headers.add(name: "cookie", value: cookie)
        let request = prepared
        while !stop.isSet {
            do {
                let response = try await http.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 16 << 20)
                if response.status == .ok { counter.add() } else { counter.fail() }
            } catch {
                counter.fail()
            }
            try await Task.sleep(for: every)
        }
    }

    /// `clients` loops of GET `url` for `seconds`; requests completed per second.
    static func hammer(
        http: HTTPClient, url: String, cookie: String?, clients: Int, seconds: Double, latencies: RequestLatencies
    ) async throws -> (rate: Double, failures: Int) {
        var prepared = HTTPClientRequest(url: url)
        if let cookie { prepared.headers.add(name: "cookie", value: cookie) }
        let request = prepared
        let counter = ThroughputCounter()
        let stop = StopFlag()
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    while !stop.isSet {
                        let sent = monotonicNanoseconds()
                        do {
                            let response = try await http.execute(request, timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 16 << 20)
                            if response.status == .ok {
                                counter.add()
                                latencies.record(monotonicNanoseconds() &- sent)
                            } else {
                                counter.fail()
                            }
                        } catch {
                            counter.fail()
                        }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                stop.set()
            }
            try await group.waitForAll()
        }
        let elapsed = (clock.now - start) / .seconds(1)
        return (Double(counter.count) / elapsed, counter.failures)
    }

    /// The baseline: a bare Hummingbird server, `GET /hello` and a `/tick` WebSocket pushing `{"type":"tick","t":…}`
    /// every 50 ms (the live feed's frame interval), stamped just before each write.
    static func baselineApplication(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/hello") { _, _ in "hello" }
        router.ws("/tick") { inbound, outbound, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        let t = Double(monotonicNanoseconds()) / 1e9
                        try await outbound.write(.text("{\"type\":\"tick\",\"t\":\(t)}"))
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                for try await _ in inbound {}
                group.cancelAll()
            }
        }
        return Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "baseline"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    static var buildConfiguration: String {
        #if DEBUG
            return "debug (figures not representative: `swift build -c release --product lanectl`)"
        #else
            return "release"
        #endif
    }

    /// The 1-minute load average, if readable.
    static func loadAverage1() -> Double? {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) }
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    static func fmt(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
    static func ms(_ ns: UInt64) -> String { String(format: "%.2f ms", Double(ns) / 1e6) }
    static func row(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String, _ f: String) -> String {
        a.padding(toLength: 34, withPad: " ", startingAt: 0) + b.padding(toLength: 12, withPad: " ", startingAt: 0)
            + c.padding(toLength: 16, withPad: " ", startingAt: 0) + d.padding(toLength: 12, withPad: " ", startingAt: 0)
            + e.padding(toLength: 12, withPad: " ", startingAt: 0) + f
    }
}

/// The in-process station of the benchmark: the profile's rigs simulated on loopback, polled into a hub and the
/// controller, and a journal (accounts) in a temporary folder.
struct BenchStation {
    let profile: LaneProfile
    let simulated: SimulatedStation
    let runtime: StationRuntime
    /// The runtime's controller (fed every sample by the hub).
    let controller: StationController
    let folder: URL
    let journal: Journal

    init(profileFile: String, logger: Logger) throws {
        var profile = try loadProfile(profileFile)
        for l in profile.lanes.indices {
            for s in profile.lanes[l].stations.indices {
                if case .tcp = profile.lanes[l].stations[s].rig.transport {
                    profile.lanes[l].stations[s].rig.transport = .tcp(host: "127.0.0.1", port: 0)
                }
            }
        }
        simulated = try SimulatedStation(profile: profile)
        var ports: [RigID: Int] = [:]
        for rig in profile.rigs { if let port = simulated.port(of: rig.id) { ports[rig.id] = port } }
        runtime = StationRuntime(profile: profile, links: try StationLinks.configurations(for: profile, ports: ports), logger: logger)
        controller = runtime.controller
        self.profile = profile
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lanectl-bench-server-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        journal = try Journal(path: folder.appendingPathComponent("bench.sqlite").path, now: WallTime(Date()))
    }

    /// Sign-in over the journal's accounts: the demo accounts (op1, the drivers …), all with `password`.
    func auth(password: String, logger: Logger) async throws -> StationAuth {
        let accounts = try AccountStore(journal: journal)
        _ = try await accounts.prepareDemoAccounts(profile: profile, password: password, by: "lanectl bench server")
        // Sessions in the database, as `lanectl run` and `lanectl demo` keep them.
        return StationAuth(
            accounts: accounts, sessionStore: try SQLitePersistDriver(journal: journal, logger: logger), logger: logger)
    }

    func remove() {
        try? journal.close()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A port a server reports once it listens.
final class PortBox: Sendable {
    private let port = Mutex<Int?>(nil)
    func set(_ value: Int) { port.withLock { $0 = value } }
    /// Waits (up to 30 s) for the port.
    func wait() async throws -> Int {
        for _ in 0..<3_000 {
            if let p = port.withLock({ $0 }) { return p }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ValidationError("a server did not start listening within 30 s")
    }
}

/// Set once to stop the clients.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

/// Requests answered and failed.
final class ThroughputCounter: Sendable {
    private let ok = Atomic<Int>(0)
    private let bad = Atomic<Int>(0)
    var count: Int { ok.load(ordering: .relaxed) }
    var failures: Int { bad.load(ordering: .relaxed) }
    func add() { ok.add(1, ordering: .relaxed) }
    func fail() { bad.add(1, ordering: .relaxed) }
}

/// Request times (sent → body read) of the throughput clients, in nanoseconds.
final class RequestLatencies: Sendable {
    private let histogram = Mutex(Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three))
    func record(_ ns: UInt64) { histogram.withLock { _ = $0.record(ns) } }
    func snapshot() -> Histogram<UInt64> { histogram.withLock { $0 } }
}

/// Delivery latencies of every client, in nanoseconds.
final class LatencyRecorder: Sendable {
    struct Snapshot {
        var histogram: Histogram<UInt64>
        var events: Histogram<UInt64>
        var messages: Int
        var connections: Int
        var failures: Int
    }
    private let state = Mutex(Snapshot(
        histogram: Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three),
        events: Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three),
        messages: 0, connections: 0, failures: 0))

    func record(times: [Double], now: UInt64) {
        guard !times.isEmpty else { return }
        state.withLock { s in
            s.messages += 1
            for t in times {
                let sent = UInt64(max(t, 0) * 1e9)
                s.histogram.record(now > sent ? now - sent : 0)
            }
        }
    }
    func recordEvents(times: [Double], now: UInt64) {
        guard !times.isEmpty else { return }
        state.withLock { s in
            for t in times {
                let sent = UInt64(max(t, 0) * 1e9)
                s.events.record(now > sent ? now - sent : 0)
            }
        }
    }
    func connected() { state.withLock { $0.connections += 1 } }
    func failed() { state.withLock { $0.failures += 1 } }
    func snapshot() -> Snapshot { state.withLock { $0 } }
}
