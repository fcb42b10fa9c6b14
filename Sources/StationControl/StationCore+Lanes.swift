import Foundation
import InspectionRules
import Journal
import LaneCore
import Procedures
import Valet

// The lanes: one vehicle per lane at a time, one station at a time in the profile's drive order, each station
// run by its own `InspectionPipeline` holding that station's procedure only. Samples of the station's rig reach
// the pipeline; samples of the lane's other rigs are not evidence for this vehicle and are ignored.
extension StationCore {
    // MARK: Calling the next vehicle

    mutating func callIfFree(_ l: Int) {
        guard options.callMode == .automatic, lanes[l].run == nil, lanes[l].called == nil,
            let next = lanes[l].atEntry.first
        else { return }
        call(l, driver: next, by: nil)
    }

    /// Calls `driver` (waiting at the entry) onto lane `l`: the lane display shows the plate, the handheld says
    /// drive in.
    mutating func call(_ l: Int, driver: DriverID, by user: String?) {
        guard let q = drivers[driver]?.queueNumber, let ticket = tickets[q] else { return }
        lanes[l].atEntry.removeAll { $0 == driver }
        lanes[l].called = driver
        lanes[l].calledBy = user
        tickets[q]?.state = "called"
        let lane = lanes[l].lane
        let first = (ticket.plan.map { plan in lane.stations.first { plan.contains($0.kind) } } ?? lane.stations.first)?.kind
        let name = laneName(lane.id)
        let zh = "\(ticket.vehicle.plate) 请到\(name.zh)：驶入检测线\(first.map { "，到\($0.zh)工位" } ?? "")，就位后确认。"
        let en = "\(ticket.vehicle.plate) to \(name.en), please: drive in\(first.map { " to the \($0.rawValue) station" } ?? ""), then confirm."
        let task = baseTask(driver, id: nextPromptID(), step: "enter_lane", zh: zh, en: en, queue: q)
        setTask(driver, task, kind: .enterLane(lane.id))
        var e = event(.called, lane: lane.id, queue: q)
        e.text = LocalizedText(zh: "\(ticket.vehicle.plate) 请到\(name.zh)", en: "\(ticket.vehicle.plate) to \(name.en), please")
        e.user = user
        emit(e)
    }

    // MARK: Entering: an inspection opens

    mutating func enter(_ l: Int, driver: DriverID) throws(StationError) {
        guard let q = drivers[driver]?.queueNumber, let ticket = tickets[q], let shift else {
            throw StationError(.conflict, code: "no_vehicle", field: "driver", en: "Driver \(driver) has no vehicle.",
                               zh: "驾驶员 \(driver) 当前没有车辆。")
        }
        let lane = lanes[l].lane
        let inspection = InspectionID("\(shift.id)-\(String(format: "%04d", q))")
        let plan = lane.stations.map(\.kind).filter { ticket.plan?.contains($0) ?? true }
        journal(InspectionRecord(
            id: inspection, vehicleID: ticket.vehicleID, lane: lane.id, attempt: ticket.attempt, retestOf: ticket.retestOf,
            openedAt: wall, operatorID: lanes[l].calledBy, softwareVersion: options.softwareVersion,
            profileVersion: options.profileVersion ?? profile.source ?? "unknown"), actor: lanes[l].calledBy ?? "station")
        if let draw = ticket.drawIndex {
            journal(AssignmentRecord(inspection: inspection, driver: driver, task: "drive.lane", shiftID: shift.id.rawValue,
                                     drawIndex: draw, at: wall), actor: DispatchJournal.actor)
        }
        tickets[q]?.inspection = inspection
        tickets[q]?.enteredAt = now
        lanes[l].called = nil
        lanes[l].run = LaneRun(queueNumber: q, driver: driver, inspection: inspection, attempt: ticket.attempt,
                               retestOf: ticket.retestOf, vehicle: ticket.vehicle, plan: plan)
        effects.cues.append(.vehicleEntering(lane: lane.id, vehicle: ticket.vehicle, scenario: ticket.scenario))
        emit(event(.entered, lane: lane.id, queue: q))
        try dispatch(.enteredLane(driver: driver))
    }

    // MARK: Stations

