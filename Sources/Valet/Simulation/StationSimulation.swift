public import LaneCore

/// A discrete-event simulation of a station day on a virtual clock, driving the live ``Dispatcher`` with events.
///
/// Vehicles arrive (a Poisson stream with a morning peak, some with appointments, some coming back as
/// re-tests), drivers walk to the car, drive to the lane, go through its stations (a pipeline: a vehicle
/// moves on when the next station is free), park, and bring the key back. Each policy sees the same vehicles
/// with the same service and walking times (common random numbers), so the policies' differences are theirs.
public enum StationSimulation {
    /// The figures of one policy over the simulated days.
    public struct Result: Hashable, Sendable, Codable {
        public var policy: DriverPolicy.Kind
        public var lanes: Int
        public var drivers: Int
        public var days: Int
        /// Vehicles through a lane, all days together.
        public var vehicles: Int
        /// Vehicles through the lanes per hour of the day (the day lasts until the last vehicle leaves its lane).
        public var vehiclesPerHour: Double
        /// Check-in to lane entry.
        public var meanWaitSeconds: Double
        public var p95WaitSeconds: Double
        public var maxWaitSeconds: Double
        /// Share of the day a lane has a vehicle on one of its stations (mean over lanes).
        public var laneUtilisation: Double
        /// Share of the day a driver has a vehicle (mean over drivers).
        public var driverUtilisation: Double
        /// Vehicles redrawn after a missed confirmation, per day.
        public var redrawsPerDay: Double
        /// Hours from opening to the last key returned (mean over days).
        public var dayLengthHours: Double
        /// Events the dispatcher handled.
        public var events: Int
        /// Times a vehicle waited while a lane and a driver for it were free (checked when asked; must be 0).
        public var stalls: Int
        /// Events the dispatcher refused (late confirmations after a redraw).
        public var refusals: Int
    }

    /// Simulates `parameters.days` days under `policy` and aggregates them.
    public static func run(_ parameters: SimulationParameters, policy: DriverPolicy.Kind,
                           checkStalls: Bool = false) -> Result
    {
        var waits: [Double] = []
        var r = Result(policy: policy, lanes: parameters.lanes, drivers: parameters.drivers, days: parameters.days,
                       vehicles: 0, vehiclesPerHour: 0, meanWaitSeconds: 0, p95WaitSeconds: 0, maxWaitSeconds: 0,
                       laneUtilisation: 0, driverUtilisation: 0, redrawsPerDay: 0, dayLengthHours: 0, events: 0,
                       stalls: 0, refusals: 0)
        var vph = 0.0
        for day in 0..<parameters.days {
            var sim = DaySimulation(parameters, policy: policy, day: day, journal: false, checkStalls: checkStalls)
            sim.run()
            waits += sim.waits
            r.vehicles += sim.throughLane
            vph += Double(sim.throughLane) / (max(parameters.hours * 3600, sim.lastExit) / 3600)
            r.laneUtilisation += sim.laneBusy.reduce(0, +) / (Double(parameters.lanes) * sim.clock)
            r.driverUtilisation += sim.driverBusy / (Double(parameters.drivers) * sim.clock)
            r.redrawsPerDay += Double(sim.redraws)
            r.dayLengthHours += sim.clock / 3600
            r.events += sim.events
            r.stalls += sim.stalls
            r.refusals += sim.refusals
        }
        let days = Double(max(1, parameters.days))
        r.vehiclesPerHour = vph / days
        r.laneUtilisation /= days
        r.driverUtilisation /= days
        r.redrawsPerDay /= days
        r.dayLengthHours /= days
        if !waits.isEmpty {
            waits.sort()
            r.meanWaitSeconds = waits.reduce(0, +) / Double(waits.count)
            r.p95WaitSeconds = waits[min(waits.count - 1, Int((Double(waits.count) * 0.95).rounded(.up)) - 1)]
            r.maxWaitSeconds = waits[waits.count - 1]
        }
        return r
    }

    /// One day under `policy` with its shift journal (opened, every entry, closed): what `dispatch verify` reads.
    public static func journalOfDay(_ parameters: SimulationParameters, policy: DriverPolicy.Kind, day: Int = 0)
        -> [DispatchJournalEntry]
    {
        var sim = DaySimulation(parameters, policy: policy, day: day, journal: true, checkStalls: false)
        sim.run()
        return sim.journal
    }

    /// The shift id the simulation gives day `day` of seed `seed`.
    public static func shiftID(seed: UInt64, day: Int) -> ShiftID { ShiftID("sim-\(seed)-day\(day)") }

    /// The roster the simulation uses: `D01`, `D02` …
    public static func driverIDs(_ count: Int) -> [DriverID] {
        (1...max(1, count)).map { DriverID($0 < 10 ? "D0\($0)" : "D\($0)") }
    }
}
