import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Journal
import LaneCore
import LaneTesting
import Logging
import NIOCore
import StationControl
import StationServer
import StationTesting
import Testing
import Valet

/// The inspector's re-test through the real route, on a live station: `POST /api/reports/:id/retest` →
/// ``ReportDesk`` → ``StationRetests`` → `StationController.orderRetest`, with the controller running whole
/// vehicles through a lane of firmware physics (``LaneHarness``) and journaling to the same database the
/// report routes read.
struct ReportRetestTests {
    /// The report routes over the harness's journal and controller, as `lanectl demo` wires them.
    static func app(_ h: LaneHarness, auth: StationAuth) throws -> some ApplicationProtocol {
        let journal = try #require(h.journal)
        let (samples, _) = AsyncStream.makeStream(of: Sample.self)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let clock = h.clock
        let reports = ReportServices(
            journal: journal, authority: auth.accounts, retests: StationRetests(controller: h.controller, journal: journal),
            now: { clock.wall })
        return StationRoutes.application(
            hub: LiveHub(profile: h.controller.profile, pollers: [], samples: samples), auth: auth,
            controller: h.controller, host: "127.0.0.1", port: 0, reports: reports, logger: logger)
    }

    /// The lane run of the attempt of queue number `q`, once the vehicle has left the station.
    static func runToTheEnd(_ h: inout LaneHarness, queueNumber q: Int) throws -> LaneRunView {
        var last: LaneRunView?
        let done = try h.run { snapshot in
            if let run = snapshot.lanes[0].current, run.queueNumber == q { last = run }
            return !snapshot.queue.contains { $0.queueNumber == q }
        }
        #expect(done, "queue #\(q) did not finish: \(h.controller.snapshot().lanes[0])")
        #expect(h.controller.flushJournal(), "the journal writer did not catch up")
        return try #require(last, "queue #\(q) never ran on the lane")
    }

    /// The `error` object of a JSON refusal.
    static func refusal(_ response: TestResponse) throws -> [String: Any] {
        try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
    }

    @Test(.timeLimit(.minutes(5)))
    func anInspectorsRetestThroughTheRouteRerunsOnlyTheFailedStationWithAFreshDrawLinkedBothWays() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var profile = try demoProfile()
        profile.lanes = [profile.lanes[0]]  // the harness plays one lane: every vehicle goes there
        var h = try LaneHarness(profile: profile, folder: folder)
        let journal = try #require(h.journal)
        let auth = try await makeAuth(journal: journal)
        let controller = h.controller
        let shift = try controller.openShift(by: "op1")
        let first = try controller.checkIn(TestVehicles.car(scenario: "weak_rear_brake"), by: "op1")

        // Attempt 1: every station runs; the weak rear brake fails, the rest passes.
        let attempt1 = try Self.runToTheEnd(&h, queueNumber: first.queueNumber)
        #expect(attempt1.outcome == "fail")
        #expect(Set(attempt1.verdicts.map(\.station)) == ["emission", "headlamp", "brake"])
        let failedStations = Set(attempt1.verdicts.filter { $0.verdict == "fail" }.map(\.station))
        #expect(failedStations == ["brake"], "\(attempt1.verdicts.filter { $0.verdict != "pass" })")
        let id1 = InspectionID(attempt1.inspection)
        #expect(try journal.status(of: id1) == .fail)

        let app = try Self.app(h, auth: auth)
        try await app.test(.router) { client in
            // An operator and a driver are refused (403, journaled) and nothing is queued.
            for user in ["op1", "D01"] {
                let cookie = try await client.signIn(user)
                try await client.post("/api/reports/\(id1.rawValue)/retest", json: "{}", cookie: cookie) { response in
                    #expect(response.status == .forbidden, "\(user): \(String(buffer: response.body))")
                    let code = try Self.refusal(response)["code"] as? String
                    #expect(code == "not_inspector")
                }
            }
            #expect(controller.snapshot().queue.isEmpty, "a refused re-test queued a vehicle")

            // The inspector orders it: the vehicle is back in the queue as a re-test; the attempt opens at the lane.
            let inspector = try await client.signIn("insp1")
            try await client.post("/api/reports/\(id1.rawValue)/retest", json: "{}", cookie: inspector) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let body = try jsonObject(String(buffer: response.body))
                #expect(body["inspection"] as? String == id1.rawValue)
                #expect(body["retest"] is NSNull, "the new attempt opens when the vehicle reaches the lane")
            }
            let queued = controller.snapshot().queue
            #expect(queued.count == 1 && queued.first?.arrival == "retest", "\(queued)")