    /// The dispatcher prompted the driver to `name`: start it, or pass it (not in this attempt's plan, or the
    /// inspection is already decided) by acknowledging it on the driver's behalf.
    mutating func startStation(lane l: Int, _ name: String) {
        guard var run = lanes[l].run else { return }
        guard let kind = StationKind(rawValue: name), run.outcome == nil, run.plan.contains(kind),
            let station = lanes[l].lane.station(kind)
        else {
            run.acknowledged += 1
            lanes[l].run = run
            deferred.append(.event(.stationAcknowledged(driver: run.driver, station: name)))
            return
        }
        run.station = kind
        run.runNumber += 1
        run.stationDone = false
        run.prompt = nil
        run.lastAbort = nil
        run.items.removeAll { $0.station == kind.rawValue }
        let vehicle = run.vehicle
        var pipeline: InspectionPipeline
        do throws(ProcedureSetupError) {
            switch kind {
            case .brake:
                pipeline = InspectionPipeline(
                    ruleset: ruleset, vehicle: vehicle,
                    brake: try BrakeProcedure(rig: station.rig.id, map: station.rig.map,
                                              configuration: options.brake(vehicle, station.rig.map)))
            case .headlamp:
                pipeline = InspectionPipeline(
                    ruleset: ruleset, vehicle: vehicle,
                    headlamp: try HeadlampProcedure(rig: station.rig.id, map: station.rig.map,
                                                    configuration: options.headlamp(vehicle)))
            case .emission:
                pipeline = InspectionPipeline(
                    ruleset: ruleset, vehicle: vehicle,
                    emission: try EmissionProcedure(rig: station.rig.id, map: station.rig.map,
                                                    configuration: options.emission(vehicle, station)))
            }
        } catch {
            raise("setup|\(station.rig.id)", severity: "error", source: station.rig.id.rawValue,
                  zh: "无法建立\(kind.zh)工位检测程序：\(error)", en: "Cannot set up the \(kind.rawValue) station: \(error)")
            // Judge nothing on a station that cannot run: one incomplete item says why.
            let item = ItemView(item: "\(kind.rawValue).setup", station: kind.rawValue, verdict: "incomplete", value: nil,
                                unit: "", limit: nil, clause: "setup", zh: "\(error)", en: "\(error)", qualityReason: nil)
            lanes[l].run = run
            landed(item, lane: l, record: nil, lastSample: now)
            stationFinished(lane: l)
            return
        }
        run.activeRig = station.rig.id
        run.pipeline = pipeline
        lanes[l].run = run
        var e = event(.stationStarted, lane: lanes[l].lane.id, queue: run.queueNumber)
        e.station = kind.rawValue
        emit(e)
        feed(lane: l, .start(now))
    }

    /// One input for the lane's current station; carries out what the pipeline answered.
    mutating func feed(lane l: Int, _ input: PipelineInput) {
        guard lanes[l].run?.pipeline != nil else { return }
        var scratch: [PipelineEvent] = []
        swap(&scratch, &lanes[l].run!.scratch)
        lanes[l].run!.pipeline!.handle(input, into: &scratch)
        if !scratch.isEmpty {
            for pipelineEvent in scratch { apply(pipelineEvent, lane: l) }
            scratch.removeAll(keepingCapacity: true)
        }
        if lanes[l].run != nil { swap(&scratch, &lanes[l].run!.scratch) }
        // The station is done when its pipeline is (its last event is `inspectionFinished`, unless the rules
        // could not judge the case at all: then the items said why and the station is done all the same).
        if lanes[l].run?.pipeline?.isFinished == true, lanes[l].run?.stationDone == false { stationFinished(lane: l) }
    }

