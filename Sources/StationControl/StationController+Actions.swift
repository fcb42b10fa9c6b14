import Foundation
import Journal
public import LaneCore
import Procedures
public import Valet
import Synchronization

// Operator, driver and inspector actions. Each is journaled with the user as the actor.
extension StationController {
    // MARK: Shift

    /// Opens a shift: a fresh seed (or the one given at init, for the first shift), its SHA-256 commitment
    /// journaled and shown now; the roster's drivers start free.
    /// - Throws: `conflict` when a shift is open.
    public func openShift(by user: String) throws(StationError) -> ShiftView {
        try perform { (core: inout StationCore) throws(StationError) -> ShiftView in
            if let shift = core.shift, shift.closedAt == nil {
                throw StationError(.conflict, code: "shift_open", en: "Shift \(shift.id) is already open.",
                                   zh: "班次 \(shift.id) 已经开班。")
            }
            let seed: ShiftSeed
            if let first = core.firstSeed {
                seed = first
                core.firstSeed = nil
            } else {
                var generator = SystemRandomNumberGenerator()
                seed = ShiftSeed.generate(using: &generator)
            }
            let id = ShiftID("\(Self.shiftName(core.wall))-\(seed.commitment.prefix(4))")
            let configuration = ShiftConfiguration(
                shift: id,
                lanes: core.profile.lanes.map { lane in
                    LaneSetup(id: lane.id, stations: lane.stations.map(\.kind.rawValue), categories: lane.vehicleCategories,
                              entryLimit: core.options.entryLimit)
                },
                drivers: core.profile.drivers.map(\.id), plateRuleset: Self.plateRuleset(core.profile.ruleset),
                confirmTimeoutSeconds: core.options.confirmTimeoutSeconds)
            core.shift = ShiftState(id: id, seed: seed, openedBy: user, openedAt: core.wall)
            core.tickets = [:]
            core.promptCounter = 0
            for d in core.drivers.keys {
                core.drivers[d]?.task = nil
                core.drivers[d]?.kind = nil
                core.drivers[d]?.queueNumber = nil
            }
            core.journal(ShiftRecord(id: id.rawValue, lane: nil, openedAt: core.wall, seedHash: seed.commitment), actor: user)
            var dispatcher = Dispatcher(configuration: configuration, seed: seed)
            for action in dispatcher.open(at: core.now) {
                if case .journal(let entry) = action { core.journalDispatch(entry) }
            }
            core.dispatcher = dispatcher
            let view = core.shiftView()!
            var e = core.event(.shiftOpened)
            e.user = user
            e.text = LocalizedText(zh: "班次 \(id) 开班，种子承诺值 \(seed.commitment)",
                                   en: "Shift \(id) opened; seed commitment \(seed.commitment)")
            core.emit(e)
            return view
        }
    }

    /// Closes the shift and reveals its seed (journaled), so anyone can re-run the draws
    /// (`lanectl dispatch verify DB --shift ID`).
    /// Vehicles whose key has not been collected yet are withdrawn (journaled).
    /// - Throws: `conflict` when no shift is open or a vehicle is with a driver or in a lane (finish it first).
    public func closeShift(by user: String) throws(StationError) -> ShiftView {
        try perform { (core: inout StationCore) throws(StationError) -> ShiftView in
            guard let shift = core.shift, shift.closedAt == nil, core.dispatcher != nil else { throw .shiftNotOpen() }
            let open = core.tickets.values.filter { !["done", "withdrawn", "waiting", "assigned"].contains($0.state) }
            if !open.isEmpty {
                let list = open.map { "\($0.queueNumber) \($0.vehicle.plate)" }.sorted().joined(separator: ", ")
                throw StationError(.conflict, code: "vehicles_in_flow",
                                   en: "Vehicles are with drivers or in a lane (\(list)): finish them before closing the shift.",
                                   zh: "仍有车辆在驾驶员手中或在检测线上（\(list)）：请完成后再结班。")
            }
            // Vehicles whose key has not been collected leave the queue with the shift.
            let pending = core.tickets.values.filter { $0.state == "waiting" || $0.state == "assigned" }
            for q in pending.map(\.queueNumber).sorted() {
                core.dispatchInternally(.withdraw(queueNumber: q, reason: "shift closed"))
                core.tickets[q]?.state = "withdrawn"
            }
            for action in core.dispatcher!.close(at: core.now) {
                if case .journal(let entry) = action { core.journalDispatch(entry) }
            }
            core.shift!.closedBy = user
            core.shift!.closedAt = core.wall
            core.journal(ShiftCloseRecord(shiftID: shift.id.rawValue, closedAt: core.wall, seed: shift.seed.hex), actor: user)
            var e = core.event(.shiftClosed)
            e.user = user
            e.text = LocalizedText(zh: "班次 \(shift.id) 结班，种子 \(shift.seed.hex)", en: "Shift \(shift.id) closed; seed \(shift.seed.hex)")
            core.emit(e)
            return core.shiftView()!
        }
    }

