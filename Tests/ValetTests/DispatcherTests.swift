import LaneCore
import TestScheduling
import Testing
import Valet

/// A small station to feed events to, with a time that the test moves.
struct Station {
    var dispatcher: Dispatcher
    var seconds: UInt64 = 0
    var journal: [DispatchJournalEntry] = []

    init(drivers: [DriverID] = ["D1", "D2", "D3", "D4"], lanes: [LaneSetup] = [LaneSetup(id: "L1")],
         policy: DriverPolicy = .init(.pooledRandom), seed: UInt64 = 7, timeout: Int = 180)
    {
        let configuration = ShiftConfiguration(shift: "S1", lanes: lanes, drivers: drivers, policy: policy,
                                               confirmTimeoutSeconds: timeout)
        dispatcher = Dispatcher(configuration: configuration, seed: .forSimulation(seed))
        keep(dispatcher.open(at: now))
    }

    var now: MonotonicInstant { MonotonicInstant(nanoseconds: seconds * 1_000_000_000) }

    @discardableResult
    mutating func send(_ kind: DispatchEvent.Kind, after: UInt64 = 1) -> [DispatchAction] {
        seconds += after
        let actions = dispatcher.handle(DispatchEvent(kind, at: now))
        keep(actions)
        return actions
    }

    mutating func keep(_ actions: [DispatchAction]) {
        for a in actions { if case .journal(let e) = a { journal.append(e) } }
    }

    mutating func close() { keep(dispatcher.close(at: now)) }

    mutating func checkIn(_ plate: String, _ arrival: Arrival = .walkIn) -> [DispatchAction] {
        send(.checkIn(vehicle: Vehicle(plate: plate), arrival: arrival))
    }

    /// Drives the vehicle a driver has through the lane to the key desk.
    mutating func complete(_ d: DriverID, plate: String) {
        send(.pickupConfirmed(driver: d, plate: plate))
        send(.arrivedAtLaneEntry(driver: d))
        send(.enteredLane(driver: d))
        for s in ["brake", "headlamp", "emission"] { send(.stationAcknowledged(driver: d, station: s)) }
        send(.exitedLane(driver: d))
        send(.parked(driver: d, bay: "7"))
        send(.keyReturned(driver: d))
    }
}

func assignments(_ actions: [DispatchAction]) -> [Assignment] {
    actions.compactMap { if case .assign(let a) = $0 { a } else { nil } }
}

func refusals(_ actions: [DispatchAction]) -> [Refusal] {
    actions.compactMap { if case .refused(let r) = $0 { r } else { nil } }
}

func draws(_ actions: [DispatchAction]) -> [DrawRecord] {
    actions.compactMap { if case .journal(let e) = $0, case .draw(let d) = e.record { d } else { nil } }
}

@Suite(.offThePool)
struct DispatcherTests {
    @Test func checkInGivesQueueNumbersAndRefusesBadDataWithReasons() {
        var s = Station()
        s.send(.laneClosed(lane: "L1"))
        #expect(s.checkIn("鲁G12345").contains(.queued(queueNumber: 1, plate: "鲁G·12345")))
        #expect(s.checkIn("粤B·D12345").contains(.queued(queueNumber: 2, plate: "粤B·D12345")))
        let bad = refusals(s.checkIn("鲁G·1234"))
        #expect(bad.map(\.code) == ["plate"])
        #expect(!bad[0].zh.isEmpty && !bad[0].en.isEmpty)
        var v = Vehicle(plate: "鲁G·54321")
        v.vin = "LSVAU2180N2183294"
        #expect(refusals(s.send(.checkIn(vehicle: v, arrival: .walkIn))).map(\.code) == ["vin"])
        #expect(refusals(s.checkIn("鲁G·12345")).map(\.code) == ["duplicate"])
        #expect(s.checkIn("鲁G·22222").contains(.queued(queueNumber: 3, plate: "鲁G·22222")))  // refusals use no number
    }

    @Test func vehicleNoLaneTakesIsRefused() {
        var s = Station(lanes: [LaneSetup(id: "L1", categories: ["M1", "N1"])])
        var truck = Vehicle(plate: "鲁G·12345")
        truck.category = "N3"
        #expect(refusals(s.send(.checkIn(vehicle: truck, arrival: .walkIn))).map(\.code) == ["no_lane"])
    }

    @Test func assignsAtOnceWhenALaneAndADriverAreFree() {
        var s = Station()
        let actions = s.checkIn("鲁G·12345")
        let a = assignments(actions)
        #expect(a.count == 1)
        #expect(a[0].lane == "L1" && a[0].drawNumber == 1)
        #expect(["D1", "D2", "D3", "D4"].contains(a[0].driver))
        #expect(draws(actions)[0].input.eligible == ["D1", "D2", "D3", "D4"])
        #expect(draws(actions)[0].chosen == a[0].driver)
        // The lane's entry is taken: the next vehicle waits until the first one is on the first station.
        #expect(assignments(s.checkIn("鲁G·22222")).isEmpty)
        #expect(assignments(s.send(.pickupConfirmed(driver: a[0].driver, plate: "鲁G12345"))).isEmpty)
        let next = assignments(s.send(.enteredLane(driver: a[0].driver)))
        #expect(next.map(\.queueNumber) == [2])
        #expect(next[0].driver != a[0].driver)
    }

