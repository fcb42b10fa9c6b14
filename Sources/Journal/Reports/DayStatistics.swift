import GRDB
import LaneCore

/// Summary of a set of durations, in seconds.
public struct DurationSummary: Hashable, Sendable, Codable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var p90: Double
    public var max: Double

    /// Summarizes `seconds` (all zero for an empty set).
    public init(_ seconds: [Double]) {
        let sorted = seconds.sorted()
        count = sorted.count
        guard !sorted.isEmpty else {
            mean = 0
            median = 0
            p90 = 0
            max = 0
            return
        }
        mean = sorted.reduce(0, +) / Double(sorted.count)
        median = Self.quantile(sorted, 0.5)
        p90 = Self.quantile(sorted, 0.9)
        max = sorted.last!
    }

    /// Nearest-rank quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }
}

/// Counts of outcomes for a group (a lane, a driver, the whole day).
public struct OutcomeCounts: Hashable, Sendable, Codable {
    public var attempts = 0
    public var pass = 0
    public var fail = 0
    public var incomplete = 0
    public var aborted = 0
    public var interrupted = 0
    /// Still open.
    public var open = 0

    /// `pass / (pass + fail)`: the share of judged attempts that passed; nil when none was judged.
    public var passRate: Double? { pass + fail == 0 ? nil : Double(pass) / Double(pass + fail) }

    mutating func add(_ status: InspectionStatus?) {
        attempts += 1
        switch status {
        case .pass?: pass += 1
        case .fail?: fail += 1
        case .incomplete?: incomplete += 1
        case .aborted?: aborted += 1
        case .interrupted?: interrupted += 1
        case nil: open += 1
        }
    }

    enum CodingKeys: String, CodingKey {
        case attempts, pass, fail, incomplete, aborted, interrupted, open
        case passRate = "pass_rate"
    }

    public init() {}
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        attempts = try c.decode(Int.self, forKey: .attempts)
        pass = try c.decode(Int.self, forKey: .pass)
        fail = try c.decode(Int.self, forKey: .fail)
        incomplete = try c.decode(Int.self, forKey: .incomplete)
        aborted = try c.decode(Int.self, forKey: .aborted)
        interrupted = try c.decode(Int.self, forKey: .interrupted)
        open = try c.decode(Int.self, forKey: .open)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(pass, forKey: .pass)
        try c.encode(fail, forKey: .fail)
        try c.encode(incomplete, forKey: .incomplete)
        try c.encode(aborted, forKey: .aborted)
        try c.encode(interrupted, forKey: .interrupted)
        try c.encode(open, forKey: .open)
        try c.encode(passRate, forKey: .passRate)
    }
}

/// Verdict counts of one item id over the day (current items only, corrections applied).
public struct ItemCounts: Hashable, Sendable, Codable {
    public var pass = 0
    public var fail = 0
    public var incomplete = 0
    public var notApplicable = 0
    /// `pass / (pass + fail)`, nil when none was judged.
    public var passRate: Double? { pass + fail == 0 ? nil : Double(pass) / Double(pass + fail) }

    enum CodingKeys: String, CodingKey {
        case pass, fail, incomplete
        case notApplicable = "not_applicable"
    }
}

/// The statistics of a day (or any period) as the inspectors' daily report shows them.
public struct DayStatistics: Hashable, Sendable, Codable {
    public var from: WallTime
    public var to: WallTime
    /// Distinct vehicles with an attempt opened in the period.
    public var vehicles: Int
    /// All attempts opened in the period.
    public var overall: OutcomeCounts
    /// First attempts only (the first-time pass rate).
    public var firstAttempts: OutcomeCounts
    public var byLane: [String: OutcomeCounts]
    /// By the driver assigned to the attempt (attempts without an assignment under `"-"`).
    public var byDriver: [String: OutcomeCounts]
    public var byItem: [String: ItemCounts]
    /// From the vehicle's arrival to the start of its first attempt.
    public var waiting: DurationSummary
    /// From an attempt's start to its outcome (closed attempts).
    public var laneTime: DurationSummary
    /// Lane time per lane.
    public var laneTimeByLane: [String: DurationSummary]
    /// Waiting time per lane (of the vehicle's first attempt).
    public var waitingByLane: [String: DurationSummary] = [:]
    /// Lane time per driver assigned (`"-"` without an assignment).
    public var laneTimeByDriver: [String: DurationSummary] = [:]
    /// Vehicles by the local hour of day (0–23) their first attempt in the period opened.
    public var vehiclesByHour: [Int] = Array(repeating: 0, count: 24)
    /// Vehicles by local date (`2026-11-21`) of their first attempt in the period.
    public var vehiclesByDay: [String: Int] = [:]
    /// Attempts with at least one current failed item of a cause. The cause of item `brake.axle1.imbalance`
    /// is its station and what it measures: `brake.imbalance`.
    public var failuresByCause: [String: Int] = [:]
    /// The offset from UTC, in seconds, that hours and dates are counted in (the station's local time).
    public var utcOffsetSeconds: Int = 0

    /// The cause an item id counts under in ``failuresByCause``: first and last dotted components.
    public static func cause(of item: String) -> String {
        let parts = item.split(separator: ".")
        guard parts.count > 2, let first = parts.first, let last = parts.last else { return item }
        return "\(first).\(last)"
    }

