import Foundation
import GRDB
import Journal
import LaneCore
import LaneTesting
import RigFirmware
import StationControl
import StationTesting
import Synchronization
import TestScheduling
import Testing
import Valet

/// Whole vehicles through a lane whose rigs are the firmware's physics on a virtual clock: every station in
/// drive order, the driver acknowledging every prompt, verdicts, the outcome, re-tests, faults, the journal.
@Suite(.offThePool)
struct LaneTests {
    static func finished(_ q: Int) -> (StationSnapshot) -> Bool {
        { snapshot in !snapshot.queue.contains { $0.queueNumber == q } }
    }

    @Test(.timeLimit(.minutes(10)))
    func aSoundCarPassesEveryStationInDriveOrderAndTheJournalVerifies() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var h = try LaneHarness(profile: Fixtures.singleLane(), folder: folder)
        let events = h.controller.events(bufferingNewest: 100_000)
        let shift = try h.controller.openShift(by: "op1")
        let ticket = try h.controller.checkIn(TestVehicles.car(), by: "desk1")
        var inspection: String?
        var verdicts: [ItemView] = []
        var outcome: String?
        let done = try h.run { snapshot in
            if let run = snapshot.lanes[0].current {
                inspection = run.inspection
                verdicts = run.verdicts
                outcome = run.outcome ?? outcome
            }
            return Self.finished(ticket.queueNumber)(snapshot)
        }
        #expect(done, "the vehicle did not finish: \(h.controller.snapshot().lanes[0])")
        print("lane: \(h.handled) samples handled, mean \(Int(h.handleTime.seconds / Double(max(1, h.handled)) * 1e9)) ns per handle() (wall clock, journal on)")
        #expect(outcome == "pass", "\(verdicts.filter { $0.verdict != "pass" })")
        #expect(Set(verdicts.map(\.station)) == ["emission", "headlamp", "brake"])
        #expect(verdicts.allSatisfy { $0.verdict == "pass" || $0.verdict == "not_applicable" })
        _ = try h.controller.closeShift(by: "op1")
        #expect(h.controller.flushJournal())
        h.controller.stopJournal()

        // The stations ran in the profile's order, one at a time.
        var started: [String] = []
        var seen: [StationEvent] = []
        for await event in events {
            seen.append(event)
            if event.type == .stationStarted, let s = event.station { started.append(s) }
            if event.type == .shiftClosed { break }
        }
        #expect(started == ["emission", "headlamp", "brake"])
        #expect(seen.contains { $0.type == .inspectionFinished && $0.outcome == "pass" })

