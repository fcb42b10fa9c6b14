import LaneCore

// The driver's flow: assigned → picked up (plate confirmed) → at lane entry → in lane (each station
// acknowledged) → exited → parked → key returned → free; plus check-in, rosters, lanes, the operator and the timer.
extension Dispatcher {
    mutating func apply(_ kind: DispatchEvent.Kind, into actions: inout [DispatchAction]) {
        switch kind {
        case .checkIn(let vehicle, let arrival): checkIn(vehicle, arrival, into: &actions)
        case .driverSignedIn(let d):
            if let i = driverSlot(d, from: [.signedOut], into: &actions) { becomeFree(i) }
        case .driverSignedOut(let d):
            if let i = driverSlot(d, from: [.free, .onBreak, .unresponsive, .signedOut], into: &actions) {
                if drivers[i].status == .free { freeCount -= 1 }
                drivers[i].status = .signedOut
            }
        case .driverOnBreak(let d):
            if let i = driverSlot(d, from: [.free], into: &actions) {
                freeCount -= 1
                drivers[i].status = .onBreak
            }
        case .driverAvailable(let d):
            if let i = driverSlot(d, from: [.onBreak, .unresponsive], into: &actions) { becomeFree(i) }
        case .laneOpened(let l): setLane(l, open: true, into: &actions)
        case .laneClosed(let l): setLane(l, open: false, into: &actions)
        case .pickupConfirmed(let d, let plate): confirmPickup(d, plate, into: &actions)
        case .arrivedAtLaneEntry(let d):
            if let i = driverSlot(d, from: [.pickedUp], into: &actions) {
                drivers[i].status = .atLaneEntry
                prompt(i, .waitAtEntry, into: &actions)
            }
        case .enteredLane(let d):
            if let i = driverSlot(d, from: [.atLaneEntry, .pickedUp], into: &actions) {
                drivers[i].status = .inLane
                lanes[drivers[i].lane].entering -= 1
                lanes[drivers[i].lane].inside += 1
                promptStation(i, into: &actions)
            }
        case .stationAcknowledged(let d, let station): acknowledge(d, station, into: &actions)
        case .exitedLane(let d):
            if let i = driverSlot(d, from: [.inLane], into: &actions) {
                let stations = lanes[drivers[i].lane].setup.stations
                guard drivers[i].stationsAcknowledged == stations.count else {
                    let missing = stations[drivers[i].stationsAcknowledged...].joined(separator: ", ")
                    actions.append(.refused(Refusal(
                        code: "stations_pending", subject: d.rawValue,
                        zh: "驾驶员 \(d) 尚未确认工位：\(missing)。请完成各工位提示后再驶出。",
                        en: "Driver \(d) has not acknowledged station(s) \(missing); finish them before leaving the lane.")))
                    return
                }
                drivers[i].status = .exitedLane
                lanes[drivers[i].lane].inside -= 1
                prompt(i, .park, into: &actions)
            }
        case .parked(let d, let bay):
            if let i = driverSlot(d, from: [.exitedLane], into: &actions) {
                drivers[i].status = .parked
                prompt(i, .returnKey, bay: bay, into: &actions)
            }
        case .keyReturned(let d):
            if let i = driverSlot(d, from: [.parked], into: &actions) {
                let t = drivers[i].ticket
                tickets[t].state = .done
                activePlates[tickets[t].vehicle.plate] = nil
                assignedCount -= 1
                becomeFree(i)
                actions.append(.vehicleDone(queueNumber: t + 1))
            }
        case .reassign(let q, let to, let reason, let op): reassign(q, to: to, reason: reason, operator: op, into: &actions)
        case .withdraw(let q, let reason): withdraw(q, reason: reason, into: &actions)
        case .tick: expireConfirmations(into: &actions)
        }
    }

    // MARK: Check-in

    mutating func checkIn(_ vehicle: Vehicle, _ arrival: Arrival, into actions: inout [DispatchAction]) {
        let valid: Vehicle
        switch CheckIn.validate(vehicle, ruleset: configuration.plateRuleset, lanes: configuration.lanes) {
        case .failure(let refusal):
            actions.append(.refused(refusal))
            return
        case .success(let v): valid = v
        }
        if let other = activePlates[valid.plate] {
            actions.append(.refused(Refusal(
                code: "duplicate", subject: valid.plate,
                zh: "车辆 \(valid.plate) 已登记（\(other + 1) 号），尚未完成。",
                en: "Vehicle \(valid.plate) is already checked in (no. \(other + 1)) and not finished.")))
            return
        }
        var excluded: [Int] = []
        if case .retest(_, let failed?) = arrival, let i = slot(of: failed) { excluded.append(i) }
        let t = tickets.count
        tickets.append(Ticket(vehicle: valid, arrival: arrival, checkedInAt: now,
                              lanes: lanes.indices.filter { lanes[$0].setup.takes(valid) }, excluded: excluded,
                              state: .waiting))
        activePlates[valid.plate] = t
        waiting.append(t)
        actions.append(.queued(queueNumber: t + 1, plate: valid.plate))
    }

    // MARK: The flow

