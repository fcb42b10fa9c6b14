public import LaneCore

/// The station's dispatcher: the queue, the drivers, the lanes and the random, auditable draw.
///
/// A pure state machine. It reads no clock and does no I/O: every ``DispatchEvent`` carries its time, and
/// each call returns the ``DispatchAction``s to carry out, journal entries first. The live station and
/// `lanectl simulate` drive this same type.
///
/// Whenever an event leaves a lane able to take a vehicle and an eligible driver free, the dispatcher
/// picks the vehicle (appointments due, then re-tests, then first come) and draws its driver. So after
/// every event, no vehicle waits while a lane that takes it has room and a driver who may drive it is free
/// (``stall()`` returns nil).
public struct Dispatcher: Sendable {
    /// The configuration the shift opened with (journaled).
    public let configuration: ShiftConfiguration
    let seed: ShiftSeed
    var machine: DrawMachine
    var sequence: UInt64 = 0
    /// Draws made so far; the next one is number `drawCount + 1`.
    public private(set) var drawCount: UInt64 = 0
    var drivers: [DriverSlot]
    var driverIndex: [DriverID: Int]
    var lanes: [LaneSlot]
    var laneIndex: [LaneID: Int]
    /// Ticket `i` has queue number `i + 1`.
    var tickets: [Ticket] = []
    /// Waiting tickets, by queue number.
    var waiting: [Int] = []
    var activePlates: [String: Int] = [:]
    var freeCount = 0
    var assignedCount = 0
    var phase: Phase = .notOpened
    var now = MonotonicInstant(nanoseconds: 0)
    var scratchEligible: [Int] = []
    var scratchOrder: [(rank: UInt8, key: UInt64, ticket: Int)] = []
    var scratchLanes: [Int] = []

    enum Phase { case notOpened, open, closed }

    /// A dispatcher for one shift, keyed with its secret seed. Call ``open(at:)`` first.
    public init(configuration: ShiftConfiguration, seed: ShiftSeed) {
        self.configuration = configuration
        self.seed = seed
        machine = DrawMachine(seed: seed)
        let ids = Array(Set(configuration.drivers)).sorted()
        let home = configuration.policy.homeLanes
        lanes = configuration.lanes.map { LaneSlot(setup: $0) }
        var li: [LaneID: Int] = [:]
        for (i, l) in configuration.lanes.enumerated() { li[l.id] = i }
        laneIndex = li
        drivers = ids.map { id in
            DriverSlot(id: id, status: configuration.driversStartFree ? .free : .signedOut,
                       homeLane: home[id.rawValue].flatMap { li[$0] })
        }
        var di: [DriverID: Int] = [:]
        for (i, d) in ids.enumerated() { di[d] = i }
        driverIndex = di
        freeCount = configuration.driversStartFree ? ids.count : 0
    }

    /// Opens the shift: journals the configuration and the seed's commitment (SHA-256), to be shown now.
    public mutating func open(at time: MonotonicInstant) -> [DispatchAction] {
        var actions: [DispatchAction] = []
        guard phase == .notOpened else {
            actions.append(.refused(wrongShiftPhase("open")))
            return actions
        }
        phase = .open
        now = time
        journal(.shiftOpened(configuration: configuration, seedCommitment: seed.commitment, at: time), into: &actions)
        return actions
    }

    /// Closes the shift: journals the revealed seed. Later events are refused.
    public mutating func close(at time: MonotonicInstant) -> [DispatchAction] {
        var actions: [DispatchAction] = []
        guard phase == .open else {
            actions.append(.refused(wrongShiftPhase("close")))
            return actions
        }
        phase = .closed
        journal(.shiftClosed(seed: seed.hex, at: time), into: &actions)
        return actions
    }

    /// Handles one event and returns what to do.
    public mutating func handle(_ event: DispatchEvent) -> [DispatchAction] {
        var actions: [DispatchAction] = []
        handle(event, into: &actions)
        return actions
    }

    /// Handles one event, appending what to do to `actions` (no allocation per event when reused).
    public mutating func handle(_ event: DispatchEvent, into actions: inout [DispatchAction]) {
        guard phase == .open else {
            actions.append(.refused(wrongShiftPhase("event")))
            return
        }
        if case .tick = event.kind, !hasExpiredConfirmation(at: event.at) { return }  // nothing to journal
        now = event.at
        journal(.event(event), into: &actions)
        apply(event.kind, into: &actions)
        dispatch(into: &actions)
    }

    mutating func journal(_ record: DispatchRecord, into actions: inout [DispatchAction]) {
        actions.append(.journal(DispatchJournalEntry(shift: configuration.shift, sequence: sequence, record: record)))
        sequence += 1
    }

