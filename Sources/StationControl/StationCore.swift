import Foundation
import InspectionRules
import Journal
import LaneCore
import Logging
import Procedures
import Valet

/// What one call changed that must happen outside the lock: rig commands and simulation cues.
struct Effects {
    var commands: [RigCommand] = []
    var cues: [SimulationCue] = []
}

/// A vehicle checked in during the open shift.
struct Ticket {
    let queueNumber: Int
    var vehicle: Vehicle
    let arrival: Arrival
    let scenario: String?
    let checkedInAt: MonotonicInstant
    let checkedInWall: WallTime
    let vehicleID: String
    /// Stations this attempt runs; nil: all of the lane's.
    let plan: [StationKind]?
    let retestOf: InspectionID?
    let attempt: Int
    var state = "waiting"
    var lane: LaneID?
    var driver: DriverID?
    /// The draw that gave the current driver (0-based index in the shift), nil for a manual assignment.
    var drawIndex: Int?
    var inspection: InspectionID?
    var enteredAt: MonotonicInstant?

    var arrivalName: String {
        switch arrival {
        case .walkIn: "walk_in"
        case .appointment: "appointment"
        case .retest: "retest"
        }
    }
}

/// What a driver's current task is, for the controller's logic.
enum TaskKind: Equatable {
    case dispatch(DriverPrompt.Step, station: String?)
    case enterLane(LaneID)
    case procedure(PromptID, expects: Prompt.Acknowledgement)
    case stationDone(StationKind)
    case inspectionAborted
}

struct DriverRuntime {
    let driver: Driver
    var task: DriverTask?
    var kind: TaskKind?
    var queueNumber: Int?
    var bay: String?
    /// Prompt ids this driver acknowledged lately: a handheld that resends after a dropped connection gets
    /// its current task back instead of an error.
    var acknowledged: [String] = []
}

struct ShiftState {
    let id: ShiftID
    let seed: ShiftSeed
    let openedBy: String
    let openedAt: WallTime
    var closedBy: String?
    var closedAt: WallTime?
}

/// A finished attempt, kept for re-tests.
struct FinishedInspection {
    let inspection: InspectionID
    let queueNumber: Int
    let vehicle: Vehicle
    let scenario: String?
    let lane: LaneID
    let driver: DriverID
    let attempt: Int
    let outcome: InspectionStatus
    /// Stations with a failed or incomplete item.
    let stationsToRetest: [StationKind]
}

/// The vehicle on a lane.
struct LaneRun {
    let queueNumber: Int
    let driver: DriverID
    let inspection: InspectionID
    let attempt: Int
    let retestOf: InspectionID?
    let vehicle: Vehicle
    let plan: [StationKind]
    /// Stations of the lane acknowledged to the dispatcher so far (it expects them in drive order).
    var acknowledged = 0
    var station: StationKind?
    var pipeline: InspectionPipeline?
    var activeRig: RigID?
    /// Numbers each run of a station (a repeat is a new run), so prompt and measurement ids stay unique.
    var runNumber = 0
    var stationDone = false
    var aborting = false
    var prompt: Prompt?
    var lastAbort: StepAbort?
    var items: [ItemView] = []
    var measurementNames: Set<String> = []
    var outcome: InspectionStatus?
    var scratch: [PipelineEvent] = []
}

struct LaneRuntime {
    let lane: Lane
    var atEntry: [DriverID] = []
    var called: DriverID?
    var calledBy: String?
    var run: LaneRun?
    var finishedCount = 0
}

/// Everything the controller knows, behind its one lock. Methods run with the lock held and are short.
struct StationCore {
    let profile: LaneProfile
    let options: StationController.Options
    let ruleset: RulesetID
    let writer: JournalWriter?
    let logger: Logger
    /// Time of the call in progress (the sample's time on the sample path).
    var now = MonotonicInstant(nanoseconds: 0)
    var wall = WallTime(milliseconds: 0)
    var effects = Effects()

