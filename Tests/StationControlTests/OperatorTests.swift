import Foundation
import Journal
import LaneCore
import LaneTesting
import RigFirmware
import StationControl
import StationTesting
import Synchronization
import Testing
import Valet

/// The operator's repeat and call, the journal's failures surfacing as alarms, and the JSON the pages read.
struct OperatorTests {
    @Test(.timeLimit(.minutes(10)))
    func anOperatorRepeatAfterAShortRigFaultRunsTheStepAgainToAVerdict() throws {
        var h = try LaneHarness(profile: Fixtures.singleLane([.brake]))
        _ = try h.controller.openShift(by: "op1")
        let ticket = try h.controller.checkIn(TestVehicles.car(), by: "desk1")
        let lane = h.lane
        #expect(try h.run(limit: .seconds(120)) { snapshot in
            snapshot.lanes[0].current?.station == "brake"
                && lane.state.withLock { s in (s.rigs[0].model as? BrakeTesterModel)?.rollerState == .atSpeed }
        })
        // The tester times out for a second, then answers again.
        let from = lane.state.withLock { $0.elapsed }
        lane.state.withLock { $0.fault = (RigID("L1.brake"), from, from + .seconds(1), .timedOut) }
        #expect(try h.run(limit: .seconds(30)) { $0.lanes[0].current?.abortedStep != nil })
        // Nothing to repeat on the other lane of the demo profile; here the operator orders the repeat.
        #expect(throws: StationError.self) { try h.controller.orderRepeat(lane: LaneID("L9"), by: "op1") }
        try h.controller.orderRepeat(lane: LaneID("L1"), by: "op1")
        #expect(h.controller.snapshot().lanes[0].current?.abortedStep == nil)
        var run: LaneRunView?
        #expect(try h.run { snapshot in
            if let current = snapshot.lanes[0].current { run = current }
            return !snapshot.queue.contains { $0.queueNumber == ticket.queueNumber }
        })
        #expect(run?.outcome == "pass", "\(run?.verdicts.filter { $0.verdict != "pass" } ?? [])")
        #expect(h.controller.snapshot().alarms.allSatisfy { !$0.active })
    }

    @Test func inOperatorCallModeOnlyCallNextLetsTheWaitingVehicleIn() throws {
        var options = StationController.Options()
        options.callMode = .operatorCalls
        let controller = Fixtures.controller(profile: Fixtures.singleLane(), options: options)
        _ = try controller.openShift(by: "op1")
        _ = try controller.checkIn(TestVehicles.car(), by: "desk1")
        let driver = DriverID(try #require(controller.snapshot().drivers.first { $0.state == "assigned" }).id)
        var task = try #require(controller.task(for: driver))
        task = try #require(try controller.acknowledge(driver: driver, promptID: task.promptID, plate: task.plate))
        task = try #require(try controller.acknowledge(driver: driver, promptID: task.promptID, plate: nil))
        #expect(task.step == "wait_at_entry")
        #expect(!task.expectsAcknowledgement)
        #expect(throws: StationError.self) { try controller.acknowledge(driver: driver, promptID: task.promptID, plate: nil) }
        #expect(controller.snapshot().lanes[0].waitingAtEntry == [1])
        try controller.callNext(lane: LaneID("L1"), by: "op1")
        let called = try #require(controller.task(for: driver))
        #expect(called.step == "enter_lane")
        #expect(controller.snapshot().lanes[0].calledPlate == "鲁G·12345")
        // Calling again repeats the call; with the vehicle in, the lane is busy.
        try controller.callNext(lane: LaneID("L1"), by: "op1")
        let again = try #require(controller.task(for: driver))
        _ = try controller.acknowledge(driver: driver, promptID: again.promptID, plate: nil)
        do {
            try controller.callNext(lane: LaneID("L1"), by: "op1")
            Issue.record("called a vehicle onto a busy lane")
        } catch {
            #expect(error.code == "lane_busy")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aJournalThatRefusesWritesRaisesAnAlarmAndCountsTheFailures() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let path = folder.url.appendingPathComponent("station.sqlite").path
        try Journal(path: path, now: clock.wall).close()
        let readOnly = try Journal(readingAt: path)
        var options = StationController.Options()
        options.journalSamples = false
        let controller = Fixtures.controller(journal: readOnly, clock: clock, options: options)
        _ = try controller.openShift(by: "op1")
        #expect(controller.flushJournal(timeout: .seconds(50)))
        #expect(controller.journalCounts.failures > 0)
        let alarms = controller.snapshot().alarms
        #expect(alarms.contains { $0.source == "journal" && $0.severity == "error" && $0.active })
        #expect(controller.snapshot().journalFailures == controller.journalCounts.failures)
        controller.stopJournal()
    }

    @Test func viewsEncodeWithSnakeCaseKeys() throws {
        let controller = Fixtures.controller()
        _ = try controller.openShift(by: "op1")
        let ticket = try controller.checkIn(TestVehicles.car(), by: "desk1")
        let json = String(decoding: try StationJSON.encoder().encode(controller.snapshot()), as: UTF8.self)
        for key in ["\"station_name\"", "\"seed_commitment\"", "\"queue_number\"", "\"waited_seconds\"", "\"name_zh\"",
                    "\"needs_plate_confirmation\"", "\"prompt_id\"", "\"waiting_at_entry\""] {
            #expect(json.contains(key), "\(key) missing in \(json.prefix(300))")
        }
        let ticketJSON = String(decoding: try StationJSON.encoder().encode(ticket), as: UTF8.self)
        #expect(ticketJSON.contains("\"type_code\":\"K33\""))
        #expect(ticketJSON.contains("\"checked_in_at_ms\""))
        let request = try StationJSON.decoder().decode(
            CheckInRequest.self,
            from: Data(#"{"vehicle": {"plate": "鲁G·12345", "category": "M1", "axles": 2}, "scenario": "dim_lamp", "appointment_in_seconds": 60}"#.utf8))
        #expect(request.vehicle.axles == 2)
        #expect(request.scenario == "dim_lamp")
        #expect(request.appointmentInSeconds == 60)
    }
}