        // The journal: chain intact, the draws re-run, and the inspection's evidence.
        let path = try #require(h.journalPath)
        let (chain, audit) = try verifyJournal(path, shift: shift.id)
        #expect(chain.isIntact, "\(chain.problems)")
        #expect(audit.passed, "\(audit.findings)")
        let id = try #require(inspection)
        let journal = try Journal(readingAt: path)
        #expect(try journal.status(of: InspectionID(id)) == .pass)
        let counts = try journal.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE inspection_id = ?", arguments: [id]) ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM measurements WHERE inspection_id = ?", arguments: [id]) ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM curves WHERE inspection_id = ?", arguments: [id]) ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM acknowledgements") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT prompt_id) FROM acknowledgements") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignments WHERE inspection_id = ?", arguments: [id]) ?? 0)
        }
        #expect(counts.0 == verdicts.count)
        #expect(counts.1 >= 5)  // emission, two lamps, two axles, parking
        #expect(counts.2 >= 6)  // left and right curve of each brake run
        #expect(counts.3 > 5)
        #expect(counts.3 == counts.4, "a prompt was acknowledged more than once")
        #expect(counts.5 == 1)
    }

    @Test(.timeLimit(.minutes(10)))
    func aWeakRearBrakeFailsAndItsRetestRunsOnlyTheBrakeWithAnotherDriverLinkedToTheFailure() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var h = try LaneHarness(profile: Fixtures.singleLane(), folder: folder)
        let shift = try h.controller.openShift(by: "op1")
        let first = try h.controller.checkIn(TestVehicles.car(scenario: "weak_rear_brake"), by: "desk1")
        var failed: LaneRunView?
        #expect(try h.run { snapshot in
            if let run = snapshot.lanes[0].current { failed = run }
            return Self.finished(first.queueNumber)(snapshot)
        })
        let attempt1 = try #require(failed)
        #expect(attempt1.outcome == "fail", "\(attempt1.verdicts.filter { $0.verdict != "pass" })")
        let failing = attempt1.verdicts.filter { $0.verdict == "fail" }.map(\.item)
        #expect(!failing.isEmpty)
        #expect(failing.allSatisfy { $0.hasPrefix("brake.") }, "\(failing)")

        // An operator cannot re-test a pass; an unknown inspection is not found.
        do {
            _ = try h.controller.orderRetest(of: InspectionID("nope"), by: "insp1")
            Issue.record("unknown inspection accepted")
        } catch {
            #expect(error.kind == .notFound)
        }

        let retest = try h.controller.orderRetest(of: InspectionID(attempt1.inspection), by: "insp1", scenario: "sound_car")
        #expect(retest.arrival == "retest")
        #expect(retest.retestOf == attempt1.inspection)
        #expect(retest.stations == ["brake"])
        #expect(retest.driver != attempt1.driver, "the failed attempt's driver was drawn again")
        // Only one re-test per failed attempt.
        #expect(throws: StationError.self) { try h.controller.orderRetest(of: InspectionID(attempt1.inspection), by: "insp1") }

        var second: LaneRunView?
        var started: [String] = []
        let events = h.controller.events(bufferingNewest: 100_000)
        #expect(try h.run { snapshot in
            if let run = snapshot.lanes[0].current { second = run }
            return Self.finished(retest.queueNumber)(snapshot)
        })
        let attempt2 = try #require(second)
        #expect(attempt2.attempt == 2)
        #expect(attempt2.retestOf == attempt1.inspection)
        #expect(attempt2.driver != attempt1.driver)
        #expect(Set(attempt2.verdicts.map(\.station)) == ["brake"])
        #expect(attempt2.outcome == "pass", "\(attempt2.verdicts.filter { $0.verdict != "pass" })")
        _ = try h.controller.closeShift(by: "op1")
        for await event in events {
            if event.type == .stationStarted, let s = event.station { started.append(s) }
            if event.type == .shiftClosed { break }
        }
        #expect(started == ["brake"])
        #expect(h.controller.flushJournal())
        h.controller.stopJournal()
        let path = try #require(h.journalPath)
        let (chain, audit) = try verifyJournal(path, shift: shift.id)
        #expect(chain.isIntact, "\(chain.problems)")
        #expect(audit.passed, "\(audit.findings)")
        let link = try Journal(readingAt: path).read { db in
            try Row.fetchOne(db, sql: "SELECT attempt, retest_of FROM inspections WHERE id = ?", arguments: [attempt2.inspection])
        }
        let linkedAttempt: Int? = link?["attempt"]
        let linkedTo: String? = link?["retest_of"]
        #expect(linkedAttempt == 2)
        #expect(linkedTo == attempt1.inspection)
    }

    @Test(.timeLimit(.minutes(10)))
    func aRigFaultMidTestAbortsTheStepStopsTheRollersAndAnOperatorAbortLeavesItIncompleteNeverPass() throws {
        var h = try LaneHarness(profile: Fixtures.singleLane([.brake]))
        _ = try h.controller.openShift(by: "op1")
        let ticket = try h.controller.checkIn(TestVehicles.car(), by: "desk1")
        let lane = h.lane
        // Run until the rollers turn for the first axle, then the tester stops answering.
        #expect(try h.run(limit: .seconds(120)) { snapshot in
            snapshot.lanes[0].current?.prompt?.en.hasPrefix("Release") == true
                || snapshot.lanes[0].current?.verdicts.isEmpty == false
                || (snapshot.lanes[0].current?.station == "brake" && lane.state.withLock { s in
                    (s.rigs[0].model as? BrakeTesterModel)?.rollerState == .atSpeed })
        })
        let faultFrom = h.lane.state.withLock { $0.elapsed }
        h.lane.state.withLock { $0.fault = (RigID("L1.brake"), faultFrom, faultFrom + .seconds(3600), .stale) }
        #expect(try h.run(limit: .seconds(30)) { $0.lanes[0].current?.abortedStep != nil })
        let snapshot = h.controller.snapshot()
        #expect(snapshot.lanes[0].current?.state == "awaiting_repeat")
        #expect(snapshot.alarms.contains { $0.active && $0.source == "L1" })
        // The operator gives up: rollers stopped, nothing measured passes.
        try h.controller.abort(lane: LaneID("L1"), reason: "brake tester offline", by: "op1")
        let after = h.controller.snapshot().lanes[0].current
        #expect(after?.outcome == "aborted")
        #expect(after?.verdicts.contains { $0.verdict == "pass" && $0.item.hasPrefix("brake.axle1") } == false)
        #expect(after?.verdicts.filter { $0.verdict == "incomplete" }.isEmpty == false)
        #expect(h.lane.state.withLock { s in (s.rigs[0].model as? BrakeTesterModel)?.commandStates["rollers_run"] } == 0)
        h.lane.state.withLock { $0.fault = nil }
        #expect(try h.run(limit: .seconds(60), until: Self.finished(ticket.queueNumber)))
    }

    @Test(.timeLimit(.minutes(10)))
    func lateSamplesMakeTheItemsTheyCarryIncompleteWithTheReason() throws {
        var h = try LaneHarness(profile: Fixtures.singleLane([.headlamp]))
        _ = try h.controller.openShift(by: "op1")
        let ticket = try h.controller.checkIn(TestVehicles.car(), by: "desk1")
        // Every headlamp sample from the start is late (the poll missed its deadline).
        h.lane.state.withLock { $0.late = (RigID("L1.headlamp"), .zero, 1_000_000) }
        var run: LaneRunView?
        #expect(try h.run { snapshot in
            if let current = snapshot.lanes[0].current { run = current }
            return Self.finished(ticket.queueNumber)(snapshot)
        })
        let verdicts = try #require(run).verdicts
        #expect(!verdicts.isEmpty)
        #expect(!verdicts.contains { $0.verdict == "pass" })
        #expect(verdicts.contains { $0.qualityReason != nil })
        #expect(run?.outcome == "incomplete")
        #expect(h.controller.snapshot().alarms.contains { $0.en.contains("incomplete") })
    }
}

