import Journal
public import LaneCore
import Procedures
import Valet
import Synchronization

// The driver's handheld: the current task, and its acknowledgement.
extension StationController {
    /// A driver acknowledges their current prompt (`promptID` from ``task(for:)``). Collecting the key needs the
    /// plate as read off the vehicle. Acknowledging a prompt that was already acknowledged (a handheld resending
    /// after a dropped connection) returns the current task.
    /// - Returns: the driver's next task (nil: nothing to do, the driver is free).
    /// - Throws: `notFound` for a driver not on the roster, `conflict` for a prompt that is not the driver's
    ///   current one (another driver's prompt included: a driver acts on their own task only), `invalid` for a
    ///   missing or wrong plate.
    public func acknowledge(driver: DriverID, promptID: String, plate: String?) throws(StationError) -> DriverTask? {
        try perform { (core: inout StationCore) throws(StationError) -> DriverTask? in
            guard let runtime = core.drivers[driver] else { throw .unknownDriver(driver.rawValue) }
            guard let task = runtime.task, let kind = runtime.kind, task.promptID == promptID else {
                if runtime.acknowledged.contains(promptID) { return runtime.task }
                throw StationError(.conflict, code: "stale_prompt", field: "prompt_id",
                                   en: "Prompt \(promptID) is not driver \(driver)'s current task\(runtime.task.map { " (current: \($0.promptID))" } ?? " (no task now)").",
                                   zh: "提示 \(promptID) 不是驾驶员 \(driver) 当前的任务。")
            }
            if !task.expectsAcknowledgement, task.step != "wait_at_entry" {
                // Nothing to confirm (the rig sees when it is done, or the confirmation was given): no-op.
                return task
            }
            try core.acknowledge(driver: driver, task: task, kind: kind, plate: plate)
            return core.drivers[driver]?.task
        }
    }
}

extension StationCore {
    mutating func acknowledge(driver: DriverID, task: DriverTask, kind: TaskKind, plate: String?) throws(StationError) {
        let inspection = task.inspection.map { InspectionID($0) }
        func remember() {
            drivers[driver]?.acknowledged.append(task.promptID)
            if drivers[driver]!.acknowledged.count > 16 { drivers[driver]!.acknowledged.removeFirst() }
            journal(AcknowledgementRecord(promptID: task.promptID, inspection: inspection, actor: driver.rawValue,
                                          response: plate.map { "ok plate=\($0)" } ?? "ok", at: wall),
                    actor: driver.rawValue)
        }
        switch kind {
        case .dispatch(let step, let station):
            switch step {
            case .collectKey, .wrongVehicle:
                guard let plate, !plate.allSatisfy(\.isWhitespace) else {
                    throw StationError(.invalid, code: "plate_required", field: "plate",
                                       en: "Confirm the plate as read off the vehicle.", zh: "请输入车辆号牌以确认。")
                }
                remember()
                try dispatch(.pickupConfirmed(driver: driver, plate: plate))
            case .driveToLane:
                remember()
                try dispatch(.arrivedAtLaneEntry(driver: driver))
            case .waitAtEntry:
                throw StationError(.conflict, code: "wait_for_call", field: "prompt_id",
                                   en: "Wait at the entry until the lane calls you.", zh: "请在入口等候检测线叫号。")
            case .station:
                // The lane's own prompts drive the station; this one only says which station is next.
                remember()
                _ = station
            case .driveToExit:
                remember()
                let l = lanes.firstIndex { $0.run?.driver == driver }
                try dispatch(.exitedLane(driver: driver))
                if let l { exited(lane: l) }
            case .park:
                remember()
                try dispatch(.parked(driver: driver, bay: drivers[driver]?.bay ?? task.bay ?? "?"))
            case .returnKey:
                remember()
                try dispatch(.keyReturned(driver: driver))
                if drivers[driver]?.kind == kind {
                    // Free: nothing to show until the next draw.
                    drivers[driver]?.queueNumber = nil
                    drivers[driver]?.bay = nil
                    setTask(driver, nil, kind: nil)
                }
            case .released:
                remember()
                setTask(driver, nil, kind: nil)
                if dispatcher?.state(of: driver) == .unresponsive { try dispatch(.driverAvailable(driver: driver)) }
            }
        case .enterLane(let laneID):
            guard let l = laneIndex(laneID), lanes[l].called == driver else {
                throw StationError(.conflict, code: "not_called", field: "prompt_id",
                                   en: "Lane \(laneID) has not called driver \(driver).", zh: "\(laneID) 线没有叫到驾驶员 \(driver)。")
            }
            remember()
            try enter(l, driver: driver)
        case .procedure(let prompt, let expects):
            guard let l = lanes.firstIndex(where: { $0.run?.driver == driver }) else {
                throw StationError(.conflict, code: "no_inspection", en: "Driver \(driver) is not on a lane.",
                                   zh: "驾驶员 \(driver) 不在检测线上。")
            }
            remember()
            if expects == .confirm {
                // Confirmed: the handheld keeps showing the prompt, without a button, until the next one.
                if drivers[driver]?.task?.promptID == task.promptID {
                    drivers[driver]?.task?.expectsAcknowledgement = false
                    var e = event(.task, lane: LaneID(task.lane), queue: task.queueNumber)
                    e.driver = driver.rawValue
                    e.task = drivers[driver]?.task
                    emit(e)
                }
                feed(lane: l, .acknowledgement(PromptAcknowledgement(prompt: prompt, time: now, driver: driver)))
                if let abort = lanes[l].run?.lastAbort, abort.repeatPrompt == prompt {
                    lanes[l].run?.lastAbort = nil
                    resolve("abort|\(lanes[l].lane.id)")
                }
            }
        case .stationDone(let station):
            guard let l = lanes.firstIndex(where: { $0.run?.driver == driver }) else {
                throw StationError(.conflict, code: "no_inspection", en: "Driver \(driver) is not on a lane.",
                                   zh: "驾驶员 \(driver) 不在检测线上。")
            }
            remember()
            try leaveStation(lane: l, station)
        case .inspectionAborted:
            guard let l = lanes.firstIndex(where: { $0.run?.driver == driver }), let run = lanes[l].run else {
                throw StationError(.conflict, code: "no_inspection", en: "Driver \(driver) is not on a lane.",
                                   zh: "驾驶员 \(driver) 不在检测线上。")
            }
            remember()
            let stations = lanes[l].lane.stations
            if run.acknowledged < stations.count {
                // The station the dispatcher waits for; the ones after it pass by themselves (the outcome is set).
                lanes[l].run!.acknowledged += 1
                lanes[l].run!.station = nil
                lanes[l].run!.pipeline = nil
                try dispatch(.stationAcknowledged(driver: driver, station: stations[run.acknowledged].kind.rawValue))
            }
        }
    }
}
