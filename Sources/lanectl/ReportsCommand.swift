import ArgumentParser
import Foundation
import Journal
import LaneCore
import Logging
import ServiceLifecycle
import StationServer
import UnixSignals

/// `lanectl reports …`: the inspector's report pages.
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Serve the inspector's report pages over a journal / 检验报告页面.",
        subcommands: [ReportsServeCommand.self])
}

/// `lanectl reports serve --db FILE`: the report pages alone over a journal file, with fixture accounts.
struct ReportsServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve /reports over a journal file (seeded with a synthetic day when the file is new).",
        discussion: """
            A new --db file is filled with a synthetic station day (--vehicles vehicles on two lanes, half of them
            signed, shifts closed), and re-tests ordered on the pages run at once on a synthetic lane (a fresh draw
            that excludes the previous driver, only the failed stations measured again). An existing file is
            served as it is, without re-tests. Sign-in uses the station's accounts in the same file; missing demo
            accounts are created: insp1 / insp1-password, insp2 / insp2-password (inspectors), op1 / op1-password
            (operator), admin / admin-password (admin). See docs/reports.md.
            """)

    @Option(help: "The journal database file (created and seeded when missing).")
    var db: String
    @Option(help: "Vehicles in the synthetic day of a new file.")
    var vehicles = 40
    @Option(help: "Seed of the synthetic day.")
    var seed: UInt64 = 7
    @Option(help: "The synthetic day's start, YYYY-MM-DD (08:00 station time).")
    var date = "2026-11-20"
    @Option(help: "The station's offset from UTC in hours (statistics by local hour and date).")
    var utcOffsetHours = 8
    @OptionGroup var server: ServerOptions

    /// The demo logins `reports serve` creates when its database lacks them.
    static let demoAccounts: [(StationUser, String)] = [
        (StationUser(id: "insp1", name: "Inspector One 检验员一", role: .inspector), "insp1-password"),
        (StationUser(id: "insp2", name: "Inspector Two 检验员二", role: .inspector), "insp2-password"),
        (StationUser(id: "op1", name: "Operator One 操作员一", role: .operator), "op1-password"),
        (StationUser(id: "admin", name: "Administrator", role: .admin), "admin-password"),
    ]

    func run() async throws {
        let logger = server.logger
        let offset = utcOffsetHours * 3600
        let isNew = !FileManager.default.fileExists(atPath: db)
        guard let day = StatisticsPeriod.parseDate(date, utcOffsetSeconds: offset) else {
            throw ValidationError("--date \(date): write it as YYYY-MM-DD")
        }
        let journal = try Journal(path: db, now: WallTime(Date()))
        var lane: SyntheticRetestLane?
        if isNew {
            var station = SyntheticStation(seed: seed, start: day.adding(milliseconds: 8 * 3_600_000))
            station.signOffProbability = 0.5
            for _ in 0..<vehicles { try station.runInspection(journal: journal, prefix: "S") }
            try station.closeShifts(journal: journal)
            lane = SyntheticRetestLane(station: station, journal: journal)
            printNow("Seeded \(db) with \(vehicles) synthetic inspections / 已生成模拟数据")
        }
        // The station's own accounts (bcrypt, in the same database); the four demo logins are created once.
        let accounts = try AccountStore(journal: journal)
        for (user, password) in Self.demoAccounts where accounts.account(user.id) == nil {
            try await accounts.create(user, password: password, by: "lanectl")
        }
        let auth = StationAuth(accounts: accounts, logger: logger)
        let services = ReportServices(
            journal: journal, authority: accounts, retests: lane, utcOffsetSeconds: offset,
            stationName: "LaneControl 示范检测站 / demo station")
        let host = server.host
        let app = ReportRoutes.application(services: services, auth: auth, host: host, port: server.port, logger: logger) { port in
            printNow("Reports: http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)/reports")
            printNow("Sign in: http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)/login")
            printNow("Ctrl-C stops the server / 按 Ctrl-C 停止")
        }
        let group = ServiceGroup(
            services: [app], gracefulShutdownSignals: [.sigint, .sigterm], cancellationSignals: [], logger: logger)
        try await group.run()
        try journal.close()
        printNow("Reports server stopped / 已停止")
    }
}

/// The synthetic lane behind `reports serve`: runs an ordered re-test at once.
actor SyntheticRetestLane: RetestOrdering {
    var station: SyntheticStation
    let journal: Journal

    init(station: SyntheticStation, journal: Journal) {
        self.station = station
        self.journal = journal
    }

    func orderRetest(of inspection: InspectionID, by inspector: String) async throws -> InspectionID? {
        try station.runRetest(of: inspection, journal: journal, orderedBy: inspector, at: WallTime(Date()))
    }
}