    mutating func confirmPickup(_ d: DriverID, _ typed: String, into actions: inout [DispatchAction]) {
        if let i = driverSlot(d, from: [.assigned], into: &actions) {
            let t = drivers[i].ticket
            let expected = tickets[t].vehicle.plate
            // The handheld usually sends the plate as shown; parse only what was typed differently.
            let typedCanonical = typed == expected ? typed : (try? Plate(typed, ruleset: configuration.plateRuleset))?.canonical ?? typed
            guard typedCanonical == expected else {
                actions.append(.refused(Refusal(
                    code: "wrong_vehicle", subject: d.rawValue,
                    zh: "确认的号牌 \(typed) 不是派给你的车辆 \(expected)。", en: "Plate \(typed) is not your vehicle \(expected).")))
                prompt(i, .wrongVehicle, into: &actions)
                return
            }
            drivers[i].status = .pickedUp
            prompt(i, .driveToLane, into: &actions)
        }
    }

    mutating func acknowledge(_ d: DriverID, _ station: String, into actions: inout [DispatchAction]) {
        if let i = driverSlot(d, from: [.inLane], into: &actions) {
            let stations = lanes[drivers[i].lane].setup.stations
            let k = drivers[i].stationsAcknowledged
            guard k < stations.count, stations[k] == station else {
                let expected = k < stations.count ? stations[k] : "—"
                actions.append(.refused(Refusal(
                    code: "wrong_station", subject: d.rawValue,
                    zh: "驾驶员 \(d) 确认了工位“\(station)”，但当前工位是“\(expected)”。",
                    en: "Driver \(d) acknowledged station \"\(station)\" but the current one is \"\(expected)\".")))
                return
            }
            drivers[i].stationsAcknowledged += 1
            promptStation(i, into: &actions)
        }
    }

    mutating func promptStation(_ i: Int, into actions: inout [DispatchAction]) {
        let stations = lanes[drivers[i].lane].setup.stations
        let k = drivers[i].stationsAcknowledged
        if k < stations.count {
            prompt(i, .station, station: stations[k], into: &actions)
        } else {
            prompt(i, .driveToExit, into: &actions)
        }
    }

    // MARK: Time-outs, the operator, withdrawals

    func hasExpiredConfirmation(at time: MonotonicInstant) -> Bool {
        assignedCount > 0 && drivers.contains { $0.status == .assigned && $0.deadline <= time }
    }

    mutating func expireConfirmations(into actions: inout [DispatchAction]) {
        for i in drivers.indices where drivers[i].status == .assigned && drivers[i].deadline <= now {
            let t = drivers[i].ticket
            journal(.released(driver: drivers[i].id, queueNumber: t + 1, reason: .confirmationTimedOut, at: now), into: &actions)
            takeBack(ticket: t, from: i, reason: .afterTimeout)
            drivers[i].status = .unresponsive
            actions.append(.release(driver: drivers[i].id, queueNumber: t + 1, reason: .confirmationTimedOut))
            prompt(i, .released, ticket: t, reason: .confirmationTimedOut, into: &actions)
            actions.append(.redraw(queueNumber: t + 1, reason: .confirmationTimedOut))
        }
    }

    /// Puts ticket `t` back in the queue and bars driver `i` from it; the caller sets the driver's new state.
    mutating func takeBack(ticket t: Int, from i: Int, reason: DrawReason) {
        lanes[drivers[i].lane].entering -= 1
        assignedCount -= 1
        tickets[t].excluded.append(i)
        tickets[t].state = .waiting
        tickets[t].nextDrawReason = reason
        let at = waiting.firstIndex { $0 > t } ?? waiting.endIndex
        waiting.insert(t, at: at)
    }

    mutating func reassign(_ q: Int, to target: DriverID?, reason: String, operator op: String,
                           into actions: inout [DispatchAction])
    {
        guard q >= 1, q <= tickets.count, case .assigned(let from, let lane) = tickets[q - 1].state,
            drivers[from].status == .assigned || drivers[from].status == .pickedUp
        else {
            actions.append(.refused(Refusal(
                code: "not_reassignable", subject: "\(q)",
                zh: "\(q) 号车不在“已派/已取车”状态，不能改派（已进线、已完成或不存在）。",
                en: "No. \(q) is not assigned-and-not-yet-in-lane; it cannot be reassigned (in lane, done or unknown).")))
            return
        }
        guard !reason.allSatisfy(\.isWhitespace) else {
            actions.append(.refused(Refusal(code: "reason_required", subject: "\(q)",
                                            zh: "人工改派必须填写原因。", en: "A manual reassignment needs a reason.")))
            return
        }
        var targetIndex: Int? = nil
        if let target {
            guard let ti = slot(of: target), drivers[ti].status == .free, !tickets[q - 1].excluded.contains(ti), ti != from
            else {
                actions.append(.refused(Refusal(
                    code: "driver_not_eligible", subject: target.rawValue,
                    zh: "驾驶员 \(target) 不空闲或不得驾驶 \(q) 号车（如曾检测该车未通过的一次）。",
                    en: "Driver \(target) is not free or may not drive no. \(q) (e.g. drove its failed attempt).")))
                return
            }
            targetIndex = ti
        }
        let t = q - 1
        journal(.released(driver: drivers[from].id, queueNumber: q, reason: .operatorReassigned, at: now), into: &actions)
        takeBack(ticket: t, from: from, reason: .afterReassignment)
        becomeFree(from)
        actions.append(.release(driver: drivers[from].id, queueNumber: q, reason: .operatorReassigned))
        prompt(from, .released, ticket: t, reason: .operatorReassigned, into: &actions)
        if let ti = targetIndex {
            journal(.assignment(AssignmentRecord(queueNumber: q, plate: tickets[t].vehicle.plate, lane: lanes[lane].setup.id,
                                                 driver: drivers[ti].id, how: "manual", operatorName: op, reason: reason,
                                                 at: now)), into: &actions)
            assign(ticket: t, lane: lane, driver: ti, drawNumber: nil, into: &actions)
        } else {
            actions.append(.redraw(queueNumber: q, reason: .operatorReassigned))
        }
    }

