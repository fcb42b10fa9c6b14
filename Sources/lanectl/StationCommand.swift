import ArgumentParser
import Foundation
import Journal
import LaneCore
import StationControl
import Logging
import Profiles
import RigFirmware
import Rigs
import ServiceLifecycle
import StationServer
import UnixSignals

/// Loads a lane profile, or exits 2 with `file:line: reason` (English, then Chinese) on standard error.
func loadProfile(_ file: String) throws -> LaneProfile {
    do {
        return try ProfileLoader(scenarios: VehicleScenario.names, faults: RigFault.names).load(path: file)
    } catch {
        FileHandle.standardError.write(Data("\(error)\n\(error.descriptionZh)\n".utf8))
        throw ExitCode(2)
    }
}

/// Prints to standard output at once (the demo's URL lines are read by scripts and tests through a pipe).
func printNow(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Options shared by `lanectl demo` and `lanectl run`.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address the HTTP server listens on.")
    var host = "127.0.0.1"
    @Option(help: "HTTP port (0: the system picks a free one and the URL shows it).")
    var port = 8080
    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String = "notice"
    @Option(help: "Hours a sign-in lasts before the user must sign in again.")
    var sessionHours: Double = 8
    @Flag(inversion: .prefixedNo, help: """
        Give the poll threads (and the demo's simulated rigs) the SCHED_FIFO priority the profile asks for \
        (realtime_priority), where the process may (root or CAP_SYS_NICE). See docs/modbus.md.
        """)
    var realtime = true

    var logger: Logger {
        var logger = Logger(label: "lanectl")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        return logger
    }

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535 (got \(port)).") }
        guard sessionHours > 0, sessionHours <= 24 * 30 else {
            throw ValidationError("--session-hours must be more than 0 and at most 720 (got \(sessionHours)).")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
    }
}

/// Opens (creating the folder and file if needed) the station's journal, or exits 2 saying why.
func openJournal(_ path: String) throws -> Journal {
    let folder = (path as NSString).deletingLastPathComponent
    do {
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        return try Journal(path: path, now: WallTime(Date()))
    } catch {
        FileHandle.standardError.write(Data("cannot open the station database \(path): \(error) / 无法打开数据库\n".utf8))
        throw ExitCode(2)
    }
}

/// The sign-in service over `journal`'s accounts, with `options`' session length and the sessions kept in the
/// same database (`station_sessions`), so a restart signs nobody out.
func makeAuth(journal: Journal, options: ServerOptions, logger: Logger) throws -> StationAuth {
    var configuration = AuthConfiguration()
    configuration.sessionLifetime = .seconds(options.sessionHours * 3600)
    return StationAuth(
        accounts: try AccountStore(journal: journal), configuration: configuration,
        sessionStore: try SQLitePersistDriver(journal: journal, logger: logger), logger: logger)
}

/// Runs a station's services and the HTTP server in one `ServiceGroup` until SIGINT or SIGTERM, then shuts
/// down gracefully in reverse order (server, rollers stopped, hub, pollers joined, simulated rigs).
func runStation(
    profile: LaneProfile, runtime: StationRuntime, auth: StationAuth, journal: Journal, before: [any Service],
    after: [any Service], options: ServerOptions, logger: Logger,
    onRunning: @escaping @Sendable (String) async -> Void = { _ in }
) async throws {
    let host = options.host
    let lanes = profile.lanes.map(\.id)
    let reports = ReportServices(
        journal: journal, authority: auth.accounts, retests: StationRetests(controller: runtime.controller, journal: journal),
        utcOffsetSeconds: TimeZone.current.secondsFromGMT(), loginPath: "/login", stationName: profile.stationName)
    let app = StationRoutes.application(
        hub: runtime.hub, auth: auth, controller: runtime.controller, host: host, port: options.port, reports: reports,
        logger: logger
    ) { port in
        let base = "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        printNow("Sign in: \(base)/login")
        printNow("Console: \(base)/console")
        printNow("Handheld: \(base)/handheld")
        printNow("Reports: \(base)/reports")
        for lane in lanes { printNow("Lane board \(lane): \(base)/display/\(lane)") }
        printNow("API: \(base)/api/rigs  Metrics: \(base)/metrics  Live feed: ws://\(base.dropFirst(7))/live")
        await onRunning(base)
        printNow("Ctrl-C stops the station (rollers stopped first) / 按 Ctrl-C 停止")
    }
    let group = ServiceGroup(
        services: before + runtime.services + after + [app], gracefulShutdownSignals: [.sigint, .sigterm],
        cancellationSignals: [], logger: logger)
    try await group.run()
    // The controller's writers wrote what was queued when they stopped; every write is committed.
    let counts = runtime.controller.journalCounts
    try journal.close()
    printNow("Journal closed: \(counts.written) entries written, \(counts.failures) failed / 日志已关闭")
    printNow("Station stopped / 已停止")
}