    // MARK: Choosing vehicles and drivers

    /// Assigns vehicles while some waiting vehicle has a lane with room and an eligible free driver.
    mutating func dispatch(into actions: inout [DispatchAction]) {
        while freeCount > 0 && !waiting.isEmpty {
            guard lanes.contains(where: { $0.hasRoom }) else { return }
            orderWaiting()
            var assigned = false
            search: for entry in scratchOrder {
                let t = entry.ticket
                collectLanesByLoad(for: t)
                for l in scratchLanes {
                    collectEligible(ticket: t, lane: l)
                    if !scratchEligible.isEmpty {
                        choose(ticket: t, lane: l, into: &actions)
                        assigned = true
                        break search
                    }
                }
            }
            if !assigned { return }
        }
    }

    /// Waiting tickets in dispatch order: appointments due (by due time), re-tests, then the rest, each by queue number.
    mutating func orderWaiting() {
        scratchOrder.removeAll(keepingCapacity: true)
        for t in waiting {
            let ticket = tickets[t]
            switch ticket.arrival {
            case .appointment(let due) where due <= now: scratchOrder.append((0, due.nanoseconds, t))
            case .retest: scratchOrder.append((1, 0, t))
            default: scratchOrder.append((2, 0, t))
            }
        }
        scratchOrder.sort { a, b in
            if a.rank != b.rank { return a.rank < b.rank }
            if a.key != b.key { return a.key < b.key }
            return a.ticket < b.ticket
        }
    }

    /// Lanes with room that take the ticket's vehicle, least loaded first, into `scratchLanes` (reused: no
    /// allocation per vehicle looked at).
    mutating func collectLanesByLoad(for t: Ticket.Index) {
        scratchLanes.removeAll(keepingCapacity: true)
        for l in tickets[t].lanes where lanes[l].hasRoom { scratchLanes.append(l) }
        if scratchLanes.count > 1 {
            let lanes = self.lanes
            scratchLanes.sort { a, b in
                let la = lanes[a].entering + lanes[a].inside, lb = lanes[b].entering + lanes[b].inside
                return la != lb ? la < lb : a < b
            }
        }
    }

    /// Free drivers allowed to drive ticket `t` on lane `l`, ascending by id (the canonical list).
    mutating func collectEligible(ticket t: Int, lane l: Int) {
        scratchEligible.removeAll(keepingCapacity: true)
        let excluded = tickets[t].excluded
        let fixed = configuration.policy.kind == .fixedToLanes
        for (i, d) in drivers.enumerated() where d.status == .free {
            if fixed && d.homeLane != l { continue }
            if excluded.contains(i) { continue }
            scratchEligible.append(i)
        }
    }

    mutating func choose(ticket t: Int, lane l: Int, into actions: inout [DispatchAction]) {
        let chosen: Int
        var drawNumber: UInt64? = nil
        switch configuration.policy.kind {
        case .pooledRandom, .fixedToLanes:
            drawCount += 1
            let input = DrawInput(shift: configuration.shift, number: drawCount, queueNumber: t + 1,
                                  plate: tickets[t].vehicle.plate, lane: lanes[l].setup.id,
                                  eligible: scratchEligible.map { drivers[$0].id })
            chosen = scratchEligible[machine.index(for: input)]
            drawNumber = drawCount
            journal(.draw(DrawRecord(input: input, chosen: drivers[chosen].id, reason: tickets[t].nextDrawReason, at: now)),
                    into: &actions)
        case .firstFree:
            var best = scratchEligible[0]
            for i in scratchEligible where drivers[i].freeSince < drivers[best].freeSince { best = i }
            chosen = best
            journal(.assignment(AssignmentRecord(queueNumber: t + 1, plate: tickets[t].vehicle.plate,
                                                 lane: lanes[l].setup.id, driver: drivers[chosen].id,
                                                 how: "first_free", at: now)), into: &actions)
        }
        assign(ticket: t, lane: l, driver: chosen, drawNumber: drawNumber, into: &actions)
    }

    mutating func assign(ticket t: Int, lane l: Int, driver d: Int, drawNumber: UInt64?, into actions: inout [DispatchAction]) {
        if let w = waiting.firstIndex(of: t) { waiting.remove(at: w) }
        let deadline = now + .seconds(configuration.confirmTimeoutSeconds)
        if drivers[d].status == .free { freeCount -= 1 }
        drivers[d].status = .assigned
        drivers[d].ticket = t
        drivers[d].lane = l
        drivers[d].deadline = deadline
        drivers[d].stationsAcknowledged = 0
        assignedCount += 1
        lanes[l].entering += 1
        tickets[t].state = .assigned(driver: d, lane: l)
        actions.append(.assign(Assignment(queueNumber: t + 1, plate: tickets[t].vehicle.plate, lane: lanes[l].setup.id, driver: drivers[d].id,
                                          drawNumber: drawNumber, confirmBy: deadline)))
        prompt(d, .collectKey, into: &actions)
    }