            // A second order for the same attempt is a conflict, whether the re-test has opened yet or not.
            try await client.post("/api/reports/\(id1.rawValue)/retest", json: "{}", cookie: inspector) { response in
                #expect(response.status == .conflict, "\(String(buffer: response.body))")
                let code = try Self.refusal(response)["code"] as? String
                #expect(code == "already_retested")
            }
            #expect(controller.snapshot().queue.count == 1)
        }
        let refusals = try journal.refusals(of: id1).map(\.refusal)
        #expect(refusals.map(\.user) == ["op1", "D01", "insp1"], "\(refusals)")
        #expect(refusals.prefix(2).allSatisfy { $0.reason == "not_inspector" && $0.action == "retest" })
        let decisions = try journal.read { db in
            try String.fetchAll(db, sql: "SELECT decision || ':' || user_id FROM signoffs WHERE inspection_id = ?", arguments: [id1.rawValue])
        }
        #expect(decisions == ["retest_ordered:insp1"])

        // Attempt 2: the same vehicle (still carrying its weak brake), only the brake station, another driver.
        let retestQueue = try #require(controller.snapshot().queue.first?.queueNumber)
        let attempt2 = try Self.runToTheEnd(&h, queueNumber: retestQueue)
        let id2 = InspectionID(attempt2.inspection)
        #expect(id2 != id1)
        #expect(attempt2.attempt == 2)
        #expect(attempt2.retestOf == id1.rawValue)
        #expect(attempt2.stations == ["brake"])
        #expect(Set(attempt2.verdicts.map(\.station)) == ["brake"])
        #expect(attempt2.outcome == "fail")
        #expect(attempt2.driver != attempt1.driver, "the failed attempt's driver drove the re-test")

        // Linked both ways in the journal, and only brake items recorded on the re-test.
        let summary1 = try #require(try journal.summary(of: id1))
        let summary2 = try #require(try journal.summary(of: id2))
        #expect(summary1.retestedBy == id2)
        #expect(summary2.retestOf == id1)
        #expect(summary2.attempt == 2)
        #expect(summary2.driver?.rawValue == attempt2.driver)
        let items2 = try journal.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT item FROM items WHERE inspection_id = ?", arguments: [id2.rawValue])
        }
        #expect(!items2.isEmpty && items2.allSatisfy { $0.hasPrefix("brake.") }, "\(items2)")

        // The dispatch records: the re-test arrived as one, and its draw left the previous driver out.
        let entries = try DispatchJournal.entries(of: ShiftID(shift.id), in: journal)
        let previousDriver = DriverID(attempt1.driver)
        let arrivals = entries.compactMap { entry -> Arrival? in
            if case .event(let event) = entry.record, case .checkIn(_, let arrival) = event.kind { return arrival }
            return nil
        }
        #expect(arrivals.last == .retest(failedAttempt: id1, failedDriver: previousDriver), "\(arrivals)")
        let draws = entries.compactMap { entry -> Valet.DrawRecord? in
            if case .draw(let draw) = entry.record { return draw }
            return nil
        }
        let firstDraw = try #require(draws.last { $0.input.queueNumber == first.queueNumber })
        let retestDraw = try #require(draws.last { $0.input.queueNumber == retestQueue })
        #expect(firstDraw.chosen == previousDriver)
        #expect(firstDraw.input.eligible.contains(previousDriver))
        #expect(!retestDraw.input.eligible.isEmpty)
        #expect(!retestDraw.input.eligible.contains(previousDriver), "\(retestDraw.input.eligible)")
        #expect(retestDraw.chosen.rawValue == attempt2.driver)

        // Signed, the re-test's report is locked: no re-test of it (409, journaled), nothing queued.
        try await app.test(.router) { client in
            let inspector = try await client.signIn("insp1")
            try await client.post("/api/reports/\(id2.rawValue)/sign", json: #"{"password": "demo-password"}"#, cookie: inspector) {
                response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            try await client.post("/api/reports/\(id2.rawValue)/retest", json: "{}", cookie: inspector) { response in
                #expect(response.status == .conflict, "\(String(buffer: response.body))")
                let code = try Self.refusal(response)["code"] as? String
                #expect(code == "already_signed")
            }
            // The first attempt already has its re-test.
            try await client.post("/api/reports/\(id1.rawValue)/retest", json: "{}", cookie: inspector) { response in
                #expect(response.status == .conflict, "\(String(buffer: response.body))")
                let code = try Self.refusal(response)["code"] as? String
                #expect(code == "retest_exists")
            }
        }
        #expect(controller.snapshot().queue.isEmpty, "a locked report's vehicle was queued again")
        #expect(try journal.refusals(of: id2).map(\.refusal.reason) == ["already_signed"])
        #expect(try journal.refusals(of: id1).last?.refusal.reason == "retest_exists")
        #expect(try journal.signature(of: id2)?.record.userID == "insp1")

        _ = try controller.closeShift(by: "op1")
        #expect(controller.flushJournal())
        controller.stopJournal()
        #expect(try Journal.verify(path: try #require(h.journalPath)).isIntact)
        // With the seed revealed, the draws (the re-test's among them) re-run to the same drivers.
        let audit = DrawAudit.verify(try DispatchJournal.entries(of: ShiftID(shift.id), in: journal), shift: ShiftID(shift.id))
        #expect(audit.passed, "\(audit.findings)")
        #expect(audit.draws >= 2)
    }
}
