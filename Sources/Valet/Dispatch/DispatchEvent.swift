public import LaneCore

/// Something that happened at the station, with the time it happened. The dispatcher's only input.
public struct DispatchEvent: Hashable, Sendable, Codable {
    /// When it happened (the server's monotonic clock; the simulation's virtual clock).
    public var at: MonotonicInstant
    public var kind: Kind

    public init(_ kind: Kind, at: MonotonicInstant) {
        self.kind = kind
        self.at = at
    }

    /// The kinds of event, from the desk, the handhelds, the lanes, the operator and the timer.
    public enum Kind: Hashable, Sendable, Codable {
        /// The owner hands over the key at the desk.
        indirect case checkIn(vehicle: Vehicle, arrival: Arrival)  // indirect: every other event stays small
        case driverSignedIn(driver: DriverID)
        case driverSignedOut(driver: DriverID)
        case driverOnBreak(driver: DriverID)
        /// Back from a break, or answering again after a missed confirmation.
        case driverAvailable(driver: DriverID)
        case laneOpened(lane: LaneID)
        case laneClosed(lane: LaneID)
        /// The driver has the key and the car and confirms the plate on the handheld.
        case pickupConfirmed(driver: DriverID, plate: String)
        case arrivedAtLaneEntry(driver: DriverID)
        /// The lane reports the vehicle on its first station.
        case enteredLane(driver: DriverID)
        /// The driver acknowledged the prompts of one station.
        case stationAcknowledged(driver: DriverID, station: String)
        case exitedLane(driver: DriverID)
        case parked(driver: DriverID, bay: String)
        /// The key is back at the desk: the vehicle is done, the driver is free.
        case keyReturned(driver: DriverID)
        /// The operator takes a vehicle from its driver: to `to` when given, else by a new draw.
        case reassign(queueNumber: Int, to: DriverID?, reason: String, operator: String)
        /// The vehicle leaves the queue (the owner takes it back).
        case withdraw(queueNumber: Int, reason: String)
        /// Time passes: confirmations due by now are evaluated. Journaled only when it changes something.
        case tick
    }
}

/// How a vehicle came to the station.
public enum Arrival: Hashable, Sendable, Codable {
    /// Booked for `due`; ahead of the queue from then on.
    case appointment(due: MonotonicInstant)
    case walkIn
    /// A re-test after a failed attempt; the driver of that attempt (if known) may not drive it again.
    case retest(failedAttempt: InspectionID, failedDriver: DriverID?)
}