    var firstSeed: ShiftSeed?
    var shift: ShiftState?
    var dispatcher: Dispatcher?
    var tickets: [Int: Ticket] = [:]
    var drivers: [DriverID: DriverRuntime] = [:]
    var lanes: [LaneRuntime]
    var finished: [InspectionID: FinishedInspection] = [:]
    var retested: Set<InspectionID> = []
    var alarms: [AlarmView] = []
    var alarmKeys: [String: Int] = [:]
    var nextAlarmID = 0
    var subscribers: [Int: AsyncStream<StationEvent>.Continuation] = [:]
    var nextSubscriber = 0
    var promptCounter = 0
    var bayCounter = 0
    var hook: (@Sendable (SimulationCue) -> Void)?
    /// Work that must wait until the dispatcher's current actions are all carried out (so journal entries keep
    /// the dispatcher's sequence order).
    var deferred: [Deferred] = []
    var draining = false
    var pendingCheckIn: CheckInRequest?
    var pendingRetest: (plan: [StationKind], retestOf: InspectionID, attempt: Int, scenario: String?)?
    var lastQueued: Int?

    enum Deferred {
        case event(DispatchEvent.Kind)
        case startStation(lane: Int, station: String)
        case callIfFree(lane: Int)
    }

    init(profile: LaneProfile, options: StationController.Options, writer: JournalWriter?, logger: Logger,
         seed: ShiftSeed?)
    {
        self.profile = profile
        self.options = options
        self.ruleset = RulesetID(rawValue: profile.ruleset) ?? .cnGB7258
        self.writer = writer
        self.logger = logger
        self.firstSeed = seed
        lanes = profile.lanes.map { LaneRuntime(lane: $0) }
        for driver in profile.drivers { drivers[driver.id] = DriverRuntime(driver: driver) }
    }

    // MARK: Events and alarms

    func emit(_ event: StationEvent) {
        for continuation in subscribers.values { continuation.yield(event) }
    }

    func event(_ kind: StationEvent.Kind, lane: LaneID? = nil, queue: Int? = nil) -> StationEvent {
        var e = StationEvent(kind, at: wall.milliseconds)
        e.lane = lane?.rawValue
        e.queueNumber = queue
        if let queue, let ticket = tickets[queue] {
            e.plate = ticket.vehicle.plate
            e.driver = ticket.driver?.rawValue
            e.inspection = ticket.inspection?.rawValue
        }
        return e
    }

    /// Raises (or counts again, while it is active) the alarm `key`.
    mutating func raise(_ key: String, severity: String = "warning", source: String, zh: String, en: String) {
        if let id = alarmKeys[key], let index = alarms.firstIndex(where: { $0.id == id }), alarms[index].active {
            alarms[index].count += 1
            alarms[index].raisedAtMs = wall.milliseconds
            if severity == "error" && alarms[index].severity != "error" {
                // Worse than before (a retried write that finally failed): say so.
                alarms[index].severity = severity
                alarms[index].zh = zh
                alarms[index].en = en
                var e = event(.alarm)
                e.alarm = alarms[index]
                emit(e)
            }
            return
        }
        nextAlarmID += 1
        let alarm = AlarmView(id: nextAlarmID, severity: severity, source: source, zh: zh, en: en,
                              raisedAtMs: wall.milliseconds, active: true, count: 1)
        alarmKeys[key] = alarm.id
        alarms.append(alarm)
        if alarms.count > 500, let oldest = alarms.firstIndex(where: { !$0.active }) { alarms.remove(at: oldest) }
        var e = event(.alarm)
        e.alarm = alarm
        emit(e)
        logger.warning("Station alarm", metadata: ["alarm.source": "\(source)", "alarm.text": "\(en)"])
    }