    mutating func apply(_ pipelineEvent: PipelineEvent, lane l: Int) {
        guard let run = lanes[l].run else { return }
        let laneID = lanes[l].lane.id
        switch pipelineEvent {
        case .command(let command):
            effects.commands.append(command)
        case .prompt(let prompt):
            lanes[l].run!.prompt = prompt
            if let abort = run.lastAbort, prompt.id != abort.repeatPrompt {
                // The step runs again: the abort is dealt with.
                lanes[l].run!.lastAbort = nil
                resolve("abort|\(laneID)")
            }
            effects.cues.append(.prompt(lane: laneID, prompt: prompt))
            if !run.aborting {
                var task = baseTask(run.driver, id: "\(run.inspection)/\(run.runNumber)/\(prompt.id)", step: "station",
                                    zh: prompt.text.zh, en: prompt.text.en, queue: run.queueNumber)
                task.station = prompt.station.rawValue
                task.expectsAcknowledgement = prompt.expects == .confirm
                setTask(run.driver, task, kind: .procedure(prompt.id, expects: prompt.expects), inspection: run.inspection)
            }
            var e = event(.prompt, lane: laneID, queue: run.queueNumber)
            e.station = prompt.station.rawValue
            e.text = prompt.text
            emit(e)
        case .measured(let measurement):
            journalMeasurement(measurement, lane: l)
            var e = event(.measured, lane: laneID, queue: run.queueNumber)
            e.station = run.station?.rawValue
            e.text = Self.describe(measurement)
            emit(e)
        case .aborted(let abort):
            lanes[l].run!.lastAbort = abort
            raise("abort|\(laneID)", source: laneID.rawValue,
                  zh: "\(laneID) \(abort.step) 中止：\(abort.reason.zh)。请驾驶员确认重测，或由操作员下令重测/中止检测。",
                  en: "\(laneID) \(abort.step) aborted: \(abort.reason.en). The driver confirms a repeat, or the operator orders one or aborts.")
            var e = event(.stepAborted, lane: laneID, queue: run.queueNumber)
            e.station = abort.station.rawValue
            e.text = abort.reason
            emit(e)
        case .verdict(let verdict):
            let item = verdict.item
            let explanation = item.explain
            let view = ItemView(
                item: item.id, station: verdict.station.rawValue, verdict: item.verdict.rawValue, value: item.value,
                unit: item.unit, limit: Self.limitText(item.limit), clause: item.clause, zh: explanation.zh, en: explanation.en,
                qualityReason: verdict.qualityReason)
            if let reason = verdict.qualityReason {
                raise("quality|\(laneID)|\(run.inspection)", source: laneID.rawValue,
                      zh: "\(run.inspection) \(item.id) 数据不完整：\(reason.zh)", en: "\(run.inspection) \(item.id) incomplete: \(reason.en)")
            }
            landed(view, lane: l, record: item, lastSample: verdict.lastSampleTime)
        case .stationFinished, .inspectionFinished:
            break  // see the end of `feed`
        }
    }

    /// A verdict lands: kept for the views, journaled (correcting the same item of an earlier run of the
    /// station), published. `lastSample` (the time of the last sample behind it) goes with the event and is where
    /// the journal write's latency counts from.
    mutating func landed(_ view: ItemView, lane l: Int, record item: RuleItem?, lastSample: MonotonicInstant? = nil) {
        guard let run = lanes[l].run else { return }
        lanes[l].run!.items.removeAll { $0.item == view.item }
        lanes[l].run!.items.append(view)
        if let writer {
            let inspection = run.inspection
            let measurementName = Self.measurementName(forItem: view.item)
            let measurementID = measurementName.flatMap {
                run.measurementNames.contains("\(run.runNumber)/\($0)") ? "\(inspection)/\(run.runNumber)/\($0)" : nil
            }
            let ruleset = ruleset.rawValue
            let version = RuleEngine.version(of: self.ruleset)
            let at = wall
            let verdict = JournalItemVerdict(rawValue: view.verdict) ?? .incomplete
            var explanation = "\(view.en) / \(view.zh)"
            if let reason = view.qualityReason { explanation += " — \(reason.en) / \(reason.zh)" }
            let text = explanation
            writer.enqueue("item \(view.item)", origin: lastSample) { tx, memory in
                let key = "\(inspection)|\(view.item)"
                let entry = try tx.record(
                    ItemRecord(inspection: inspection, item: view.item, value: view.value, unit: view.unit, limit: view.limit,
                               verdict: verdict, ruleset: ruleset, rulesetVersion: version, clause: view.clause,
                               explanation: text, measurementID: measurementID, corrects: memory.items[key], at: at),
                    actor: "station", at: at)
                memory.items[key] = entry.sequence
            }
        }
        var e = event(.verdict, lane: lanes[l].lane.id, queue: run.queueNumber)
        e.station = view.station
        e.verdict = view
        e.lastSampleTime = lastSample
        emit(e)
        _ = item
    }

    /// The current station's procedure is done: the driver acknowledges and drives on.
    mutating func stationFinished(lane l: Int) {
        guard let run = lanes[l].run, let kind = run.station, !run.stationDone else { return }
        lanes[l].run!.stationDone = true
        lanes[l].run!.activeRig = nil
        var e = event(.stationFinished, lane: lanes[l].lane.id, queue: run.queueNumber)
        e.station = kind.rawValue
        emit(e)
        guard !run.aborting else { return }
        let last = run.plan.last == kind
        var task = baseTask(
            run.driver, id: nextPromptID(), step: "station_done",
            zh: "\(kind.zh)工位检测完成。确认后\(last ? "驶出检测线" : "驶往下一工位")。",
            en: "The \(kind.rawValue) station is done. Confirm, then \(last ? "drive out of the lane" : "drive to the next station").",
            queue: run.queueNumber)
        task.station = kind.rawValue
        setTask(run.driver, task, kind: .stationDone(kind), inspection: run.inspection)
    }