    /// The open shift (or the last one), if any.
    public func shift() -> ShiftView? { state.withLock { $0.shiftView() } }

    // MARK: Desk

    /// Checks a vehicle in: its data are validated (plate by the shift's plate rules, VIN check digit, axles,
    /// masses, dates, a lane that takes its category), it gets a queue number, and a driver is drawn at once
    /// when a lane and a driver are free.
    /// - Throws: `invalid` with the field for bad data; `conflict` when the plate is already in the flow or no
    ///   shift is open.
    public func checkIn(_ request: CheckInRequest, by user: String) throws(StationError) -> TicketView {
        try perform { (core: inout StationCore) throws(StationError) -> TicketView in
            try Self.requireOpen(core)
            core.pendingCheckIn = request
            core.lastQueued = nil
            defer {
                core.pendingCheckIn = nil
                core.pendingRetest = nil
            }
            let arrival: Arrival
            if let retest = core.pendingRetest {
                arrival = .retest(failedAttempt: retest.retestOf, failedDriver: core.finished[retest.retestOf]?.driver)
            } else if let seconds = request.appointmentInSeconds {
                arrival = .appointment(due: core.now + .seconds(max(0, seconds)))
            } else {
                arrival = .walkIn
            }
            try core.dispatch(.checkIn(vehicle: request.vehicle, arrival: arrival))
            guard let q = core.lastQueued, let ticket = core.tickets[q] else {
                throw StationError(.conflict, code: "not_queued", en: "The vehicle was not queued.", zh: "车辆未能排队。")
            }
            return core.ticketView(ticket)
        }
    }

    // MARK: Operator

    /// Aborts the inspection running on `lane`: the station's procedure is cancelled (rollers stopped: a stop
    /// command goes to the lane's brake tester in any case), unmeasured items are `incomplete`, the outcome is
    /// `aborted` with the reason, and the driver is told to drive out.
    /// - Throws: `notFound` for an unknown lane, `conflict` when no inspection is running there, `invalid`
    ///   without a reason.
    public func abort(lane: LaneID, reason: String, by user: String) throws(StationError) {
        try perform { (core: inout StationCore) throws(StationError) in
            let l = try Self.lane(lane, core)
            try Self.requireReason(reason)
            guard let run = core.lanes[l].run, run.outcome == nil else {
                throw StationError(.conflict, code: "no_inspection", field: "lane",
                                   en: "No inspection is running on lane \(lane).", zh: "\(lane) 线当前没有进行中的检测。")
            }
            core.lanes[l].run!.aborting = true
            if run.pipeline != nil && !run.stationDone { core.feed(lane: l, .finish(core.now)) }
            core.lanes[l].run!.activeRig = nil
            core.lanes[l].run!.lastAbort = nil
            if let brake = core.lanes[l].lane.station(.brake), brake.rig.map.command("rollers_run") != nil {
                let stop = RigCommand(rig: brake.rig.id, name: "rollers_run", value: 0)
                if !core.effects.commands.contains(stop) { core.effects.commands.append(stop) }
            }
            core.journalOperatorAction("abort", user: user, lane: lane, queueNumber: run.queueNumber,
                                       inspection: run.inspection, reason: reason)
            core.decide(lane: l, status: .aborted, reason: "aborted by \(user): \(reason)", actor: user)
            let task = core.baseTask(
                run.driver, id: core.nextPromptID(), step: "inspection_aborted",
                zh: "操作员中止了检测（\(reason)）。请确认后驶出检测线。",
                en: "The operator aborted the inspection (\(reason)). Confirm, then drive out of the lane.", queue: run.queueNumber)
            core.setTask(run.driver, task, kind: .inspectionAborted, inspection: run.inspection)
            var e = core.event(.operatorAction, lane: lane, queue: run.queueNumber)
            e.user = user
            e.text = LocalizedText(zh: "中止检测：\(reason)", en: "inspection aborted: \(reason)")
            core.emit(e)
        }
    }

