public import Foundation
public import LaneCore

/// JSON for every view and event of this module: `snake_case` keys, sorted, ISO-free (times are
/// milliseconds since the Unix epoch, `*_ms`). Use these coders so the console, handheld and display
/// pages see the documented shapes (docs/station-control.md).
public enum StationJSON {
    /// An encoder with `snake_case` keys and sorted output.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// A decoder for requests such as ``CheckInRequest`` (their keys are spelled out in snake_case: no key
    /// conversion, which would turn `Vehicle`'s own `type_code` into `typeCode` and lose it).
    public static func decoder() -> JSONDecoder { JSONDecoder() }
}

/// A vehicle checked in at the desk: its data as typed, how it came, and (simulation only) which
/// simulated scenario the rigs should play when it drives onto a lane.
public struct CheckInRequest: Hashable, Sendable, Codable {
    /// The vehicle's data (plate, VIN, category or type code, fuel, axles, masses …).
    public var vehicle: Vehicle
    /// Booked for this many seconds from now (an appointment); nil for a walk-in.
    public var appointmentInSeconds: Int?
    /// Simulated stations only: the RigFirmware scenario (`sound_car`, `weak_rear_brake` …) the lane's rigs
    /// are given when this vehicle enters (see ``StationController/setSimulationHook(_:)``).
    public var scenario: String?

    public init(vehicle: Vehicle, appointmentInSeconds: Int? = nil, scenario: String? = nil) {
        self.vehicle = vehicle
        self.appointmentInSeconds = appointmentInSeconds
        self.scenario = scenario
    }

    // Explicit keys: `Vehicle` already spells its own keys in snake_case.
    enum CodingKeys: String, CodingKey {
        case vehicle, scenario
        case appointmentInSeconds = "appointment_in_seconds"
    }
}

/// The shift as the console shows it: the seed's commitment while open, the seed itself once closed.
public struct ShiftView: Hashable, Sendable, Codable {
    public var id: String
    /// `open` or `closed`.
    public var state: String
    public var openedBy: String
    public var openedAtMs: Int64
    public var closedBy: String?
    public var closedAtMs: Int64?
    /// SHA-256 of the seed (hex), published when the shift opens.
    public var seedCommitment: String
    /// The seed (hex), revealed when the shift closes; nil while open.
    public var seed: String?
    /// Draws made so far.
    public var draws: UInt64
}

/// A checked-in vehicle in the queue (or done).
public struct TicketView: Hashable, Sendable, Codable {
    public var queueNumber: Int
    public var plate: String
    public var vehicle: Vehicle
    /// `walk_in`, `appointment` or `retest`.
    public var arrival: String
    /// The failed attempt this one re-tests.
    public var retestOf: String?
    /// Stations this attempt runs (all of the lane's for a first attempt; those with failed items for a re-test).
    public var stations: [String]?
    /// `waiting`, `assigned`, `picked_up`, `at_lane_entry`, `called`, `in_lane`, `exited_lane`, `parked`, `done`,
    /// `withdrawn`.
    public var state: String
    public var lane: String?
    public var driver: String?
    /// The inspection opened for it (when it entered a lane).
    public var inspection: String?
    public var checkedInAtMs: Int64
    /// Seconds from check-in to lane entry (still counting while it waits).
    public var waitedSeconds: Int
    public var scenario: String?
}

