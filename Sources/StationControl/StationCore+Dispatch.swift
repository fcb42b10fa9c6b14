import Foundation
import Journal
import LaneCore
import Valet

// The dispatcher side: every event goes through Valet's `Dispatcher`; its actions are carried out here, in
// order, journal entries first (each `DispatchJournalEntry` as a `dispatch.record` entry, as `lanectl dispatch
// verify` expects).
extension StationCore {
    /// Hands `kind` to the dispatcher and carries out its actions, then the work they deferred.
    /// - Throws: the dispatcher's refusal, as a ``StationError`` (the refused event is journaled all the same:
    ///   the audit replays it).
    mutating func dispatch(_ kind: DispatchEvent.Kind) throws(StationError) {
        guard dispatcher != nil else { throw .shiftNotOpen() }
        let refusal = process(kind)
        drainDeferred()
        if let refusal { throw StationError(refusal) }
    }

    /// Like ``dispatch(_:)`` for events the station itself generates: a refusal is a controller bug, so it
    /// raises an alarm instead of reaching a person.
    mutating func dispatchInternally(_ kind: DispatchEvent.Kind) {
        do {
            try dispatch(kind)
        } catch {
            raise("dispatch|\(error.code)", severity: "error", source: "dispatch",
                  zh: "调度拒绝了内部事件：\(error.zh)", en: "The dispatcher refused an internal event: \(error.en)")
        }
    }

    mutating func process(_ kind: DispatchEvent.Kind) -> Refusal? {
        guard dispatcher != nil else { return nil }
        let actions = dispatcher!.handle(DispatchEvent(kind, at: now))
        var refusal: Refusal?
        for action in actions {
            switch action {
            case .journal(let entry): journalDispatch(entry)
            case .queued(let q, _): queued(q)
            case .refused(let r): refusal = refusal ?? r
            case .assign(let a): assigned(a)
            case .prompt(let p): prompted(p)
            case .release(let driver, let q, let reason): released(driver, q, reason)
            case .redraw(let q, _):
                tickets[q]?.state = "waiting"
            case .vehicleDone(let q):
                tickets[q]?.state = "done"
                emit(event(.vehicleDone, lane: tickets[q]?.lane, queue: q))
            }
        }
        return refusal
    }

    mutating func drainDeferred() {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        while !deferred.isEmpty {
            let next = deferred.removeFirst()
            switch next {
            case .event(let kind):
                if let refusal = process(kind) {
                    raise("dispatch|\(refusal.code)", severity: "error", source: "dispatch",
                          zh: "调度拒绝了内部事件：\(refusal.zh)", en: "The dispatcher refused an internal event: \(refusal.en)")
                }
            case .startStation(let lane, let station): startStation(lane: lane, station)
            case .callIfFree(let lane): callIfFree(lane)
            }
        }
    }

    func journalDispatch(_ entry: DispatchJournalEntry) {
        guard let writer else { return }
        let at = wall
        writer.enqueue(DispatchJournal.kind.rawValue) { tx, _ in
            try DispatchJournal.append(entry, in: tx, at: at)
            if case .draw(let draw) = entry.record {
                _ = try tx.record(
                    JournalDrawRecord(shiftID: entry.shift.rawValue, drawIndex: Int(draw.input.number) - 1,
                                       eligible: draw.input.eligible, chosen: draw.chosen, inspection: nil, at: at),
                    actor: DispatchJournal.actor, at: at)
            }
        }
    }

    mutating func queued(_ q: Int) {
        guard let request = pendingCheckIn, let shift else { return }
        let retest = pendingRetest
        var vehicle = request.vehicle
        if let canonical = try? Plate(vehicle.plate, ruleset: dispatcher?.configuration.plateRuleset ?? .china).canonical {
            vehicle.plate = canonical
        }
        if let vin = vehicle.vin, !vin.isEmpty,
            let v = try? VIN(vin, ruleset: dispatcher?.configuration.plateRuleset ?? .china)
        {
            vehicle.vin = v.value
        }
        let arrival: Arrival
        if let retest {
            arrival = .retest(failedAttempt: retest.retestOf, failedDriver: finished[retest.retestOf]?.driver)
        } else if let seconds = request.appointmentInSeconds {
            arrival = .appointment(due: now + .seconds(seconds))
        } else {
            arrival = .walkIn
        }
        let ticket = Ticket(
            queueNumber: q, vehicle: vehicle, arrival: arrival, scenario: retest?.scenario ?? request.scenario,
            checkedInAt: now, checkedInWall: wall, vehicleID: "V-\(shift.id)-\(String(format: "%04d", q))",
            plan: retest?.plan, retestOf: retest?.retestOf, attempt: retest?.attempt ?? 1)
        tickets[q] = ticket
        lastQueued = q
        journal(VehicleRecord(id: ticket.vehicleID, vehicle: vehicle, arrivedAt: wall), actor: "desk")
        var e = event(.checkedIn, queue: q)
        e.ticket = ticketView(ticket)
        emit(e)
    }