    mutating func withdraw(_ q: Int, reason: String, into actions: inout [DispatchAction]) {
        guard q >= 1, q <= tickets.count else {
            actions.append(.refused(Refusal(code: "unknown_vehicle", subject: "\(q)", zh: "没有 \(q) 号车。",
                                            en: "There is no vehicle no. \(q).")))
            return
        }
        let t = q - 1
        switch tickets[t].state {
        case .waiting:
            waiting.removeAll { $0 == t }
        case .assigned(let d, _) where drivers[d].status == .assigned:
            journal(.released(driver: drivers[d].id, queueNumber: q, reason: .withdrawn, at: now), into: &actions)
            lanes[drivers[d].lane].entering -= 1
            assignedCount -= 1
            becomeFree(d)
            actions.append(.release(driver: drivers[d].id, queueNumber: q, reason: .withdrawn))
            prompt(d, .released, ticket: t, reason: .withdrawn, into: &actions)
        default:
            actions.append(.refused(Refusal(
                code: "not_withdrawable", subject: "\(q)",
                zh: "\(q) 号车已取车、进线或完成，不能撤销（\(reason)）。",
                en: "No. \(q) is already picked up, in a lane or done; it cannot be withdrawn (\(reason)).")))
            return
        }
        tickets[t].state = .withdrawn
        activePlates[tickets[t].vehicle.plate] = nil
    }

    // MARK: Helpers

    mutating func becomeFree(_ i: Int) {
        if drivers[i].status != .free { freeCount += 1 }
        drivers[i].status = .free
        drivers[i].freeSince = now.nanoseconds
    }

    func laneName(_ i: Int) -> LaneID { lanes[drivers[i].lane].setup.id }

    mutating func prompt(_ i: Int, _ step: DriverPrompt.Step, ticket: Int? = nil, station: String? = nil, bay: String? = nil,
                         reason: ReleaseReason? = nil, into actions: inout [DispatchAction])
    {
        let t = ticket ?? drivers[i].ticket
        actions.append(.prompt(DriverPrompt(
            driver: drivers[i].id, step: step, queueNumber: t + 1, plate: tickets[t].vehicle.plate,
            lane: lanes[drivers[i].lane].setup.id, station: station, bay: bay,
            confirmWithinSeconds: step == .collectKey ? configuration.confirmTimeoutSeconds : nil, releaseReason: reason)))
    }

    mutating func setLane(_ id: LaneID, open: Bool, into actions: inout [DispatchAction]) {
        guard let l = laneIndex[id] else {
            actions.append(.refused(Refusal(code: "unknown_lane", subject: id.rawValue, zh: "本站没有 \(id) 线。",
                                            en: "This station has no lane \(id).")))
            return
        }
        lanes[l].open = open
    }

    /// The slot of roster driver `d`, or nil. A station's roster is a handful of drivers: comparing the ids
    /// (short strings, compared by their bits) beats hashing one for the dictionary, which serves big rosters.
    func slot(of d: DriverID) -> Int? {
        if drivers.count <= 16 {
            for i in drivers.indices where drivers[i].id == d { return i }
            return nil
        }
        return driverIndex[d]
    }

    /// The slot of a roster driver in one of `states`; nil (and the event refused) otherwise.
    mutating func driverSlot(_ d: DriverID, from states: [DriverState], into actions: inout [DispatchAction]) -> Int? {
        guard let i = slot(of: d) else {
            actions.append(.refused(Refusal(code: "unknown_driver", subject: d.rawValue,
                                            zh: "驾驶员 \(d) 不在本班次名单上。", en: "Driver \(d) is not on this shift's roster.")))
            return nil
        }
        guard states.contains(drivers[i].status) else {
            actions.append(.refused(Refusal(
                code: "wrong_state", subject: d.rawValue,
                zh: "驾驶员 \(d) 当前状态为“\(drivers[i].status.rawValue)”，此操作不适用。",
                en: "Driver \(d) is \(drivers[i].status.rawValue); this step does not apply now.")))
            return nil
        }
        return i
    }
}