/// `lanectl demo`: a whole simulated station on this machine.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a simulated station (rigs, pollers, console) on this machine / 运行模拟检测站.",
        discussion: """
            Starts every rig of the profile as simulated firmware on 127.0.0.1 (ports picked by the system),
            polls them like real rigs, runs the station controller, opens a shift, checks simulated vehicles in
            (a mix of the firmware's scenarios) and lets simulated drivers act through the handheld API. Prints
            the console URL and the demo logins. Ctrl-C stops it cleanly (rollers stopped, journal closed).
            See docs/operations.md.
            """)

    @Option(help: "The lane profile (its rigs are simulated).")
    var profile = "LaneProfiles/demo-station.yaml"
    @Option(help: "The station database (journal and accounts; created if missing).")
    var db = ".lanecontrol/demo.sqlite"
    @Option(help: "One password for every demo account (default: a new random one each, printed at start).")
    var demoPassword: String?
    @Option(help: """
        Run the simulated people faster than real time: divides the gaps between arrivals and the simulated \
        drivers' delays by N. The rigs' physics and the test procedures run in real time at any speed.
        """)
    var speed: Double = 1
    @Option(help: "Mean vehicle arrivals per hour of demo time (before --speed).")
    var arrivalsPerHour: Double = 24
    @Option(help: "Vehicles already waiting when the station opens (default: one per lane; 0: none).")
    var openingQueue: Int?
    @Option(help: """
        Drivers left to people (comma-separated ids, or `all`): they are not simulated; sign in as them on \
        /handheld and drive their vehicles.
        """)
    var manualDrivers: String = ""
    @OptionGroup var server: ServerOptions

    func validate() throws {
        let ids = manualDrivers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let bad = ids.first(where: { $0 != "all" && ($0.isEmpty || !$0.allSatisfy { $0.isLetter || $0.isNumber }) }) {
            throw ValidationError("--manual-drivers takes driver ids like D01,D02 or `all` (got \"\(bad)\").")
        }
        if let demoPassword, demoPassword.count < 8 {
            throw ValidationError("--demo-password must have at least 8 characters.")
        }
        guard speed >= 0.1, speed <= 100 else { throw ValidationError("--speed must be 0.1 to 100 (got \(speed)).") }
        guard arrivalsPerHour > 0, arrivalsPerHour <= 3600 else {
            throw ValidationError("--arrivals-per-hour must be more than 0 and at most 3600 (got \(arrivalsPerHour)).")
        }
        if let openingQueue, !(0...12).contains(openingQueue) {
            throw ValidationError("--opening-queue must be 0 to 12, the car park's size (got \(openingQueue)).")
        }
    }

    func run() async throws {
        let logger = server.logger
        var profile = try loadProfile(self.profile)
        // Simulated rigs bind their own loopback ports; the profile's TCP hosts are rewritten to loopback.
        for l in profile.lanes.indices {
            for s in profile.lanes[l].stations.indices {
                if case .tcp = profile.lanes[l].stations[s].rig.transport {
                    profile.lanes[l].stations[s].rig.transport = .tcp(host: "127.0.0.1", port: 0)
                }
            }
        }
        let station: SimulatedStation
        do {
            station = try SimulatedStation(profile: profile)
        } catch {
            FileHandle.standardError.write(Data("cannot start the simulated rigs: \(error) / 无法启动模拟机台\n".utf8))
            throw ExitCode(1)
        }
        var ports: [RigID: Int] = [:]
        for rig in profile.rigs { if let port = station.port(of: rig.id) { ports[rig.id] = port } }
        let links = try StationLinks.configurations(for: profile, ports: ports)
        let journal = try openJournal(db)
        let realTime = prepareRealTime(profile: profile, enabled: server.realtime)
        let runtime = StationRuntime(profile: profile, links: links, journal: journal, realTime: realTime, logger: logger)
        let auth = try makeAuth(journal: journal, options: server, logger: logger)
        let logins = try await auth.accounts.prepareDemoAccounts(profile: profile, password: demoPassword, by: "lanectl demo")
        printNow("Demo station: \(profile.stationName) (\(profile.stationNameEn ?? "")), ruleset \(profile.ruleset)")
        printNow("Database: \(db)")
        if !journal.interruptedAtOpen.isEmpty {
            printNow("Closed as interrupted (left open by the last run): \(journal.interruptedAtOpen.map(\.rawValue).joined(separator: ", "))")
        }
        do {
            let shift = try runtime.controller.openShift(by: "lanectl demo")
            printNow("Shift \(shift.id) opened; draw seed commitment \(shift.seedCommitment) / 已开班")
        } catch {
            FileHandle.standardError.write(Data("cannot open the demo shift: \(error)\n".utf8))
            throw ExitCode(1)
        }
        for entry in station.entries {
            printNow("  simulated \(entry.configuration.id) \(entry.configuration.model) on \(entry.endpoint)")
        }
        printNow("Demo logins / 演示账号 (role, login, password):")
        for login in logins {
            printNow("  login \(login.user.role.rawValue) \(login.user.id) \(login.password)")
        }
        var traffic = DemoTraffic.Configuration()
        traffic.speed = speed
        traffic.arrivalsPerHour = arrivalsPerHour
        traffic.openingQueue = openingQueue
        traffic.user = "op1"
        var people: [any Service] = [DemoTraffic(controller: runtime.controller, station: station, configuration: traffic, logger: logger)]
        let serverURL = ServerURL()
        let manual = Set(manualDrivers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let simulated = logins.filter { $0.user.role == .driver && !manual.contains("all") && !manual.contains($0.user.id) }
        if !simulated.isEmpty {
            var drivers = SimulatedDrivers.Configuration()
            drivers.speed = speed
            people.append(SimulatedDrivers(server: serverURL, logins: simulated, configuration: drivers, logger: logger))
        }
        printNow("Speed \(speed)×: arrivals about \(Int(arrivalsPerHour * speed)) an hour; \(simulated.count) simulated drivers on the handheld API (\(simulated.map(\.user.id).joined(separator: " ")))")
        try await runStation(
            profile: profile, runtime: runtime, auth: auth, journal: journal,
            before: [SimulatedRigsService(station: station, realTime: realTime)], after: people, options: server,
            logger: logger
        ) { base in
            if let url = URL(string: base) { serverURL.set(url) }
        }
    }
}

