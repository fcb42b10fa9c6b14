/// A station day to simulate. Times in seconds; distributions log-normal with the given mean and
/// coefficient of variation (cv).
public struct SimulationParameters: Hashable, Sendable, Codable {
    public var lanes = 2
    public var drivers = 8
    /// Mean arrivals per hour over the day (the morning peak is part of it, not on top of it).
    public var arrivalsPerHour = 24.0
    /// Hours the desk takes vehicles; the simulation runs until the last key is back.
    public var hours = 8.0
    /// Arrival rate in the peak relative to the day's mean.
    public var peakFactor = 1.6
    /// When the peak starts (hours after opening) and how long it lasts.
    public var peakStartHours = 0.5
    public var peakHours = 2.0
    /// Share of arrivals with an appointment; they are due between 5 minutes before and 15 after arriving.
    public var appointmentShare = 0.3
    /// Share of vehicles that fail and come back the same day, 30 to 120 minutes later, as re-tests.
    public var retestShare = 0.08
    /// Chance that an assigned driver never confirms (the vehicle is redrawn after the time-out).
    public var noConfirmShare = 0.02
    public var confirmTimeoutSeconds = 180
    /// A driver who timed out is back after this long.
    public var unresponsiveSeconds = 300.0
    /// The lane's stations in drive order with their service times (driving onto the station included).
    public var stations: [StationTime] = [
        StationTime(name: "brake", meanSeconds: 95, cv: 0.25),  // weigh, drag, brake per axle, parking brake
        StationTime(name: "headlamp", meanSeconds: 45, cv: 0.3),  // low and high beam, both lamps
        StationTime(name: "emission", meanSeconds: 130, cv: 0.3),  // ASM / double idle, or free acceleration
    ]
    /// Desk to key to car in the car park.
    public var walkToCar = StationTime(name: "walk_to_car", meanSeconds: 90, cv: 0.3)
    public var driveToLane = StationTime(name: "drive_to_lane", meanSeconds: 50, cv: 0.3)
    public var park = StationTime(name: "park", meanSeconds: 60, cv: 0.3)
    /// Bay back to the desk with the key.
    public var walkBack = StationTime(name: "walk_back", meanSeconds: 75, cv: 0.3)
    /// Simulated days averaged into the figures (common random numbers across policies).
    public var days = 20
    public var seed: UInt64 = 1

    public init() {}

    /// Mean seconds in the lane per vehicle (sum of the stations).
    public var meanLaneSeconds: Double { stations.reduce(0) { $0 + $1.meanSeconds } }
}

/// A log-normally distributed duration.
public struct StationTime: Hashable, Sendable, Codable {
    public var name: String
    public var meanSeconds: Double
    public var cv: Double
    public init(name: String, meanSeconds: Double, cv: Double) {
        self.name = name
        self.meanSeconds = meanSeconds
        self.cv = cv
    }
}