    /// The driver leaves station `kind`: after the last station of the plan the outcome is decided.
    mutating func leaveStation(lane l: Int, _ kind: StationKind) throws(StationError) {
        guard var run = lanes[l].run else { return }
        run.acknowledged += 1
        run.station = nil
        run.pipeline = nil
        run.prompt = nil
        lanes[l].run = run
        if run.plan.last == kind { decide(lane: l, status: nil, reason: nil, actor: "station") }
        try dispatch(.stationAcknowledged(driver: run.driver, station: kind.rawValue))
    }

    /// Records the outcome: from the items (`fail` if any failed, else `incomplete` if any is, else `pass`), or
    /// `status` when given (an operator's abort).
    mutating func decide(lane l: Int, status: InspectionStatus?, reason: String?, actor: String) {
        guard let run = lanes[l].run, run.outcome == nil else { return }
        var outcome = status ?? .pass
        if status == nil {
            let verdicts = run.items.map(\.verdict)
            if verdicts.contains("fail") {
                outcome = .fail
            } else if verdicts.contains("incomplete") || !verdicts.contains("pass") {
                outcome = .incomplete
            }
        }
        lanes[l].run!.outcome = outcome
        journal(OutcomeRecord(inspection: run.inspection, status: outcome, closedAt: wall, reason: reason), actor: actor)
        let retest = lanes[l].lane.stations.map(\.kind).filter { kind in
            run.items.contains { $0.station == kind.rawValue && ($0.verdict == "fail" || $0.verdict == "incomplete") }
        }
        finished[run.inspection] = FinishedInspection(
            inspection: run.inspection, queueNumber: run.queueNumber, vehicle: run.vehicle,
            scenario: tickets[run.queueNumber]?.scenario, lane: lanes[l].lane.id, driver: run.driver, attempt: run.attempt,
            outcome: outcome, stationsToRetest: retest)
        resolve("abort|\(lanes[l].lane.id)")
        var e = event(.inspectionFinished, lane: lanes[l].lane.id, queue: run.queueNumber)
        e.outcome = outcome.rawValue
        e.text = reason.map { LocalizedText(zh: $0, en: $0) }
        emit(e)
    }

    /// The vehicle left the lane: the lane is free for the next one.
    mutating func exited(lane l: Int) {
        guard let run = lanes[l].run else { return }
        lanes[l].run = nil
        lanes[l].finishedCount += 1
        emit(event(.exited, lane: lanes[l].lane.id, queue: run.queueNumber))
        deferred.append(.callIfFree(lane: l))
    }

    // MARK: Helpers

    static func limitText(_ limit: Limit?) -> String? {
        guard let limit else { return nil }
        func f(_ x: Double) -> String {
            x == x.rounded() && abs(x) < 1e12 ? String(Int(x)) : String(format: "%.4g", x)
        }
        switch (limit.min, limit.max) {
        case (let lo?, let hi?): return "[\(f(lo)), \(f(hi))]"
        case (let lo?, nil): return "≥ \(f(lo))"
        case (nil, let hi?): return "≤ \(f(hi))"
        default: return nil
        }
    }

    /// The measurement an item's figure comes from: `brake.axle2` for `brake.axle2.rate`, `brake.parking`,
    /// `headlamp.left`, `emission`.
    static func measurementName(forItem item: String) -> String? {
        let parts = item.split(separator: ".")
        guard let first = parts.first else { return nil }
        switch first {
        case "brake":
            if parts.count > 1, parts[1].hasPrefix("axle") { return "brake.\(parts[1])" }
            if item.contains("parking") { return "brake.parking" }
            return nil
        case "headlamp", "headlamps":
            if item.contains("left") { return "headlamp.left" }
            if item.contains("right") { return "headlamp.right" }
            return nil
        case "emission": return "emission"
        default: return nil
        }
    }

    static func describe(_ m: InspectionMeasurement) -> LocalizedText {
        switch m {
        case .brake(let run):
            let what = run.kind == .parking ? "parking brake" : "axle \(run.axle)"
            let zh = run.kind == .parking ? "驻车制动" : "第\(run.axle)轴"
            return LocalizedText(
                zh: "\(zh)：左 \(Int(run.peakLeft)) daN，右 \(Int(run.peakRight)) daN",
                en: "\(what): left \(Int(run.peakLeft)) daN, right \(Int(run.peakRight)) daN")
        case .headlamp(let lamp):
            return LocalizedText(
                zh: "\(lamp.side == .left ? "左" : "右")灯：远光 \(Int(lamp.highIntensityCd)) cd",
                en: "\(lamp.side.rawValue) lamp: high beam \(Int(lamp.highIntensityCd)) cd")
        case .emission(let e):
            return LocalizedText(zh: "排放（\(e.method.rawValue)）测量完成", en: "emission (\(e.method.rawValue)) measured")
        }
    }
}
