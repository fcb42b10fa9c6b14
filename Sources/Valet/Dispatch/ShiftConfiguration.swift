public import LaneCore

/// One shift of the station: the draws of a shift share one seed.
public struct ShiftID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A lane as the dispatcher sees it: what it takes and how many vehicles may queue at its entry.
public struct LaneSetup: Hashable, Sendable, Codable {
    public var id: LaneID
    /// The lane's stations in drive order (`brake`, `headlamp`, `emission`): the driver acknowledges each.
    public var stations: [String]
    /// Vehicle categories (`M1`, `N1` …) or type codes (`K33` …) the lane takes; empty takes every vehicle.
    public var categories: [String]
    /// Vehicles that may be on their way to, or waiting at, the lane entry at once (1: the next vehicle is
    /// called when the previous one has entered the first station).
    public var entryLimit: Int

    public init(id: LaneID, stations: [String] = ["brake", "headlamp", "emission"], categories: [String] = [],
                entryLimit: Int = 1)
    {
        self.id = id
        self.stations = stations
        self.categories = categories
        self.entryLimit = entryLimit
    }

    /// Whether the lane takes `vehicle` (by its category or its type code).
    public func takes(_ vehicle: Vehicle) -> Bool {
        if categories.isEmpty { return true }
        if let c = vehicle.category, categories.contains(c) { return true }
        if let t = vehicle.typeCode, categories.contains(t) { return true }
        return false
    }
}

/// How a free driver is chosen for a vehicle.
public struct DriverPolicy: Hashable, Sendable, Codable {
    /// The three policies the station can run (and the simulation compares).
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// Uniform draw among every eligible free driver (the auditable policy).
        case pooledRandom = "pooled_random"
        /// Each driver belongs to one lane; uniform draw among that lane's eligible free drivers.
        case fixedToLanes = "fixed_to_lanes"
        /// The eligible driver free the longest takes the vehicle (round robin); not random, not auditable.
        case firstFree = "first_free"
    }
    public var kind: Kind
    /// For ``Kind/fixedToLanes``: each driver's lane, keyed by driver id.
    public var homeLanes: [String: LaneID]

    public init(_ kind: Kind, homeLanes: [String: LaneID] = [:]) {
        self.kind = kind
        self.homeLanes = homeLanes
    }

    /// Drivers to lanes in blocks: with 8 drivers and 2 lanes, the first 4 (by id) go to the first lane.
    public static func fixed(drivers: [DriverID], lanes: [LaneID]) -> DriverPolicy {
        let sorted = drivers.sorted()
        var map: [String: LaneID] = [:]
        let perLane = max(1, (sorted.count + lanes.count - 1) / max(1, lanes.count))
        for (i, d) in sorted.enumerated() { map[d.rawValue] = lanes[min(lanes.count - 1, i / perLane)] }
        return DriverPolicy(.fixedToLanes, homeLanes: map)
    }
}

/// Everything a shift's dispatcher is built from; journaled when the shift opens, so a verifier rebuilds
/// the same dispatcher and replays the shift.
public struct ShiftConfiguration: Hashable, Sendable, Codable {
    public var shift: ShiftID
    public var lanes: [LaneSetup]
    /// The drivers on the roster of this shift.
    public var drivers: [DriverID]
    public var policy: DriverPolicy
    public var plateRuleset: PlateRuleset
    /// Seconds a driver has to confirm the plate after being assigned before the vehicle is redrawn.
    public var confirmTimeoutSeconds: Int
    /// Whether the roster's drivers are free when the shift opens (otherwise they sign in).
    public var driversStartFree: Bool

    public init(shift: ShiftID, lanes: [LaneSetup], drivers: [DriverID], policy: DriverPolicy = .init(.pooledRandom),
                plateRuleset: PlateRuleset = .china, confirmTimeoutSeconds: Int = 180, driversStartFree: Bool = true)
    {
        self.shift = shift
        self.lanes = lanes
        self.drivers = drivers
        self.policy = policy
        self.plateRuleset = plateRuleset
        self.confirmTimeoutSeconds = confirmTimeoutSeconds
        self.driversStartFree = driversStartFree
    }
}
