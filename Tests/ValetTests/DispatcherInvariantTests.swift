import LaneCore
import TestScheduling
import Testing
import Valet

/// A long random run of events, good and bad, checking the dispatcher's promises after every one.
@Suite(.offThePool)
struct DispatcherInvariantTests {
    @Test(arguments: [DriverPolicy.Kind.pooledRandom, .fixedToLanes, .firstFree])
    func randomLongRunNeverAssignsAnIneligibleDriverNorLeavesAVehicleWaiting(policy: DriverPolicy.Kind) {
        let drivers: [DriverID] = ["D1", "D2", "D3", "D4", "D5", "D6"]
        let laneIDs: [LaneID] = ["L1", "L2"]
        let lanes = [LaneSetup(id: "L1", categories: ["M1", "N1"]), LaneSetup(id: "L2", categories: ["M1", "N3"], entryLimit: 2)]
        let policyValue: DriverPolicy = policy == .fixedToLanes ? .fixed(drivers: drivers, lanes: laneIDs) : DriverPolicy(policy)
        var s = Station(drivers: drivers, lanes: lanes, policy: policyValue, seed: 99, timeout: 120)
        var rng = SimulationRandom(seed: 2024)
        var plates = 0
        var assignedTotal = 0
        var failedDriverOf: [Int: DriverID] = [:]  // queue number → driver of its failed attempt
        var plateOf: [Int: String] = [:]
        var laneOf: [Int: LaneID] = [:]
        var acked: [DriverID: Int] = [:]

        for step in 0..<8_000 {
            let d = drivers[Int(rng.next() % UInt64(drivers.count))]
            var event: DispatchEvent.Kind = .tick
            var progressed = true
            // Most of the time the driver does the right next step; otherwise anything may come, valid or not.
            if rng.next() % 10 < 6 {
                switch s.dispatcher.state(of: d)! {
                case .assigned:
                    event = rng.next() % 8 == 0 ? .tick : .pickupConfirmed(driver: d, plate: plateOf[s.dispatcher.vehicle(of: d)!]!)
                case .pickedUp: event = .arrivedAtLaneEntry(driver: d)
                case .atLaneEntry: event = .enteredLane(driver: d)
                case .inLane:
                    let k = acked[d, default: 0]
                    event = k < 3 ? .stationAcknowledged(driver: d, station: ["brake", "headlamp", "emission"][k]) : .exitedLane(driver: d)
                case .exitedLane: event = .parked(driver: d, bay: "3")
                case .parked: event = .keyReturned(driver: d)
                default: progressed = false
                }
            } else { progressed = false }
            if !progressed { switch rng.next() % 16 {
            case 0, 1, 2:
                plates += 1
                var v = Vehicle(plate: "鲁G·\(10000 + plates % 90000)")
                v.category = ["M1", "N1", "N3"][Int(rng.next() % 3)]
                let retestDriver = rng.next() % 4 == 0 ? drivers[Int(rng.next() % UInt64(drivers.count))] : nil
                let arrival: Arrival =
                    if let retestDriver { .retest(failedAttempt: InspectionID("I-\(plates)"), failedDriver: retestDriver) } else if rng.next() % 3 == 0 {
                        .appointment(due: MonotonicInstant(nanoseconds: (s.seconds + rng.next() % 600) * 1_000_000_000))
                    } else { .walkIn }
                event = .checkIn(vehicle: v, arrival: arrival)
            case 3: event = .pickupConfirmed(driver: d, plate: s.dispatcher.vehicle(of: d).flatMap { plateOf[$0] } ?? "鲁G·99999")
            case 4: event = .arrivedAtLaneEntry(driver: d)
            case 5: event = .enteredLane(driver: d)
            case 6: event = .stationAcknowledged(driver: d, station: ["brake", "headlamp", "emission"][Int(rng.next() % 3)])
            case 7: event = .exitedLane(driver: d)
            case 8: event = .parked(driver: d, bay: "1")
            case 9: event = .keyReturned(driver: d)
            case 10: event = [.driverOnBreak(driver: d), .driverAvailable(driver: d), .driverSignedOut(driver: d),
                              .driverSignedIn(driver: d)][Int(rng.next() % 4)]
            case 11: event = rng.next() % 2 == 0 ? .laneClosed(lane: laneIDs[Int(rng.next() % 2)]) : .laneOpened(lane: laneIDs[Int(rng.next() % 2)])
            case 12: event = .reassign(queueNumber: Int(rng.next() % UInt64(max(1, plates))) + 1,
                                       to: rng.next() % 2 == 0 ? nil : d, reason: "test", operator: "op")
            case 13: event = .withdraw(queueNumber: Int(rng.next() % UInt64(max(1, plates))) + 1, reason: "owner left")
            default: event = .tick
            } }
            let before = Dictionary(uniqueKeysWithValues: drivers.map { ($0, s.dispatcher.state(of: $0)!) })
            let actions = s.send(event, after: rng.next() % 20)
            for case .queued(let q, let plate) in actions {
                plateOf[q] = plate
                if case .checkIn(_, .retest(_, let failed?)) = event { failedDriverOf[q] = failed }
            }
            if refusals(actions).isEmpty {
                switch event {
                case .enteredLane(let x): acked[x] = 0
                case .stationAcknowledged(let x, _): acked[x, default: 0] += 1
                default: break
                }
            }
            var assignedThisEvent: Set<DriverID> = []
            for a in assignments(actions) {
                assignedTotal += 1
                #expect(assignedThisEvent.insert(a.driver).inserted, "step \(step): \(a.driver) assigned twice")
                // Free before the event, or freed by this very event.
                let freedNow: Bool =
                    switch event {
                    case .keyReturned(let x), .driverAvailable(let x), .driverSignedIn(let x): x == a.driver
                    case .reassign: true
                    case .withdraw: true
                    default: false
                    }
                #expect(before[a.driver] == .free || freedNow, "step \(step): \(a.driver) was \(before[a.driver]!)")
                #expect(failedDriverOf[a.queueNumber] != a.driver, "step \(step): re-test to its failed driver")
                #expect(s.dispatcher.state(of: a.driver) == .assigned)
                if policy == .fixedToLanes && a.drawNumber != nil {  // the operator may lend a driver to another lane
                    #expect(policyValue.homeLanes[a.driver.rawValue] == a.lane, "step \(step): driver off his lane")
                }
                laneOf[a.queueNumber] = a.lane
            }
            for r in draws(actions) {
                #expect(r.input.eligibleIsCanonical)
                #expect(r.input.eligible.contains(r.chosen))
                #expect(!r.input.eligible.contains { $0 == failedDriverOf[r.input.queueNumber] })
                // Everyone in the list who was not given a vehicle by this event is still free.
                for e in r.input.eligible where !assignedThisEvent.contains(e) {
                    #expect(s.dispatcher.state(of: e) == .free, "step \(step): \(e) listed eligible but is not free")
                }
            }
            if let stall = s.dispatcher.stall() {
                Issue.record("step \(step): no. \(stall.queueNumber) waits while lane \(stall.lane) and driver \(stall.driver) are free")
                break
            }
        }
        #expect(assignedTotal > 200)
        s.close()
        if policy != .firstFree {
            let report = DrawAudit.verify(s.journal, shift: "S1")
            #expect(report.passed, "\(report.findings)")
            #expect(report.draws > 200)
        }
    }
}