    /// Orders a repeat on `lane`: of the step a procedure aborted (a rig fault, the vehicle leaving the rollers,
    /// a time-out: the same as the driver confirming the repeat prompt), or, when the station finished with a
    /// failed or incomplete item and the vehicle is still at it, of the whole station (its new items correct the
    /// earlier ones in the journal).
    /// - Throws: `conflict` when there is nothing to repeat.
    public func orderRepeat(lane: LaneID, by user: String) throws(StationError) {
        try perform { (core: inout StationCore) throws(StationError) in
            let l = try Self.lane(lane, core)
            guard let run = core.lanes[l].run, run.outcome == nil, let station = run.station else {
                throw StationError(.conflict, code: "nothing_to_repeat", field: "lane",
                                   en: "Nothing to repeat on lane \(lane): no vehicle at a station.",
                                   zh: "\(lane) 线没有可重测的项目：当前没有车辆在工位上。")
            }
            if let abort = run.lastAbort, !run.stationDone {
                core.journalOperatorAction("repeat_step", user: user, lane: lane, queueNumber: run.queueNumber,
                                           inspection: run.inspection, detail: abort.step)
                core.feed(lane: l, .acknowledgement(PromptAcknowledgement(prompt: abort.repeatPrompt, time: core.now)))
                core.lanes[l].run?.lastAbort = nil
                core.resolve("abort|\(lane)")
            } else if run.stationDone,
                run.items.contains(where: { $0.station == station.rawValue && $0.verdict != "pass" && $0.verdict != "not_applicable" })
            {
                core.journalOperatorAction("repeat_station", user: user, lane: lane, queueNumber: run.queueNumber,
                                           inspection: run.inspection, detail: station.rawValue)
                core.startStation(lane: l, station.rawValue)
            } else {
                throw StationError(.conflict, code: "nothing_to_repeat", field: "lane",
                                   en: "Nothing to repeat on lane \(lane): no aborted step, and the \(station.rawValue) station has not finished with a failed or incomplete item.",
                                   zh: "\(lane) 线没有可重测的项目：没有中止的步骤，\(station.zh)工位也没有不合格或不完整的项目。")
            }
            var e = core.event(.operatorAction, lane: lane, queue: run.queueNumber)
            e.user = user
            e.station = station.rawValue
            e.text = LocalizedText(zh: "重新检测", en: "repeat ordered")
            core.emit(e)
        }
    }

    /// Takes vehicle `queueNumber` from its driver (assigned, or picked up and not yet in a lane): to `driver`
    /// when given (a free driver allowed to drive it), else by a new draw. The reason is journaled.
    public func reassign(queueNumber: Int, to driver: DriverID?, reason: String, by user: String) throws(StationError) {
        try perform { (core: inout StationCore) throws(StationError) in
            try Self.requireOpen(core)
            try Self.requireReason(reason)
            core.journalOperatorAction("reassign", user: user, queueNumber: queueNumber, reason: reason,
                                       detail: driver.map { "to \($0)" } ?? "redraw")
            try core.dispatch(.reassign(queueNumber: queueNumber, to: driver, reason: reason, operator: user))
            var e = core.event(.operatorAction, queue: queueNumber)
            e.user = user
            e.text = LocalizedText(zh: "改派：\(reason)", en: "reassigned: \(reason)")
            core.emit(e)
        }
    }

    /// The owner takes vehicle `queueNumber` back before its key was collected (waiting, or assigned and not
    /// yet picked up): it leaves the queue; its driver, if any, is released. The reason is journaled.
    /// - Throws: `notFound` for an unknown number, `conflict` once the key is collected.
    public func withdraw(queueNumber: Int, reason: String, by user: String) throws(StationError) {
        try perform { (core: inout StationCore) throws(StationError) in
            try Self.requireOpen(core)
            try Self.requireReason(reason)
            core.journalOperatorAction("withdraw", user: user, queueNumber: queueNumber, reason: reason)
            try core.dispatch(.withdraw(queueNumber: queueNumber, reason: reason))
            core.tickets[queueNumber]?.state = "withdrawn"
            var e = core.event(.operatorAction, queue: queueNumber)
            e.user = user
            e.text = LocalizedText(zh: "撤销：\(reason)", en: "withdrawn: \(reason)")
            core.emit(e)
        }
    }

