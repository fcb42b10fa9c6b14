import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import LaneCore
import Logging
import NIOCore
import StationServer
import Testing

/// A fresh folder per test, removed afterwards.
final class TemporaryFolder: @unchecked Sendable {  // safe: `url` is immutable
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("reports-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String = "journal.sqlite") -> String { url.appendingPathComponent(name).path }
}

/// Runs each ordered re-test at once on a synthetic lane (as `lanectl reports serve` does).
actor TestLane: RetestOrdering {
    var station: SyntheticStation
    let journal: Journal
    init(station: SyntheticStation, journal: Journal) {
        self.station = station
        self.journal = journal
    }
    func orderRetest(of inspection: InspectionID, by inspector: String) async throws -> InspectionID? {
        try station.runRetest(of: inspection, journal: journal, orderedBy: inspector)
    }
}

/// A journal with a synthetic day (some failed and unsigned), fixture accounts and the report router.
struct ReportFixture {
    let folder: TemporaryFolder
    let journal: Journal
    let services: ReportServices
    let accounts: AccountStore
    let auth: StationAuth
    static let start = WallTime(milliseconds: 1_795_219_200_000)  // 2026-11-21 08:00 at UTC+8

    init(vehicles: Int = 24) async throws {
        folder = try TemporaryFolder()
        journal = try Journal(path: folder.path(), now: Self.start)
        var station = SyntheticStation(seed: 3, start: Self.start)
        station.signOffProbability = 0.3
        for _ in 0..<vehicles { try station.runInspection(journal: journal, prefix: "R") }
        accounts = try AccountStore(journal: journal)
        for (user, password) in [
            (StationUser(id: "insp1", name: "Inspector One", role: .inspector), "right-password"),
            (StationUser(id: "op1", name: "Operator One", role: .operator), "op-password"),
            (StationUser(id: "D01", name: "Driver", role: .driver, driver: "D01"), "d-password"),
        ] {
            try await accounts.create(user, password: password, by: "test")
        }
        auth = StationAuth(accounts: accounts, logger: Logger(label: "reports-test"))
        let clock = Self.start.adding(milliseconds: 12 * 3_600_000)
        services = ReportServices(
            journal: journal, authority: accounts, retests: TestLane(station: station, journal: journal),
            utcOffsetSeconds: 8 * 3600, now: { clock })
    }

    var app: some ApplicationProtocol {
        Application(router: ReportRoutes.standaloneRouter(services: services, auth: auth))
    }

    /// A failed attempt nobody has signed or re-tested.
    func failedUnsigned() throws -> InspectionSummary {
        try #require(try journal.search(InspectionQuery(verdict: .fail, signed: false)).first { $0.retestedBy == nil })
    }
}

/// Signs in through the station's login API and returns the session cookie header.
func login(_ client: some TestClientProtocol, _ user: String, _ password: String) async throws -> String {
    try await client.execute(
        uri: "/api/login", method: .post, headers: [.contentType: "application/json"],
        body: ByteBuffer(string: "{\"user\": \"\(user)\", \"password\": \"\(password)\"}")
    ) { response in
        #expect(response.status == .ok, "login \(user)")
        let cookie = try #require(response.headers[.setCookie])
        return String(cookie.split(separator: ";")[0])
    }
}

func form(_ cookie: String) -> HTTPFields { [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"] }

struct ReportRoutesTests {
    @Test(.timeLimit(.minutes(5)))
    func signedOutVisitorsAreSentToLoginAndDriversCannotRead() async throws {
        let f = try await ReportFixture(vehicles: 4)
        try await f.app.test(.router) { client in
            try await client.execute(uri: "/reports?plate=A1", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login?next=%2Freports%3Fplate%3DA1")
            }
            try await client.execute(uri: "/api/reports", method: .get) { response in #expect(response.status == .unauthorized) }
            let driver = try await login(client, "D01", "d-password")
            try await client.execute(uri: "/reports", method: .get, headers: [.cookie: driver]) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/api/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"user\": \"insp1\", \"password\": \"wrong\"}")
            ) { response in #expect(response.status == .unauthorized) }
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func anOperatorReadsButCannotSignAndTheRefusalIsJournaled() async throws {
        let f = try await ReportFixture()
        let failed = try f.failedUnsigned()
        try await f.app.test(.router) { client in
            let op = try await login(client, "op1", "op-password")
            try await client.execute(uri: "/reports?verdict=fail&signed=no&lang=en", method: .get, headers: [.cookie: op]) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("data-inspection=\"\(failed.id.rawValue)\""))
                #expect(!html.contains("data-status=\"pass\""))
            }
            try await client.execute(uri: "/reports/\(failed.id.rawValue)", method: .get, headers: [.cookie: op]) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("id=\"cannot-sign\""))
                #expect(html.contains("id=\"sign-button\" disabled"))
            }
            try await client.execute(
                uri: "/reports/\(failed.id.rawValue)/sign", method: .post, headers: form(op), body: ByteBuffer(string: "password=op-password")
            ) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("只有检验员可以签字"))
            }
            try await client.execute(
                uri: "/api/reports/\(failed.id.rawValue)/retest", method: .post, headers: [.cookie: op, .contentType: "application/json"],
                body: ByteBuffer(string: "{}")
            ) { response in #expect(response.status == .forbidden) }
        }
        #expect(try !f.journal.isSigned(failed.id))
        #expect(try f.journal.refusals(of: failed.id).map(\.refusal.reason) == ["not_inspector", "not_inspector"])
        #expect(try f.journal.refusals(of: failed.id).allSatisfy { $0.entry.actor == "op1" })
    }