    // MARK: Questions the station and the tests ask

    /// A waiting vehicle that could be assigned now (a lane that takes it has room and an eligible driver is
    /// free), or nil. After every handled event this is nil; anything else is a dispatcher bug.
    public func stall() -> (queueNumber: Int, lane: LaneID, driver: DriverID)? {
        for t in waiting {
            for l in tickets[t].lanes where lanes[l].hasRoom {
                for (i, d) in drivers.enumerated() where d.status == .free && !tickets[t].excluded.contains(i) {
                    if configuration.policy.kind == .fixedToLanes && d.homeLane != l { continue }
                    return (t + 1, lanes[l].setup.id, d.id)
                }
            }
        }
        return nil
    }

    /// Where a driver is in the flow, or nil for a driver not on the roster.
    public func state(of driver: DriverID) -> DriverState? { slot(of: driver).map { drivers[$0].status } }

    /// The vehicle a driver has (queue number), if any.
    public func vehicle(of driver: DriverID) -> Int? {
        guard let i = slot(of: driver), drivers[i].status.hasVehicle else { return nil }
        return drivers[i].ticket + 1
    }

    /// Queue numbers of the vehicles waiting for a driver, in queue order.
    public var waitingQueueNumbers: [Int] { waiting.map { $0 + 1 } }

    /// Drivers who are free now, ascending.
    public var freeDrivers: [DriverID] { drivers.filter { $0.status == .free }.map(\.id) }

    /// Drivers the vehicle with `queueNumber` may never get (the failed attempt's driver, drivers who timed out
    /// on it or were taken off it), ascending.
    public func excludedDrivers(queueNumber: Int) -> [DriverID] {
        guard queueNumber >= 1, queueNumber <= tickets.count else { return [] }
        return tickets[queueNumber - 1].excluded.map { drivers[$0].id }.sorted()
    }

    func wrongShiftPhase(_ what: String) -> Refusal {
        switch phase {
        case .notOpened:
            Refusal(code: "shift_not_open", subject: configuration.shift.rawValue,
                    zh: "班次 \(configuration.shift) 尚未开班。", en: "Shift \(configuration.shift) is not open yet.")
        case .open:
            Refusal(code: "shift_open", subject: configuration.shift.rawValue,
                    zh: "班次 \(configuration.shift) 已经开班。", en: "Shift \(configuration.shift) is already open.")
        case .closed:
            Refusal(code: "shift_closed", subject: configuration.shift.rawValue,
                    zh: "班次 \(configuration.shift) 已经结班，不再接受操作。",
                    en: "Shift \(configuration.shift) is closed; nothing more is accepted.")
        }
    }
}

/// Where a driver is in the flow.
public enum DriverState: String, Hashable, Sendable, Codable {
    case signedOut = "signed_out"
    case onBreak = "on_break"
    /// Missed a confirmation; free again after `driverAvailable`.
    case unresponsive
    case free
    case assigned
    case pickedUp = "picked_up"
    case atLaneEntry = "at_lane_entry"
    case inLane = "in_lane"
    case exitedLane = "exited_lane"
    case parked

    var hasVehicle: Bool {
        switch self {
        case .assigned, .pickedUp, .atLaneEntry, .inLane, .exitedLane, .parked: true
        default: false
        }
    }
}

struct DriverSlot: Sendable {
    let id: DriverID
    var status: DriverState
    let homeLane: Int?
    var freeSince: UInt64 = 0
    var ticket = 0
    var lane = 0
    var deadline = MonotonicInstant(nanoseconds: 0)
    var stationsAcknowledged = 0
}

struct LaneSlot: Sendable {
    let setup: LaneSetup
    var open = true
    /// Assigned vehicles not yet on the first station.
    var entering = 0
    /// Vehicles on the lane's stations.
    var inside = 0
    var hasRoom: Bool { open && entering < setup.entryLimit }
}

struct Ticket: Sendable {
    typealias Index = Int
    var vehicle: Vehicle
    let arrival: Arrival
    let checkedInAt: MonotonicInstant
    /// Lanes that take the vehicle.
    let lanes: [Int]
    /// Driver slots that may not take this vehicle.
    var excluded: [Int]
    var state: State
    var nextDrawReason: DrawReason = .first

    enum State: Sendable {
        case waiting
        case assigned(driver: Int, lane: Int)
        case done
        case withdrawn
    }
}
