public import LaneCore

/// What the dispatcher asks the station to do after an event. Carried out in order.
public enum DispatchAction: Hashable, Sendable {
    /// Append this entry to the journal (before acting on what follows).
    case journal(DispatchJournalEntry)
    /// A check-in was accepted: tell the owner the queue number.
    case queued(queueNumber: Int, plate: String)
    /// An event was refused: show the reason where it came from.
    case refused(Refusal)
    /// A driver takes a vehicle to a lane.
    case assign(Assignment)
    /// Show this on a driver's handheld.
    case prompt(DriverPrompt)
    /// A driver no longer has the vehicle.
    case release(driver: DriverID, queueNumber: Int, reason: ReleaseReason)
    /// The vehicle goes back to the draw (it is assigned again as soon as a lane and a driver allow).
    case redraw(queueNumber: Int, reason: ReleaseReason)
    /// The key is back: hand the vehicle to its owner.
    case vehicleDone(queueNumber: Int)
}

/// A driver taking a vehicle to a lane.
public struct Assignment: Hashable, Sendable, Codable {
    public var queueNumber: Int
    public var plate: String
    public var lane: LaneID
    public var driver: DriverID
    /// The draw that chose the driver; nil for a manual or first-free assignment.
    public var drawNumber: UInt64?
    /// Confirm the pickup by then or the vehicle is redrawn.
    public var confirmBy: MonotonicInstant
}

/// Why a driver lost a vehicle.
public enum ReleaseReason: String, Hashable, Sendable, Codable {
    case confirmationTimedOut = "confirmation_timed_out"
    case operatorReassigned = "operator_reassigned"
    case withdrawn
}

/// A refused event, with the reason in Chinese and English.
public struct Refusal: Hashable, Sendable, Codable, Error, CustomStringConvertible {
    /// A stable code for programs (`plate`, `vin`, `unknown_driver`, `wrong_state` …).
    public var code: String
    /// Where: the field or the driver or the queue number concerned.
    public var subject: String
    public var zh: String
    public var en: String

    public init(code: String, subject: String, zh: String, en: String) {
        self.code = code
        self.subject = subject
        self.zh = zh
        self.en = en
    }
    public var description: String { "\(code) [\(subject)]: \(en) / \(zh)" }
}

/// A prompt for a driver's handheld.
public struct DriverPrompt: Hashable, Sendable, Codable {
    /// The steps of the driver's flow.
    public enum Step: String, Hashable, Sendable, Codable {
        case collectKey = "collect_key"
        case driveToLane = "drive_to_lane"
        case waitAtEntry = "wait_at_entry"
        case station
        case driveToExit = "drive_to_exit"
        case park
        case returnKey = "return_key"
        case released
        case wrongVehicle = "wrong_vehicle"
    }
    public var driver: DriverID
    public var step: Step
    public var queueNumber: Int
    public var zh: String
    public var en: String
}