    @Test(.timeLimit(.minutes(5)))
    func anInspectorOrdersAReTestSignsTheNewAttemptAndNoRouteChangesItAfterwards() async throws {
        let f = try await ReportFixture()
        let failed = try f.failedUnsigned()
        let previousDriver = try #require(failed.driver)
        try await f.app.test(.router) { client in
            let insp = try await login(client, "insp1", "right-password")
            // Re-test: back to the report of the new attempt.
            let retest: InspectionID = try await client.execute(
                uri: "/reports/\(failed.id.rawValue)/retest?lang=en", method: .post, headers: form(insp), body: ByteBuffer()
            ) { response in
                #expect(response.status == .seeOther)
                let location = try #require(response.headers[.location])
                return InspectionID(String(location.dropFirst("/reports/".count).split(separator: "?")[0]))
            }
            let report = try #require(try f.journal.report(for: retest))
            #expect(report.inspection.retestOf == failed.id)
            #expect(report.draws.first.map { !$0.eligible.contains(previousDriver) } == true)
            // A wrong password is refused and journaled.
            try await client.execute(
                uri: "/reports/\(retest.rawValue)/sign", method: .post, headers: form(insp), body: ByteBuffer(string: "password=nope")
            ) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("密码错误"))
            }
            #expect(try !f.journal.isSigned(retest))
            // The right one signs; the page shows the entry's hash.
            try await client.execute(
                uri: "/reports/\(retest.rawValue)/sign", method: .post, headers: form(insp),
                body: ByteBuffer(string: "password=right-password&comment=repaired+and+passed")
            ) { response in #expect(response.status == .seeOther) }
            let signature = try #require(try f.journal.signature(of: retest))
            #expect(signature.record.comment == "repaired and passed")
            try await client.execute(uri: "/reports/\(retest.rawValue)", method: .get, headers: [.cookie: insp]) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("id=\"signature-hash\">\(signature.entryHash)<"))
                #expect(html.contains("id=\"locked\""))
                #expect(!html.contains("id=\"sign-form\"") && !html.contains("id=\"retest-form\""))
            }
            // Every changing route refuses the signed attempt, as a form and as JSON.
            for path in ["/reports/\(retest.rawValue)/sign", "/reports/\(retest.rawValue)/retest"] {
                try await client.execute(uri: path, method: .post, headers: form(insp), body: ByteBuffer(string: "password=right-password")) { response in
                    #expect(response.status == .conflict, "\(path)")
                }
            }
            for path in ["/api/reports/\(retest.rawValue)/sign", "/api/reports/\(retest.rawValue)/retest"] {
                try await client.execute(
                    uri: path, method: .post, headers: [.cookie: insp, .contentType: "application/json"],
                    body: ByteBuffer(string: "{\"password\": \"right-password\"}")
                ) { response in #expect(response.status == .conflict, "\(path)") }
            }
            // The first attempt links to its re-test and cannot be re-tested twice.
            try await client.execute(uri: "/reports/\(failed.id.rawValue)/retest", method: .post, headers: form(insp), body: ByteBuffer()) { response in
                #expect(response.status == .conflict)
            }
        }
        #expect(try f.journal.signature(of: retest(of: failed.id, f))?.journalSequence != nil)
        let reasons = try f.journal.refusals(of: try retest(of: failed.id, f)).map(\.refusal.reason)
        #expect(reasons == ["wrong_password", "already_signed", "already_signed", "already_signed", "already_signed"])
        try f.journal.close()
        #expect(try Journal.verify(path: f.folder.path()).isIntact)
    }

    func retest(of id: InspectionID, _ f: ReportFixture) throws -> InspectionID {
        try #require(try f.journal.search(InspectionQuery()).first { $0.id == id }?.retestedBy)
    }

    @Test(.timeLimit(.minutes(5)))
    func searchCSVStatisticsCSVAndTheBundleCarryTheJournalsFigures() async throws {
        let f = try await ReportFixture()
        let expected = try f.journal.search(InspectionQuery(lane: "L1"))
        try await f.app.test(.router) { client in
            let insp = try await login(client, "insp1", "right-password")
            try await client.execute(uri: "/reports/search.csv?lane=L1", method: .get, headers: [.cookie: insp]) { response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = String(buffer: response.body).dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(lines.count == expected.count + 1)
                #expect(lines.first == InspectionSummary.csvHeader.joined(separator: ","))
                #expect(Set(lines.dropFirst().map { String($0.split(separator: ",")[0]) }) == Set(expected.map(\.id.rawValue)))
            }
            let stats = try f.journal.statistics(
                from: StatisticsPeriod.parseDate("2026-11-21", utcOffsetSeconds: 8 * 3600)!,
                to: StatisticsPeriod.parseDate("2026-11-22", utcOffsetSeconds: 8 * 3600)!, utcOffsetSeconds: 8 * 3600)
            try await client.execute(uri: "/reports/stats.csv?period=day&date=2026-11-21&chart=hourly", method: .get, headers: [.cookie: insp]) { response in
                let rows = String(buffer: response.body).dropFirst().components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
                #expect(rows.count == 24)
                #expect(rows.map { Int($0.split(separator: ",")[1])! } == stats.vehiclesByHour)
            }
            try await client.execute(uri: "/reports/stats.csv?period=day&date=2026-11-21&chart=causes", method: .get, headers: [.cookie: insp]) { response in
                let rows = String(buffer: response.body).dropFirst().components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
                var parsed: [String: Int] = [:]
                for row in rows { parsed[String(row.split(separator: ",")[0])] = Int(row.split(separator: ",")[1]) }
                #expect(parsed == stats.failuresByCause)
            }
            try await client.execute(uri: "/reports/stats?period=week&date=2026-11-21&lang=en", method: .get, headers: [.cookie: insp]) { response in
                let html = String(buffer: response.body)
                for chart in ["hourly", "daily", "items", "causes", "lanes", "times", "drivers"] {
                    #expect(html.contains("data-chart=\"\(chart)\""), "\(chart)")
                    #expect(html.contains("id=\"csv-\(chart)\""), "\(chart)")
                }
                #expect(html.contains("<strong id=\"vehicles\">\(stats.vehicles)</strong>"))
            }
            try await client.execute(uri: "/reports/stats.csv?period=year", method: .get, headers: [.cookie: insp]) { response in
                #expect(response.status == .badRequest)
            }
            let id = expected[0].id
            try await client.execute(uri: "/reports/\(id.rawValue)/evidence.json", method: .get, headers: [.cookie: insp]) { response in
                let bundle = try JSONDecoder().decode(EvidenceBundle.self, from: Data(String(buffer: response.body).utf8))
                #expect(bundle.inspection == id)
                #expect(bundle.checkOffline().isEmpty)
            }
            try await client.execute(uri: "/reports?from=2026-13-01", method: .get, headers: [.cookie: insp]) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func theReportPageDrawsEveryCurveAimAndReadingWithItsLimit() async throws {
        let f = try await ReportFixture(vehicles: 6)
        let id = try #require(try f.journal.search(InspectionQuery()).last).id
        let report = try #require(try f.journal.report(for: id))
        try await f.app.test(.router) { client in
            let insp = try await login(client, "insp1", "right-password")
            try await client.execute(uri: "/reports/\(id.rawValue)?lang=en", method: .get, headers: [.cookie: insp]) { response in
                let html = String(buffer: response.body)
                #expect(html.components(separatedBy: "<svg").count - 1 == 2 + 1 + 1)  // two axles, one screen, one emission
                for item in report.currentItems {
                    #expect(html.contains("data-item=\"\(item.item)\""))
                    #expect(html.contains(item.clause!))
                }
                for m in report.measurements where m.station == "brake" {
                    #expect(html.contains("data-peak=\"left\" data-value=\"\(String(format: "%.1f", m.figures["peak_left_n"]!))\""))
                }
                #expect(html.contains("data-limit-percent=\"20.0\""))
                #expect(html.contains("class=\"zone\" data-zone=\"0.70,0.90,-170,350\""))
                #expect(html.contains("id=\"seed-check\"") == !report.shiftCloses.isEmpty)
                #expect(html.contains("id=\"driver\">\(report.assignments[0].driver.rawValue)<"))
                #expect(html.contains("lang=\"en\""))
            }
        }
    }
}

struct ReportChartTests {
    @Test func brakeAnalysisFindsBothPeaksAndTheLargestDifferenceDuringTheRise() throws {
        let times = (0..<10).map { Int64($0) * 100_000_000 }
        let left = Curve(channel: "force_left", unit: "N", resolution: 1, timesNs: times, values: [0, 1000, 2000, 3000, 4000, 4000, 3000, 500, 0, 0])
        let right = Curve(channel: "force_right", unit: "N", resolution: 1, timesNs: times, values: [0, 900, 1400, 2700, 3500, 3600, 3900, 100, 0, 0])
        let a = try #require(BrakeAnalysis(left: left, right: right))
        #expect(a.peakLeft.index == 4 && a.peakLeft.value == 4000)
        #expect(a.peakRight.index == 6 && a.peakRight.value == 3900)
        // Up to the later peak (index 6): differences 0,100,600,300,500,400,900 → index 6, 900 N = 22.5 % of 4000.
        #expect(a.riseDifference.index == 6 && a.riseDifference.newtons == 900)
        #expect(abs(a.riseDifference.percent - 22.5) < 1e-9)
        // The release (index 7: 400 N) is not part of the rise.
        let svg = ReportCharts.brake(title: "axle", left: left, right: right, limitPercent: 20, zh: false)
        #expect(svg.contains("data-rise-diff-n=\"900.0\" data-rise-diff-percent=\"22.5\""))
        #expect(svg.contains("data-limit-n=\"800.0\""))
        #expect(svg.contains("data-peak=\"right\" data-value=\"3900.0\""))
    }

    @Test(arguments: [
        ("≤ 20", 20.0 as Double?, nil as Double?), ("≥ 15000", nil, 15000), ("[0.70, 0.90]", 0.9, 0.7),
        ("[−170, +350] mm", 350, -170), ("<= 0.6", 0.6, nil),
    ])
    func limitStringsGiveTheirBounds(text: String, upper: Double?, lower: Double?) {
        let b = LimitBounds.parse(text)
        #expect(b?.upper == upper && b?.lower == lower)
    }

    @Test func aLimitWithoutANumberHasNoBounds() {
        #expect(LimitBounds.parse("see clause 7.2") == nil)
        #expect(LimitBounds.parse(nil) == nil)
    }
}
