import Foundation
public import LaneCore
public import Rigs

/// The JSON the server speaks: `GET /api/profile`, `GET /api/rigs` and the `/live` feed. Keys are
/// snake_case (the encoder converts); durations are in seconds. See docs/api.md.
enum LiveJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    static func encode(_ value: some Encodable) -> String {
        // The views below hold only strings, numbers and arrays: encoding cannot fail.
        (try? String(decoding: encoder().encode(value), as: UTF8.self)) ?? "{}"
    }
}

/// `GET /api/profile`: the station, its lanes, stations and rigs with their channels.
public struct ProfileView: Encodable, Sendable {
    public struct ChannelView: Encodable, Sendable {
        var name: String
        var unit: String
        var minimum: Double?
        var maximum: Double?
        var description: String?
    }
    public struct RigView: Encodable, Sendable {
        var id: RigID
        var model: String
        var kind: String
        var transport: String
        var unitId: Int
        var pollPeriodSeconds: Double
        var channels: [ChannelView]
        var commands: [String]
    }
    public struct StationView: Encodable, Sendable {
        var kind: StationKind
        var rig: RigView
    }
    public struct LaneView: Encodable, Sendable {
        var id: LaneID
        var name: String
        var vehicleCategories: [String]
        var stations: [StationView]
    }
    public struct DriverView: Encodable, Sendable {
        var id: DriverID
        var nameZh: String
        var nameEn: String
    }
    var stationName: String
    var stationNameEn: String?
    var ruleset: String
    /// `zh` under a Chinese ruleset (`CN-…`), else `en`: the language the pages open in.
    var language: String
    var lanes: [LaneView]
    var drivers: [DriverView]

    /// The view of `profile`.
    public init(_ profile: LaneProfile) {
        stationName = profile.stationName
        stationNameEn = profile.stationNameEn
        ruleset = profile.ruleset
        language = profile.ruleset.uppercased().hasPrefix("CN") ? "zh" : "en"
        lanes = profile.lanes.map { lane in
            LaneView(
                id: lane.id, name: lane.name, vehicleCategories: lane.vehicleCategories,
                stations: lane.stations.map { station in
                    let rig = station.rig
                    return StationView(
                        kind: station.kind,
                        rig: RigView(
                            id: rig.id, model: rig.model, kind: rig.map.kind.rawValue, transport: rig.transport.description,
                            unitId: rig.unitID, pollPeriodSeconds: rig.pollPeriod.seconds,
                            channels: rig.map.channels.map {
                                ChannelView(
                                    name: $0.name, unit: $0.unit, minimum: $0.minimum, maximum: $0.maximum,
                                    description: $0.description)
                            },
                            commands: rig.map.commands.map(\.name)))
                })
        }
        drivers = profile.drivers.map { DriverView(id: $0.id, nameZh: $0.nameZh, nameEn: $0.nameEn) }
    }
}

/// Poll statistics of one link, durations in seconds.
public struct LinkStatisticsView: Encodable, Sendable {
    public struct Summary: Encodable, Sendable {
        var count: UInt64
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double
        var mean: Double
        init(_ s: DurationSummary) {
            count = s.count
            p50 = s.p50.seconds
            p90 = s.p90.seconds
            p99 = s.p99.seconds
            p999 = s.p999.seconds
            max = s.max.seconds
            mean = s.mean.seconds
        }
    }
    public struct RigCounters: Encodable, Sendable {
        var rig: RigID
        var unitId: UInt8
        var polls: UInt64
        var good: UInt64
        var outOfRange: UInt64
        var timeouts: UInt64
        var failures: UInt64
        var commandsWritten: UInt64
        var commandFailures: UInt64
        var online: Bool
        var lastError: String?
    }
    var name: String
    var transport: String
    var periodSeconds: Double
    var realTime: String
    var cycles: UInt64
    var missedDeadlines: UInt64
    var skippedCycles: UInt64
    var reconnects: Int
    var failedConnects: Int
    var periodError: Summary
    var cycleTime: Summary
    var rigs: [RigCounters]

    /// The view of `s`.
    public init(_ s: LinkStatistics) {
        name = s.name
        transport = s.transport
        periodSeconds = s.period.seconds
        realTime = s.realTime.description
        cycles = s.cycles
        missedDeadlines = s.missedDeadlines
        skippedCycles = s.skippedCycles
        reconnects = s.reconnects
        failedConnects = s.failedConnects
        periodError = Summary(s.periodError)
        cycleTime = Summary(s.cycleTime)
        rigs = s.rigs.map {
            RigCounters(
                rig: $0.rig, unitId: $0.unitID, polls: $0.polls, good: $0.good, outOfRange: $0.outOfRange,
                timeouts: $0.timeouts, failures: $0.failures, commandsWritten: $0.commandsWritten,
                commandFailures: $0.commandFailures, online: $0.online, lastError: $0.lastError)
        }
    }
}

/// `GET /api/rigs`: every rig's latest sample and its link's statistics.
struct RigsView: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        var rig: RigID
        var lane: LaneID
        var station: StationKind
        var channels: [String]
        var sample: RigSnapshot
        var link: String?
    }
    var rigs: [Entry]
    var links: [LinkStatisticsView]
    var samplesReceived: UInt64

    init(hub: LiveHub) {
        let snapshots = hub.rigSnapshots()
        let stats = hub.linkStatistics()
        let channels = Dictionary(uniqueKeysWithValues: hub.profile.rigs.map { ($0.id, $0.map.channels.map(\.name)) })
        rigs = snapshots.map { snapshot in
            Entry(
                rig: snapshot.rig, lane: snapshot.lane, station: snapshot.station, channels: channels[snapshot.rig] ?? [],
                sample: snapshot, link: stats.first { $0.rigs.contains { $0.rig == snapshot.rig } }?.name)
        }
        links = stats.map(LinkStatisticsView.init)
        samplesReceived = hub.samplesReceived
    }
}

/// One `/live` message (`type`: `hello`, `samples`, `health`; ``StationFeed`` writes `station` and `events`).
struct LiveMessage: Encodable, Sendable {
    /// A rig's latest sample in a `samples` message.
    struct RigSample: Encodable, Sendable {
        var rig: RigID
        var seq: UInt64
        var t: Double
        var quality: SampleQuality
        var values: [Double]
    }
    /// New brake trace points of one rig: `[t, left, right]` rows (seconds, daN, daN).
    struct Trace: Encodable, Sendable {
        var rig: RigID
        var points: [[Double]]
    }
    /// A rig's health in a `health` message.
    struct RigHealth: Encodable, Sendable {
        var rig: RigID
        var quality: SampleQuality?
        var staleForSeconds: Double?
        var online: Bool
        var timeouts: UInt64
        var failures: UInt64
        var polls: UInt64
        var link: String?
    }

    var type: String
    var profile: ProfileView?
    var samples: [RigSample]?
    var traces: [Trace]?
    var rigs: [RigHealth]?
    var links: [LinkStatisticsView]?
}