    /// Lets the next vehicle onto `lane`. Precisely: if a vehicle was called and has not entered yet, the call
    /// is repeated (the display and the handheld show it again); otherwise, when the lane is empty, the first
    /// vehicle waiting at its entry is called. In ``CallMode/automatic`` the lane calls by itself as soon as it
    /// is empty; in ``CallMode/operatorCalls`` only this does.
    /// - Throws: `conflict` when a vehicle is still on the lane or nobody waits at its entry.
    public func callNext(lane: LaneID, by user: String) throws(StationError) {
        try perform { (core: inout StationCore) throws(StationError) in
            let l = try Self.lane(lane, core)
            if let called = core.lanes[l].called {
                core.journalOperatorAction("call_again", user: user, lane: lane, detail: called.rawValue)
                core.call(l, driver: called, by: user)
                return
            }
            if let run = core.lanes[l].run {
                throw StationError(.conflict, code: "lane_busy", field: "lane",
                                   en: "Lane \(lane) still has \(run.vehicle.plate) on it.",
                                   zh: "\(lane) 线上仍有车辆 \(run.vehicle.plate)。")
            }
            guard let next = core.lanes[l].atEntry.first else {
                throw StationError(.conflict, code: "nobody_waiting", field: "lane",
                                   en: "No vehicle is waiting at the entry of lane \(lane).", zh: "\(lane) 线入口没有等候的车辆。")
            }
            core.journalOperatorAction("call_next", user: user, lane: lane, detail: next.rawValue)
            core.call(l, driver: next, by: user)
        }
    }

    // MARK: Inspector

    /// Orders a re-test of a finished inspection with failed items: the vehicle goes back into the queue as a
    /// re-test (the draw excludes the failed attempt's driver); the new attempt runs only the stations that had
    /// a failed or incomplete item, and is linked to this one (`retest_of`, attempt + 1).
    /// - Parameter scenario: Simulated stations only: the scenario the vehicle carries now (e.g. `sound_car`
    ///   after a repair); nil keeps the previous one.
    /// - Throws: `notFound` for an unknown inspection, `conflict` when it did not fail, was re-tested already, or
    ///   the vehicle is still in the station's flow.
    public func orderRetest(of inspection: InspectionID, by user: String, scenario: String? = nil)
        throws(StationError) -> TicketView
    {
        try perform { (core: inout StationCore) throws(StationError) -> TicketView in
            try Self.requireOpen(core)
            guard let done = core.finished[inspection] else {
                throw StationError(.notFound, code: "unknown_inspection", field: "inspection",
                                   en: "No finished inspection \(inspection) in this station's memory.",
                                   zh: "没有已完成的检测 \(inspection)。")
            }
            guard done.outcome == .fail, !done.stationsToRetest.isEmpty else {
                throw StationError(.conflict, code: "not_failed", field: "inspection",
                                   en: "Inspection \(inspection) ended \(done.outcome.rawValue): only a failed inspection is re-tested.",
                                   zh: "检测 \(inspection) 的结论为 \(done.outcome.rawValue)：只有不合格的检测才能复检。")
            }
            guard !core.retested.contains(inspection) else {
                throw StationError(.conflict, code: "already_retested", field: "inspection",
                                   en: "A re-test of \(inspection) was already ordered.", zh: "检测 \(inspection) 已安排过复检。")
            }
            core.pendingRetest = (done.stationsToRetest, inspection, done.attempt + 1, scenario ?? done.scenario)
            core.pendingCheckIn = CheckInRequest(vehicle: done.vehicle, scenario: scenario ?? done.scenario)
            core.lastQueued = nil
            defer {
                core.pendingCheckIn = nil
                core.pendingRetest = nil
            }
            core.journalOperatorAction("retest_ordered", user: user, inspection: inspection,
                                       detail: done.stationsToRetest.map(\.rawValue).joined(separator: ","))
            try core.dispatch(.checkIn(vehicle: done.vehicle,
                                       arrival: .retest(failedAttempt: inspection, failedDriver: done.driver)))
            guard let q = core.lastQueued, let ticket = core.tickets[q] else {
                throw StationError(.conflict, code: "not_queued", en: "The re-test was not queued.", zh: "复检车辆未能排队。")
            }
            core.retested.insert(inspection)
            return core.ticketView(ticket)
        }
    }

    // MARK: Helpers

    static func requireOpen(_ core: StationCore) throws(StationError) {
        guard core.dispatcher != nil, core.shift?.closedAt == nil else { throw .shiftNotOpen() }
    }

    static func requireReason(_ reason: String) throws(StationError) {
        guard !reason.allSatisfy(\.isWhitespace) else {
            throw StationError(.invalid, code: "reason_required", field: "reason", en: "Give a reason.", zh: "请填写原因。")
        }
    }

    static func lane(_ id: LaneID, _ core: StationCore) throws(StationError) -> Int {
        guard let l = core.laneIndex(id) else { throw .unknownLane(id.rawValue) }
        return l
    }

    static func shiftName(_ wall: WallTime) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "S\(formatter.string(from: wall.date))"
    }

    static func plateRuleset(_ ruleset: String) -> PlateRuleset {
        if ruleset.hasPrefix("UK") { return .uk }
        if ruleset.hasPrefix("EU") { return .eu }
        return .china
    }
}