/// What a driver's handheld shows now: one prompt, one acknowledge button.
public struct DriverTask: Hashable, Sendable, Codable {
    /// Send this back with the acknowledgement. Unique in the journal.
    public var promptID: String
    public var driver: String
    /// `collect_key`, `wrong_vehicle`, `drive_to_lane`, `wait_at_entry`, `enter_lane`, `station`, `station_done`,
    /// `drive_to_exit`, `park`, `return_key`, `released`, `inspection_aborted`.
    public var step: String
    public var zh: String
    public var en: String
    public var plate: String
    public var queueNumber: Int
    public var lane: String
    /// The station the vehicle is at (`station`, `station_done`).
    public var station: String?
    /// The acknowledgement must carry the plate as read off the vehicle (`collect_key`, `wrong_vehicle`).
    public var needsPlateConfirmation: Bool
    /// False for a prompt that needs no button (the rig sees when it is done; "wait at the entry").
    public var expectsAcknowledgement: Bool
    /// The bay to park in (`park`, `return_key`).
    public var bay: String?
    public var inspection: String?
    /// When the prompt was issued (wall clock, ms since the epoch).
    public var issuedAtMs: Int64
}

/// One judged item as it landed.
public struct ItemView: Hashable, Sendable, Codable {
    /// `brake.axle1.rate` …
    public var item: String
    public var station: String
    /// `pass`, `fail`, `incomplete`, `not_applicable`.
    public var verdict: String
    public var value: Double?
    public var unit: String
    /// The limit as text (`≥ 60`, `≤ 20`, `[-170, 350]`).
    public var limit: String?
    public var clause: String
    public var zh: String
    public var en: String
    /// Set when the data-quality gate made it incomplete.
    public var qualityReason: LocalizedText?
}

/// The vehicle on a lane now.
public struct LaneRunView: Hashable, Sendable, Codable {
    public var queueNumber: Int
    public var plate: String
    public var inspection: String
    public var attempt: Int
    public var retestOf: String?
    public var driver: String
    /// The stations of this attempt, in drive order.
    public var stations: [String]
    /// The station the vehicle is at, nil before the first and after the last.
    public var station: String?
    /// `testing`, `awaiting_repeat`, `station_done`, `leaving`, `finished`.
    public var state: String
    /// The procedure's current prompt (what the lane display shows).
    public var prompt: LocalizedText?
    /// The last aborted step and why, while it waits for a repeat.
    public var abortedStep: String?
    public var abortReason: LocalizedText?
    public var verdicts: [ItemView]
    /// `pass`, `fail`, `incomplete`, `aborted` once decided.
    public var outcome: String?
}

/// One lane of the station.
public struct LaneView: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var stations: [String]
    /// `idle`, `called` (the next vehicle was called in), `busy`.
    public var state: String
    public var current: LaneRunView?
    /// The called vehicle (plate) that has not entered yet.
    public var calledPlate: String?
    /// Queue numbers of vehicles waiting at the entry, in order.
    public var waitingAtEntry: [Int]
    /// Inspections finished on this lane in this process.
    public var finishedCount: Int
}

/// A queue row for the console.
public struct QueueEntryView: Hashable, Sendable, Codable {
    public var queueNumber: Int
    public var plate: String
    public var waitedSeconds: Int
    public var state: String
    public var lane: String?
    public var driver: String?
    public var arrival: String
}

/// A driver for the console.
public struct DriverView: Hashable, Sendable, Codable {
    public var id: String
    public var nameZh: String
    public var nameEn: String
    /// Valet's driver states: `free`, `assigned`, `picked_up`, `at_lane_entry`, `in_lane`, `exited_lane`, `parked`,
    /// `unresponsive`, `on_break`, `signed_out`; `off_shift` when no shift is open.
    public var state: String
    public var queueNumber: Int?
    public var task: DriverTask?
}

/// Something the operator must see: a rig command that could not be sent, a journal write that failed,
/// a step aborted by a rig fault, the data-quality gate refusing a measurement.
public struct AlarmView: Hashable, Sendable, Codable {
    public var id: Int
    /// `warning` or `error`.
    public var severity: String
    /// Where: a lane, a rig, `journal`, `dispatch`.
    public var source: String
    public var zh: String
    public var en: String
    public var raisedAtMs: Int64
    /// False once the cause went away (kept in the list for the record).
    public var active: Bool
    /// How many times the same alarm was raised.
    public var count: Int
}