    mutating func assigned(_ a: Assignment) {
        tickets[a.queueNumber]?.state = "assigned"
        tickets[a.queueNumber]?.lane = a.lane
        tickets[a.queueNumber]?.driver = a.driver
        tickets[a.queueNumber]?.drawIndex = a.drawNumber.map { Int($0) - 1 }
        drivers[a.driver]?.queueNumber = a.queueNumber
        drivers[a.driver]?.bay = nil
        var e = event(.assigned, lane: a.lane, queue: a.queueNumber)
        e.driver = a.driver.rawValue
        emit(e)
    }

    mutating func released(_ driver: DriverID, _ q: Int, _ reason: ReleaseReason) {
        tickets[q]?.state = "waiting"
        tickets[q]?.driver = nil
        tickets[q]?.drawIndex = nil
        if drivers[driver]?.queueNumber == q { drivers[driver]?.queueNumber = nil }
        for i in lanes.indices {
            lanes[i].atEntry.removeAll { $0 == driver }
            if lanes[i].called == driver { lanes[i].called = nil }
        }
        var e = event(.released, lane: tickets[q]?.lane, queue: q)
        e.driver = driver.rawValue
        e.text = LocalizedText(zh: "驾驶员 \(driver) 释放 \(q) 号车（\(reason.rawValue)）",
                               en: "Driver \(driver) released from no. \(q) (\(reason.rawValue))")
        emit(e)
    }

    /// A dispatcher prompt becomes the driver's task; the lane side follows the driver's flow.
    mutating func prompted(_ p: DriverPrompt) {
        let q = p.queueNumber
        var task = DriverTask(
            promptID: nextPromptID(), driver: p.driver.rawValue, step: p.step.rawValue, zh: p.zh, en: p.en, plate: p.plate,
            queueNumber: q, lane: p.lane.rawValue, station: p.station,
            needsPlateConfirmation: p.step == .collectKey || p.step == .wrongVehicle,
            expectsAcknowledgement: p.step != .waitAtEntry && p.step != .station, bay: p.bay, inspection: tickets[q]?.inspection?.rawValue,
            issuedAtMs: wall.milliseconds)
        switch p.step {
        case .collectKey: tickets[q]?.state = "assigned"
        case .driveToLane: tickets[q]?.state = "picked_up"
        case .waitAtEntry:
            tickets[q]?.state = "at_lane_entry"
            if let l = laneIndex(p.lane), !lanes[l].atEntry.contains(p.driver) {
                lanes[l].atEntry.append(p.driver)
                deferred.append(.callIfFree(lane: l))
            }
        case .station:
            tickets[q]?.state = "in_lane"
            if let l = laneIndex(p.lane), let station = p.station { deferred.append(.startStation(lane: l, station: station)) }
        case .park:
            tickets[q]?.state = "exited_lane"
            bayCounter = bayCounter % max(1, options.bays) + 1
            let bay = String(format: "P%02d", bayCounter)
            drivers[p.driver]?.bay = bay
            task.bay = bay
            task.zh = "驶出检测线，将 \(p.plate) 停入 \(bay) 号车位，完成后确认。"
            task.en = "Leave the lane, park \(p.plate) in bay \(bay) and confirm."
        case .returnKey:
            tickets[q]?.state = "parked"
        case .released, .wrongVehicle, .driveToExit:
            break
        }
        let inspection = p.step == .station || p.step == .driveToExit ? tickets[q]?.inspection : nil
        setTask(p.driver, task, kind: .dispatch(p.step, station: p.station), inspection: inspection)
    }
}

extension StationError {
    /// A dispatcher refusal as a station error (the refusal's subject is the field).
    init(_ refusal: Refusal) {
        let kind: Kind
        switch refusal.code {
        case "plate", "vin", "axles", "mass", "date", "no_lane", "reason_required", "wrong_vehicle": kind = .invalid
        case "unknown_driver", "unknown_vehicle", "unknown_lane": kind = .notFound
        default: kind = .conflict
        }
        self.init(kind, code: refusal.code, field: refusal.subject, en: refusal.en, zh: refusal.zh)
    }
}