    @Test func appointmentsDueGoFirstThenReTestsThenFirstCome() {
        var s = Station()
        s.send(.laneClosed(lane: "L1"))
        _ = s.checkIn("鲁G·11111")  // 1 walk-in
        _ = s.checkIn("鲁G·22222", .appointment(due: MonotonicInstant(nanoseconds: 10_000 * 1_000_000_000)))  // not due
        _ = s.checkIn("鲁G·33333", .retest(failedAttempt: "I-9", failedDriver: nil))  // 3 re-test
        _ = s.checkIn("鲁G·44444", .appointment(due: MonotonicInstant(nanoseconds: 0)))  // 4 due
        var order: [Int] = []
        var a = assignments(s.send(.laneOpened(lane: "L1")))
        while let first = a.first {
            order.append(first.queueNumber)
            s.send(.pickupConfirmed(driver: first.driver, plate: first.plate))
            a = assignments(s.send(.enteredLane(driver: first.driver)))
        }
        #expect(order == [4, 3, 1, 2])
    }

    @Test(arguments: 0..<25 as Range<UInt64>)
    func reTestNeverGoesToTheDriverOfTheFailedAttempt(seed: UInt64) {
        var s = Station(drivers: ["D1", "D2", "D3"], seed: seed)
        let a = assignments(s.checkIn("鲁G·12345", .retest(failedAttempt: "I-1", failedDriver: "D2")))
        #expect(a.count == 1)
        #expect(a[0].driver != "D2")
        #expect(!draws(s.journal.map { .journal($0) })[0].input.eligible.contains("D2"))
    }

    @Test func reTestWaitsWhenOnlyItsFailedDriverIsFreeButOthersGetHim() {
        var s = Station(drivers: ["D1"], lanes: [LaneSetup(id: "L1", entryLimit: 2)])
        #expect(assignments(s.checkIn("鲁G·12345", .retest(failedAttempt: "I-1", failedDriver: "D1"))).isEmpty)
        // A later walk-in may take D1: no driver and lane stay idle while someone could go.
        let a = assignments(s.checkIn("鲁G·22222"))
        #expect(a.map(\.queueNumber) == [2])
        #expect(s.dispatcher.stall() == nil)
    }

    @Test func driversOnBreakOrSignedOutAreNeverDrawn() {
        var s = Station(drivers: ["D1", "D2", "D3"])
        s.send(.driverOnBreak(driver: "D1"))
        s.send(.driverSignedOut(driver: "D3"))
        let actions = s.checkIn("鲁G·12345")
        #expect(assignments(actions).map(\.driver) == ["D2"])
        #expect(draws(actions)[0].input.eligible == ["D2"])
        #expect(refusals(s.send(.driverOnBreak(driver: "D9"))).map(\.code) == ["unknown_driver"])
    }

    @Test func fullFlowPromptsEachStepAndFreesTheDriverWhenTheKeyIsBack() {
        var s = Station(drivers: ["D1"])
        _ = s.checkIn("鲁G·12345")
        let steps: [(DispatchEvent.Kind, DriverPrompt.Step?)] = [
            (.pickupConfirmed(driver: "D1", plate: "鲁G·12345"), .driveToLane),
            (.arrivedAtLaneEntry(driver: "D1"), .waitAtEntry),
            (.enteredLane(driver: "D1"), .station),
            (.stationAcknowledged(driver: "D1", station: "brake"), .station),
            (.stationAcknowledged(driver: "D1", station: "headlamp"), .station),
            (.stationAcknowledged(driver: "D1", station: "emission"), .driveToExit),
            (.exitedLane(driver: "D1"), .park),
            (.parked(driver: "D1", bay: "7"), .returnKey),
            (.keyReturned(driver: "D1"), nil),
        ]
        for (event, step) in steps {
            let actions = s.send(event)
            #expect(refusals(actions).isEmpty, "\(event)")
            let prompts = actions.compactMap { if case .prompt(let p) = $0 { p } else { nil } }
            #expect(prompts.map(\.step) == (step.map { [$0] } ?? []), "\(event)")
            #expect(prompts.allSatisfy { !$0.zh.isEmpty && !$0.en.isEmpty })
        }
        #expect(s.dispatcher.state(of: "D1") == .free)
        #expect(s.dispatcher.vehicle(of: "D1") == nil)
    }