/// Everything the console shows, at one instant.
public struct StationSnapshot: Hashable, Sendable, Codable {
    public var stationName: String
    public var stationNameEn: String?
    public var ruleset: String
    public var shift: ShiftView?
    public var lanes: [LaneView]
    /// Vehicles not yet done, in queue order.
    public var queue: [QueueEntryView]
    public var drivers: [DriverView]
    /// Newest first.
    public var alarms: [AlarmView]
    /// Journal entries waiting to be written, and writes that failed so far.
    public var journalPending: Int
    public var journalFailures: Int
    public var atMs: Int64
}

/// Something that happened, as it happened (the console's live feed, the handheld, the lane display).
/// A flat record: `type` says which of the optional fields are set.
public struct StationEvent: Hashable, Sendable, Codable {
    /// The kinds of event.
    public enum Kind: String, Hashable, Sendable, Codable {
        case shiftOpened = "shift_opened", shiftClosed = "shift_closed"
        /// A vehicle was checked in (`ticket`).
        case checkedIn = "checked_in"
        /// A driver was drawn (or assigned by hand) for a vehicle (`driver`, `queue_number`, `lane`).
        case assigned
        /// A driver lost a vehicle (`driver`, `queue_number`, `text`: why).
        case released
        /// A driver's handheld shows a new task (`task`); `task` nil: the driver has nothing to do.
        case task
        /// A lane calls the next vehicle (`plate`, `lane`, `text`: "鲁G·12345 请到1号线").
        case called
        /// A vehicle drove onto a lane; an inspection opened (`inspection`).
        case entered
        /// A station started for the vehicle (`station`).
        case stationStarted = "station_started"
        /// The procedure's prompt for the lane display (`text`, `station`).
        case prompt
        /// A measurement completed (`station`, `text`: what).
        case measured
        /// A step was aborted safely and waits for a repeat (`text`: why).
        case stepAborted = "step_aborted"
        /// An item verdict landed (`verdict`).
        case verdict
        /// The station's procedure is done (`station`).
        case stationFinished = "station_finished"
        /// The inspection's outcome (`outcome`).
        case inspectionFinished = "inspection_finished"
        /// The vehicle left the lane; the lane is free.
        case exited
        /// The key is back; the vehicle is done (`queue_number`).
        case vehicleDone = "vehicle_done"
        /// An operator action (`text`: what, `user`).
        case operatorAction = "operator_action"
        case alarm
    }

    public var type: Kind
    public var atMs: Int64
    public var lane: String?
    public var queueNumber: Int?
    public var plate: String?
    public var driver: String?
    public var inspection: String?
    public var station: String?
    public var user: String?
    public var outcome: String?
    public var text: LocalizedText?
    public var task: DriverTask?
    public var verdict: ItemView?
    public var ticket: TicketView?
    public var alarm: AlarmView?
    /// `verdict`: the monotonic time (the pollers' clock, `CLOCK_MONOTONIC`) of the last sample behind the item, so
    /// a subscriber can measure the pipeline's latency (`/metrics`: `lane_pipeline_verdict_latency_seconds`). For an
    /// item judged without a further sample (an operator's abort, a station that could not start) the time of that
    /// call; nil when there was none.
    public var lastSampleTime: MonotonicInstant?

    init(_ type: Kind, at: Int64) {
        self.type = type
        self.atMs = at
    }
}

/// What the simulation is told about the lanes, so simulated rigs can play the vehicle (`lanectl demo` only).
public enum SimulationCue: Hashable, Sendable {
    /// A vehicle drives onto `lane`: load its scenario on the lane's rigs.
    case vehicleEntering(lane: LaneID, vehicle: Vehicle, scenario: String?)
    /// A procedure shows `prompt` on `lane` (the simulation may need to act as the vehicle, e.g. keep the last
    /// axle on the rollers for the parking brake).
    case prompt(lane: LaneID, prompt: Prompt)
}
