/// A station's configuration: its lanes, the stations of each lane in drive order, the rig on each
/// station and how to reach it, the valet drivers and the ruleset in force.
///
/// Profiles are YAML files under `LaneProfiles/`, loaded and validated by the `Profiles` module
/// (`ProfileLoader`); see `docs/lane-profiles.md`.
public struct LaneProfile: Hashable, Sendable, Codable {
    /// The station's name as shown on the console (`"鲁G 第一检测站"`).
    public var stationName: String
    /// The station's name in English.
    public var stationNameEn: String?
    /// The ruleset in force (`"CN-GB7258-2017"`, `"UK-MOT"`, `"EU-2014-45"`).
    public var ruleset: String
    /// The lanes, in the order the console shows them.
    public var lanes: [Lane]
    /// The station's valet drivers.
    public var drivers: [Driver]
    /// Where the profile came from (path as given to the loader); informational.
    public var source: String?

    public init(
        stationName: String, stationNameEn: String? = nil, ruleset: String, lanes: [Lane], drivers: [Driver],
        source: String? = nil
    ) {
        self.stationName = stationName
        self.stationNameEn = stationNameEn
        self.ruleset = ruleset
        self.lanes = lanes
        self.drivers = drivers
        self.source = source
    }

    /// Every rig of every lane, in lane order then drive order.
    public var rigs: [StationRig] { lanes.flatMap { $0.stations.map(\.rig) } }

    /// The rig with this id, or nil.
    public func rig(_ id: RigID) -> StationRig? { rigs.first { $0.id == id } }

    /// The lane with this id, or nil.
    public func lane(_ id: LaneID) -> Lane? { lanes.first { $0.id == id } }
}

/// One lane: the stations a vehicle passes, in drive order.
public struct Lane: Hashable, Sendable, Codable {
    public var id: LaneID
    /// Name shown to operators and drivers (`"1号线 / Lane 1"`).
    public var name: String
    /// Vehicle categories the lane takes (UN/ECE `M1`, `N1` … or GA 24.4 type-code prefixes `K3`).
    public var vehicleCategories: [String]
    /// The lane's stations in drive order.
    public var stations: [Station]

    public init(id: LaneID, name: String, vehicleCategories: [String], stations: [Station]) {
        self.id = id
        self.name = name
        self.vehicleCategories = vehicleCategories
        self.stations = stations
    }

    /// The station of this kind, or nil when the lane has none.
    public func station(_ kind: StationKind) -> Station? { stations.first { $0.kind == kind } }
}

/// What a station of a lane tests.
public enum StationKind: String, Hashable, Sendable, Codable, CaseIterable {
    case emission
    case headlamp
    case brake

    /// The kind of rig a station of this kind needs.
    public var rigKind: RigKind {
        switch self {
        case .emission: .exhaustAnalyser
        case .headlamp: .headlampTester
        case .brake: .brakeTester
        }
    }
}

/// A station of a lane and the rig installed on it.
public struct Station: Hashable, Sendable, Codable {
    public var kind: StationKind
    public var rig: StationRig
    /// An emission station with a chassis dynamometer: gasoline vehicles get the ASM test
    /// instead of the two-speed idle test (`dynamometer: true` in the lane profile).
    public var dynamometer: Bool

    public init(kind: StationKind, rig: StationRig, dynamometer: Bool = false) {
        self.kind = kind
        self.rig = rig
        self.dynamometer = dynamometer
    }

    enum CodingKeys: String, CodingKey {
        case kind, rig, dynamometer
    }

    /// Decodes a station; `dynamometer` may be absent (profiles written before it existed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(StationKind.self, forKey: .kind)
        rig = try container.decode(StationRig.self, forKey: .rig)
        dynamometer = try container.decodeIfPresent(Bool.self, forKey: .dynamometer) ?? false
    }
}

/// A valet driver of the station.
public struct Driver: Hashable, Sendable, Codable {
    public var id: DriverID
    /// Name in Chinese (`"王伟"`).
    public var nameZh: String
    /// Name in Latin script (`"Wang Wei"`).
    public var nameEn: String

    public init(id: DriverID, nameZh: String, nameEn: String) {
        self.id = id
        self.nameZh = nameZh
        self.nameEn = nameEn
    }
}