    @Test func wrongPlateOrSkippedStationIsRefused() {
        var s = Station(drivers: ["D1"])
        _ = s.checkIn("鲁G·12345")
        let wrong = s.send(.pickupConfirmed(driver: "D1", plate: "鲁G·12346"))
        #expect(refusals(wrong).map(\.code) == ["wrong_vehicle"])
        #expect(s.dispatcher.state(of: "D1") == .assigned)
        s.send(.pickupConfirmed(driver: "D1", plate: "鲁g 12345"))
        #expect(s.dispatcher.state(of: "D1") == .pickedUp)
        s.send(.enteredLane(driver: "D1"))
        #expect(refusals(s.send(.stationAcknowledged(driver: "D1", station: "headlamp"))).map(\.code) == ["wrong_station"])
        #expect(refusals(s.send(.exitedLane(driver: "D1"))).map(\.code) == ["stations_pending"])
        #expect(refusals(s.send(.keyReturned(driver: "D1"))).map(\.code) == ["wrong_state"])
    }

    @Test func unconfirmedAssignmentTimesOutAndIsRedrawnToAnotherDriver() {
        var s = Station(drivers: ["D1", "D2", "D3"], timeout: 60)
        let first = assignments(s.checkIn("鲁G·12345"))[0]
        let before = s.journal.count
        #expect(s.send(.tick, after: 30).isEmpty)  // not due: nothing, not even a journal entry
        #expect(s.journal.count == before)
        let actions = s.send(.tick, after: 31)
        #expect(actions.contains(.release(driver: first.driver, queueNumber: 1, reason: .confirmationTimedOut)))
        #expect(actions.contains(.redraw(queueNumber: 1, reason: .confirmationTimedOut)))
        let again = assignments(actions)
        #expect(again.count == 1 && again[0].driver != first.driver && again[0].drawNumber == 2)
        #expect(draws(actions)[0].reason == .afterTimeout)
        #expect(!draws(actions)[0].input.eligible.contains(first.driver))
        #expect(s.dispatcher.state(of: first.driver) == .unresponsive)
        // The late driver's confirmation is refused; after reporting back he is free again.
        #expect(refusals(s.send(.pickupConfirmed(driver: first.driver, plate: "鲁G·12345"))).map(\.code) == ["wrong_state"])
        s.send(.driverAvailable(driver: first.driver))
        #expect(s.dispatcher.state(of: first.driver) == .free)
    }

    @Test func operatorReassignsToANamedDriverWithAReasonThatIsJournaled() {
        var s = Station(drivers: ["D1", "D2", "D3"])
        let first = assignments(s.checkIn("鲁G·12345"))[0]
        let other: DriverID = first.driver == "D1" ? "D2" : "D1"
        #expect(refusals(s.send(.reassign(queueNumber: 1, to: other, reason: " ", operator: "op1"))).map(\.code)
            == ["reason_required"])
        #expect(refusals(s.send(.reassign(queueNumber: 1, to: first.driver, reason: "x", operator: "op1"))).map(\.code)
            == ["driver_not_eligible"])
        let actions = s.send(.reassign(queueNumber: 1, to: other, reason: "driver feels unwell", operator: "op1"))
        #expect(assignments(actions).map(\.driver) == [other])
        #expect(assignments(actions)[0].drawNumber == nil)
        let records = actions.compactMap { if case .journal(let e) = $0, case .assignment(let r) = e.record { r } else { nil } }
        #expect(records.count == 1)
        #expect(records[0].how == "manual" && records[0].operatorName == "op1" && records[0].reason == "driver feels unwell")
        #expect(s.dispatcher.state(of: first.driver) == .free)
        #expect(s.dispatcher.excludedDrivers(queueNumber: 1) == [first.driver])
    }

    @Test func operatorReassignmentWithoutANameRedraws() {
        var s = Station(drivers: ["D1", "D2", "D3"])
        let first = assignments(s.checkIn("鲁G·12345"))[0]
        let actions = s.send(.reassign(queueNumber: 1, to: nil, reason: "owner complaint", operator: "op1"))
        #expect(draws(actions).map(\.reason) == [.afterReassignment])
        #expect(assignments(actions).count == 1 && assignments(actions)[0].driver != first.driver)
    }

    @Test func fixedToLanesDrawsOnlyAmongTheLanesDrivers() {
        let lanes = [LaneSetup(id: "L1"), LaneSetup(id: "L2")]
        let drivers: [DriverID] = ["D1", "D2", "D3", "D4"]
        var s = Station(drivers: drivers, lanes: lanes, policy: .fixed(drivers: drivers, lanes: ["L1", "L2"]))
        let a1 = assignments(s.checkIn("鲁G·11111"))[0]
        let a2 = assignments(s.checkIn("鲁G·22222"))[0]
        #expect(a1.lane == "L1" && ["D1", "D2"].contains(a1.driver))
        #expect(a2.lane == "L2" && ["D3", "D4"].contains(a2.driver))
    }

    @Test func closedShiftRefusesEvents() {
        var s = Station()
        s.close()
        #expect(refusals(s.checkIn("鲁G·12345")).map(\.code) == ["shift_closed"])
    }
}