/// `lanectl run --profile FILE`: a real station.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a station against the real rigs of a profile / 按配置运行检测站.",
        discussion: "Polls every rig at the endpoint its profile gives and serves the console. See docs/operations.md.")

    @Option(help: "The lane profile.")
    var profile: String
    @Option(help: "The station database (journal and accounts; created if missing).")
    var db = ".lanecontrol/station.sqlite"
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let logger = server.logger
        let profile = try loadProfile(self.profile)
        let journal = try openJournal(db)
        let auth = try makeAuth(journal: journal, options: server, logger: logger)
        if auth.accounts.users.isEmpty {
            printNow("No accounts in \(db) yet: add one with `lanectl accounts add --db \(db) --user admin --role admin` / 尚无账号")
        }
        let links: [LinkConfiguration]
        do {
            links = try StationLinks.configurations(for: profile)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let realTime = prepareRealTime(profile: profile, enabled: server.realtime)
        let runtime = StationRuntime(profile: profile, links: links, journal: journal, realTime: realTime, logger: logger)
        printNow("Station: \(profile.stationName), \(links.count) links, \(profile.rigs.count) rigs, database \(db)")
        try await runStation(
            profile: profile, runtime: runtime, auth: auth, journal: journal, before: [], after: [], options: server,
            logger: logger)
    }
}