    /// Marks the alarm `key` as no longer active.
    mutating func resolve(_ key: String) {
        guard let id = alarmKeys[key], let index = alarms.firstIndex(where: { $0.id == id }), alarms[index].active
        else { return }
        alarms[index].active = false
        var e = event(.alarm)
        e.alarm = alarms[index]
        emit(e)
    }

    // MARK: Journal

    /// Queues a typed evidence row.
    func journal<R: EvidenceRecord>(_ record: R, actor: String) {
        guard let writer else { return }
        let at = wall
        writer.enqueue("\(R.entryKind.rawValue)") { tx, _ in _ = try tx.record(record, actor: actor, at: at) }
    }

    /// Queues an untyped entry.
    func journal(kind: EntryKind, inspection: InspectionID?, actor: String, payload: some Encodable & Sendable) {
        guard let writer else { return }
        let at = wall
        writer.enqueue(kind.rawValue) { tx, _ in
            _ = try tx.append(kind: kind, inspection: inspection, actor: actor, at: at, payload: payload)
        }
    }

    func journalOperatorAction(_ action: String, user: String, lane: LaneID? = nil, queueNumber: Int? = nil,
                               inspection: InspectionID? = nil, reason: String? = nil, detail: String? = nil)
    {
        journal(kind: "operator.action", inspection: nil, actor: user,
                payload: OperatorActionPayload(action: action, user: user, lane: lane?.rawValue, queueNumber: queueNumber,
                                               inspection: inspection?.rawValue, reason: reason, detail: detail))
    }

    // MARK: Prompts for drivers

    mutating func nextPromptID() -> String {
        promptCounter += 1
        return "\(shift?.id.rawValue ?? "station")/P\(promptCounter)"
    }

    /// Shows `task` on the driver's handheld, journals it and tells the live feed.
    mutating func setTask(_ driver: DriverID, _ task: DriverTask?, kind: TaskKind?, inspection: InspectionID? = nil) {
        drivers[driver]?.task = task
        drivers[driver]?.kind = kind
        if let task {
            journal(PromptRecord(id: task.promptID, inspection: inspection, recipient: driver.rawValue, kind: task.step,
                                 text: "\(task.zh) / \(task.en)", at: wall), actor: "station")
        }
        var e = event(.task, lane: task.map { LaneID($0.lane) }, queue: task?.queueNumber)
        e.driver = driver.rawValue
        e.task = task
        emit(e)
    }

    func baseTask(_ driver: DriverID, id: String, step: String, zh: String, en: String, queue: Int) -> DriverTask {
        let ticket = tickets[queue]
        return DriverTask(
            promptID: id, driver: driver.rawValue, step: step, zh: zh, en: en, plate: ticket?.vehicle.plate ?? "",
            queueNumber: queue, lane: ticket?.lane?.rawValue ?? "", station: nil, needsPlateConfirmation: false,
            expectsAcknowledgement: true, bay: drivers[driver]?.bay, inspection: ticket?.inspection?.rawValue,
            issuedAtMs: wall.milliseconds)
    }

    func laneIndex(_ id: LaneID) -> Int? { lanes.firstIndex { $0.lane.id == id } }

    func laneName(_ id: LaneID) -> (zh: String, en: String) {
        guard let lane = profile.lane(id) else { return (id.rawValue, id.rawValue) }
        let digits = id.rawValue.filter(\.isNumber)
        return (digits.isEmpty ? lane.name : "\(digits)号线", "lane \(id)")
    }
}

/// The payload of an `operator.action` journal entry.
struct OperatorActionPayload: Codable, Sendable {
    var action: String
    var user: String
    var lane: String?
    var queueNumber: Int?
    var inspection: String?
    var reason: String?
    var detail: String?

    enum CodingKeys: String, CodingKey {
        case action, user, lane, inspection, reason, detail
        case queueNumber = "queue_number"
    }
}

extension StationKind {
    var zh: String {
        switch self {
        case .brake: "制动"
        case .headlamp: "前照灯"
        case .emission: "排放"
        }
    }
}
