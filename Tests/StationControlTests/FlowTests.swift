import Foundation
import Journal
import LaneCore
import LaneTesting
import StationControl
import StationTesting
import Testing
import Valet

/// The vehicle and driver flow without rigs: check-in, the draw, the handheld tasks, the lane call, entering,
/// the operator's abort, and the journal that results.
struct FlowTests {
    @Test func checkInRefusesABadPlateAndABadVINWithTheField() throws {
        let controller = Fixtures.controller()
        _ = try controller.openShift(by: "op1")
        var bad = TestVehicles.car("鲁G·1234")
        #expect(throws: StationError.self) { try controller.checkIn(bad, by: "op1") }
        do {
            _ = try controller.checkIn(bad, by: "op1")
        } catch {
            #expect(error.kind == .invalid)
            #expect(error.field == "plate")
            #expect(!error.zh.isEmpty && !error.en.isEmpty)
        }
        bad = TestVehicles.car()
        bad.vehicle.vin = "LSVAU2180N2183294"  // the check digit should be X
        do {
            _ = try controller.checkIn(bad, by: "op1")
            Issue.record("a VIN with a bad check digit was accepted")
        } catch {
            #expect(error.kind == .invalid)
            #expect(error.field == "vin")
        }
    }

    @Test func checkInNeedsAnOpenShift() {
        let controller = Fixtures.controller()
        do {
            _ = try controller.checkIn(TestVehicles.car(), by: "op1")
            Issue.record("checked in without a shift")
        } catch {
            #expect(error.code == "shift_not_open")
            #expect(error.kind == .conflict)
        }
    }

