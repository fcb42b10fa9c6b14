import LaneCore
import Rigs
import StationControl

/// What one lane board (`/display/LANE/live`, public) is sent: the lane's layout once, the lane as the
/// controller sees it whenever that changes (the called plate, the vehicle, its step and verdicts, the outcome),
/// and its rigs' sample quality once a second. Nothing about other lanes, the queue or the drivers.
struct LaneBoardFeed {
    struct Hello: Encodable {
        struct Station: Encodable {
            var kind: StationKind
            var rig: RigID
        }
        var type = "hello"
        var lane: LaneID
        var name: String
        var stationName: String
        var stationNameEn: String?
        var stations: [Station]
    }
    struct Rigs: Encodable {
        struct Entry: Encodable {
            var rig: RigID
            var quality: SampleQuality?
        }
        var type = "rigs"
        var rigs: [Entry]
    }

    let lane: LaneID
    let hub: LiveHub
    let station: StationFeed
    private var version: UInt64 = 0
    private var frames = 0

    init(lane: LaneID, hub: LiveHub, station: StationFeed) {
        self.lane = lane
        self.hub = hub
        self.station = station
    }

    func hello() -> String {
        let profile = hub.profile
        let lane = profile.lanes.first { $0.id == self.lane }
        return LiveJSON.encode(Hello(
            lane: self.lane, name: lane?.name ?? self.lane.rawValue, stationName: profile.stationName,
            stationNameEn: profile.stationNameEn,
            stations: lane?.stations.map { Hello.Station(kind: $0.kind, rig: $0.rig.id) } ?? []))
    }

    mutating func nextMessages() -> [String] {
        var messages: [String] = []
        let (version, _, snapshot) = station.current()
        if version != self.version, let snapshot {
            self.version = version
            let view = snapshot.lanes.first { $0.id == lane.rawValue }
            messages.append("{\"type\":\"lane\",\"lane\":\(view.map(StationFeed.encode) ?? "null")}")
        }
        if frames % LiveFeed.healthEvery == 0 {
            let rigs = hub.rigSnapshots().filter { $0.lane == lane }.map { Rigs.Entry(rig: $0.rig, quality: $0.quality) }
            messages.append(LiveJSON.encode(Rigs(rigs: rigs)))
        }
        frames += 1
        return messages
    }
}