/// `lanectl poll --profile FILE --rig ID`: a rig's live readings.
struct PollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Print one rig's live readings (channel = value unit, quality) / 显示机台实时读数.",
        discussion: """
            Polls the rig at the endpoint its profile gives (a real rig, or `rigsim` on the same profile)
            and prints each sample as it arrives. A profile with TCP port 0 needs --port.
            """)

    @Option(help: "The lane profile.")
    var profile: String
    @Option(help: "The rig's id in the profile (L1.brake).")
    var rig: String
    @Option(help: "Samples to print, then stop (0: until Ctrl-C).")
    var count = 0
    @Option(help: "Override the rig's TCP port (for rigsim's picked ports).")
    var port: Int?
    @Option(help: "Print every Nth sample (the poller still reads every period).")
    var every = 1

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be 0 or more.") }
        guard every >= 1 else { throw ValidationError("--every must be 1 or more.") }
    }

    func run() async throws {
        let profile = try loadProfile(self.profile)
        let id = RigID(rawValue: rig)
        guard let configuration = profile.rigs.first(where: { $0.id == id }) else {
            FileHandle.standardError.write(Data(
                "no rig \(rig) in \(self.profile) (rigs: \(profile.rigs.map(\.id.rawValue).joined(separator: ", "))) / 配置中没有该机台\n".utf8))
            throw ExitCode(2)
        }
        let links: [LinkConfiguration]
        do {
            links = try StationLinks.configurations(for: profile, ports: port.map { [id: $0] } ?? [:], only: [id])
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        var logger = Logger(label: "lanectl.poll")
        logger.logLevel = .warning
        let (stream, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(1024))
        let poller = LinkPoller(configuration: links[0], samples: continuation, logger: logger)
        let channels = configuration.map.channels
        let count = self.count
        let every = self.every
        printNow("\(id) \(configuration.model) \(links[0].transport) unit \(configuration.unitID) every \(links[0].period)")
        poller.start()
        let signals = await UnixSignalsSequence(trapping: [.sigint, .sigterm])
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals { return }
            }
            group.addTask {
                var printed = 0
                var seen = 0
                for await sample in stream where sample.rig == id {
                    seen += 1
                    if (seen - 1) % every != 0 { continue }
                    let values = zip(channels, sample.values).map { channel, value in
                        "\(channel.name) = \(Self.format(value))\(channel.unit.isEmpty ? "" : " " + channel.unit)"
                    }
                    printNow("#\(sample.sequence) \(sample.quality.rawValue)\(sample.deadlineMissed ? " (late)" : ""): \(values.joined(separator: ", "))")
                    printed += 1
                    if count > 0, printed >= count { return }
                }
            }
            await group.next()
            group.cancelAll()
        }
        await poller.stop()
        let stats = poller.statistics()
        if let r = stats.rigs.first {
            printNow("polls \(r.polls), good \(r.good), timeouts \(r.timeouts), failures \(r.failures), reconnects \(stats.reconnects), "
                + "period error p99 \(stats.periodError.p99), missed deadlines \(stats.missedDeadlines)")
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(format: "%.3f", value)
    }
}