    @Test func aCheckedInVehicleGetsADrawnDriverWhoseHandheldAloneCanActOnIt() throws {
        let controller = Fixtures.controller()
        let shift = try controller.openShift(by: "op1")
        #expect(shift.seedCommitment.count == 64)
        #expect(shift.seed == nil)
        let ticket = try controller.checkIn(TestVehicles.car(), by: "op1")
        #expect(ticket.queueNumber == 1)
        let snapshot = controller.snapshot()
        let drawn = try #require(snapshot.drivers.first { $0.state == "assigned" })
        let task = try #require(controller.task(for: DriverID(drawn.id)))
        #expect(task.step == "collect_key")
        #expect(task.needsPlateConfirmation)
        #expect(task.plate == "鲁G·12345")
        #expect(task.zh.contains("鲁G·12345"))
        // Another driver cannot acknowledge it.
        let other = try #require(snapshot.drivers.first { $0.id != drawn.id })
        #expect(throws: StationError.self) {
            try controller.acknowledge(driver: DriverID(other.id), promptID: task.promptID, plate: "鲁G·12345")
        }
        // A wrong plate is refused and the driver is told so.
        #expect(throws: StationError.self) {
            try controller.acknowledge(driver: DriverID(drawn.id), promptID: task.promptID, plate: "鲁G·54321")
        }
        let wrong = try #require(controller.task(for: DriverID(drawn.id)))
        #expect(wrong.step == "wrong_vehicle")
        let next = try controller.acknowledge(driver: DriverID(drawn.id), promptID: wrong.promptID, plate: "鲁G12345")
        #expect(next?.step == "drive_to_lane")
        // A resent acknowledgement (dropped Wi-Fi) returns the current task instead of failing.
        let again = try controller.acknowledge(driver: DriverID(drawn.id), promptID: wrong.promptID, plate: "鲁G12345")
        #expect(again == next)
    }

    @Test func theLaneCallsTheWaitingVehicleAndEnteringOpensAnInspectionAtTheFirstStation() throws {
        let log = CommandLog()
        let controller = Fixtures.controller(log: log)
        _ = try controller.openShift(by: "op1")
        _ = try controller.checkIn(TestVehicles.car(), by: "op1")
        let driver = try #require(controller.snapshot().drivers.first { $0.state == "assigned" }).id
        let d = DriverID(driver)
        var task = try #require(controller.task(for: d))
        task = try #require(try controller.acknowledge(driver: d, promptID: task.promptID, plate: task.plate))
        #expect(task.step == "drive_to_lane")
        task = try #require(try controller.acknowledge(driver: d, promptID: task.promptID, plate: nil))
        // The lane is empty: it calls the vehicle at once.
        #expect(task.step == "enter_lane")
        let lane = LaneID(task.lane)
        #expect(controller.snapshot().lanes.first { $0.id == lane.rawValue }?.state == "called")
        task = try #require(try controller.acknowledge(driver: d, promptID: task.promptID, plate: nil))
        let view = try #require(controller.snapshot().lanes.first { $0.id == lane.rawValue })
        #expect(view.state == "busy")
        let run = try #require(view.current)
        #expect(run.station == view.stations.first)
        #expect(run.attempt == 1)
        #expect(task.station == view.stations.first)

        // The operator aborts: the brake tester's rollers are told to stop, the outcome is aborted.
        try controller.abort(lane: lane, reason: "test", by: "op1")
        #expect(log.all.contains(RigCommand(rig: RigID("\(lane).brake"), name: "rollers_run", value: 0)))
        #expect(controller.snapshot().lanes.first { $0.id == lane.rawValue }?.current?.outcome == "aborted")
        task = try #require(controller.task(for: d))
        #expect(task.step == "inspection_aborted")
        task = try #require(try controller.acknowledge(driver: d, promptID: task.promptID, plate: nil))
        #expect(task.step == "drive_to_exit")
        task = try #require(try controller.acknowledge(driver: d, promptID: task.promptID, plate: nil))
        #expect(task.step == "park")
        #expect(task.bay != nil)
        task = try #require(try controller.acknowledge(driver: d, promptID: task.promptID, plate: nil))
        #expect(task.step == "return_key")
        #expect(try controller.acknowledge(driver: d, promptID: task.promptID, plate: nil) == nil)
        #expect(controller.snapshot().drivers.first { $0.id == driver }?.state == "free")
        #expect(controller.snapshot().lanes.first { $0.id == lane.rawValue }?.state == "idle")
    }

    @Test func aJournaledShiftPassesTheChainCheckAndTheDispatchAudit() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let path = folder.url.appendingPathComponent("station.sqlite").path
        let journal = try Journal(path: path, now: clock.wall)
        let controller = Fixtures.controller(journal: journal, clock: clock)
        let shift = try controller.openShift(by: "op1")
        _ = try controller.checkIn(TestVehicles.car(), by: "desk1")
        _ = try controller.checkIn(TestVehicles.car("鲁G·D12345"), by: "desk1")
        let first = try #require(controller.snapshot().drivers.first { $0.state == "assigned" })
        // The operator takes the first vehicle from its driver: a new draw, with the reason journaled.
        try controller.reassign(queueNumber: first.queueNumber!, to: nil, reason: "driver called away", by: "op1")
        #expect(controller.snapshot().drivers.first { $0.id == first.id }?.state == "free")
        // A driver who does not confirm in time is released and the vehicle redrawn.
        clock.advance(.seconds(200))
        controller.tick()
        #expect(controller.snapshot().drivers.contains { $0.state == "unresponsive" })
        // Vehicles whose key was not collected leave the queue with the shift; the seed is revealed.
        let closed = try controller.closeShift(by: "op1")
        #expect(closed.seed != nil)
        #expect(try ShiftSeed(hex: closed.seed ?? "").commitment == closed.seedCommitment)
        #expect(controller.snapshot().queue.isEmpty)
        #expect(controller.flushJournal())
        let (chain, audit) = try verifyJournal(path, shift: shift.id)
        #expect(chain.isIntact, "\(chain.problems)")
        #expect(audit.findings.isEmpty, "\(audit.findings)")
        #expect(audit.draws >= 3)
        #expect(audit.drawsConfirmed == audit.draws)
        let kinds = try journal.entries().map(\.kind.rawValue)
        #expect(kinds.contains("shift.opened"))
        #expect(kinds.contains("vehicle.registered"))
        #expect(kinds.contains("driver.drawn"))
        #expect(kinds.contains("operator.action"))
        #expect(kinds.contains("prompt.issued"))
        controller.stopJournal()
    }
}