    enum CodingKeys: String, CodingKey {
        case from, to, vehicles, overall, waiting
        case waitingByLane = "waiting_by_lane"
        case laneTimeByDriver = "lane_time_by_driver"
        case vehiclesByHour = "vehicles_by_hour"
        case vehiclesByDay = "vehicles_by_day"
        case failuresByCause = "failures_by_cause"
        case utcOffsetSeconds = "utc_offset_s"
        case firstAttempts = "first_attempts"
        case byLane = "by_lane"
        case byDriver = "by_driver"
        case byItem = "by_item"
        case laneTime = "lane_time"
        case laneTimeByLane = "lane_time_by_lane"
    }
}

extension Journal {
    /// Statistics of the attempts opened in `[from, to)`.
    /// - Parameter utcOffsetSeconds: The station's offset from UTC, for the hour-of-day and date buckets.
    public func statistics(from: WallTime, to: WallTime, utcOffsetSeconds: Int = 0) throws -> DayStatistics {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT i.id, i.vehicle_id, i.lane, i.attempt, i.opened_at, v.arrived_at, o.status, o.closed_at,
                           (SELECT a.driver FROM assignments a WHERE a.inspection_id = i.id
                            ORDER BY a.journal_seq LIMIT 1) AS driver
                    FROM inspections i JOIN vehicles v ON v.id = i.vehicle_id
                    LEFT JOIN inspection_outcomes o ON o.inspection_id = i.id
                    WHERE i.opened_at >= ? AND i.opened_at < ?
                    ORDER BY i.opened_at
                    """, arguments: [from.milliseconds, to.milliseconds])
            var vehicles = Set<String>()
            var overall = OutcomeCounts()
            var first = OutcomeCounts()
            var byLane: [String: OutcomeCounts] = [:]
            var byDriver: [String: OutcomeCounts] = [:]
            var waiting: [Double] = []
            var laneTime: [Double] = []
            var laneTimeByLane: [String: [Double]] = [:]
            var waitingByLane: [String: [Double]] = [:]
            var laneTimeByDriver: [String: [Double]] = [:]
            var firstOpened: [String: Int64] = [:]
            for row in rows {
                let status = (row["status"] as String?).flatMap(InspectionStatus.init(rawValue:))
                let lane: String = row["lane"]
                let attempt: Int = row["attempt"]
                let opened: Int64 = row["opened_at"]
                let vehicle: String = row["vehicle_id"]
                let driver = (row["driver"] as String?) ?? "-"
                vehicles.insert(vehicle)
                firstOpened[vehicle] = Swift.min(firstOpened[vehicle] ?? opened, opened)
                overall.add(status)
                byLane[lane, default: .init()].add(status)
                byDriver[driver, default: .init()].add(status)
                if attempt == 1 {
                    first.add(status)
                    let arrived: Int64 = row["arrived_at"]
                    waiting.append(Double(opened - arrived) / 1000)
                    waitingByLane[lane, default: []].append(Double(opened - arrived) / 1000)
                }
                if let closed = row["closed_at"] as Int64? {
                    let seconds = Double(closed - opened) / 1000
                    laneTime.append(seconds)
                    laneTimeByLane[lane, default: []].append(seconds)
                    laneTimeByDriver[driver, default: []].append(seconds)
                }
            }
            var byItem: [String: ItemCounts] = [:]
            let items = try Row.fetchAll(
                db,
                sql: """
                    SELECT it.item, it.verdict, COUNT(*) AS n FROM items it JOIN inspections i ON i.id = it.inspection_id
                    WHERE i.opened_at >= ? AND i.opened_at < ?
                    AND NOT EXISTS (SELECT 1 FROM items c WHERE c.corrects = it.journal_seq)
                    GROUP BY it.item, it.verdict
                    """, arguments: [from.milliseconds, to.milliseconds])
            for row in items {
                let n: Int = row["n"]
                let item: String = row["item"]
                switch ItemVerdict(rawValue: row["verdict"]) {
                case .pass?: byItem[item, default: .init()].pass += n
                case .fail?: byItem[item, default: .init()].fail += n
                case .incomplete?: byItem[item, default: .init()].incomplete += n
                case .notApplicable?: byItem[item, default: .init()].notApplicable += n
                case nil: break
                }
            }
            var failuresByCause: [String: Int] = [:]
            let failed = try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT it.inspection_id, it.item FROM items it JOIN inspections i ON i.id = it.inspection_id
                    WHERE i.opened_at >= ? AND i.opened_at < ? AND it.verdict = 'fail'
                    AND NOT EXISTS (SELECT 1 FROM items c WHERE c.corrects = it.journal_seq)
                    """, arguments: [from.milliseconds, to.milliseconds])
            var causesSeen = Set<[String]>()
            for row in failed {
                let cause = DayStatistics.cause(of: row["item"])
                if causesSeen.insert([row["inspection_id"], cause]).inserted { failuresByCause[cause, default: 0] += 1 }
            }
            var statistics = DayStatistics(
                from: from, to: to, vehicles: vehicles.count, overall: overall, firstAttempts: first, byLane: byLane,
                byDriver: byDriver, byItem: byItem, waiting: DurationSummary(waiting), laneTime: DurationSummary(laneTime),
                laneTimeByLane: laneTimeByLane.mapValues(DurationSummary.init))
            statistics.waitingByLane = waitingByLane.mapValues(DurationSummary.init)
            statistics.laneTimeByDriver = laneTimeByDriver.mapValues(DurationSummary.init)
            statistics.failuresByCause = failuresByCause
            statistics.utcOffsetSeconds = utcOffsetSeconds
            for opened in firstOpened.values {
                let local = WallTime(milliseconds: opened + Int64(utcOffsetSeconds) * 1000)
                statistics.vehiclesByHour[StatisticsPeriod.hourOfDay(local)] += 1
                statistics.vehiclesByDay[StatisticsPeriod.dateString(local), default: 0] += 1
            }
            return statistics
        }
    }
}
