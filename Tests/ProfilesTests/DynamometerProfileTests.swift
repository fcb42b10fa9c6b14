import Foundation
import LaneCore
import LaneTesting
import Profiles
import Testing

/// `dynamometer:` on a lane's emission station (the ASM test).
extension ProfileLoaderTests {
    static func emissionLane(_ flag: String) -> String {
        """
          - id: L2
            name: Lane 2
            vehicle_categories: [M1]
            stations:
              - kind: emission
        \(flag)
                rig:
                  id: L2.emission
                  model: LC-EA500
                  transport: { type: tcp, host: 127.0.0.1, port: 1505 }
                  unit_id: 1

        """
    }

    var mapsWithAnalyser: String {
        """
          LC-RB3000: \(repository.mapFile("brake"))
          LC-EA500: \(repository.mapFile("exhaust"))

        """
    }

    @Test func dynamometerFlagIsReadOnTheEmissionStation() throws {
        let text = profile(rig: Self.goodRig, lanes: Self.emissionLane("        dynamometer: true"), models: mapsWithAnalyser)
        let loaded = try ProfileLoader().parse(text, file: "s.yaml", folder: "/")
        #expect(loaded.lanes[1].stations[0].kind == .emission)
        #expect(loaded.lanes[1].stations[0].dynamometer)
        #expect(!loaded.lanes[0].stations[0].dynamometer)  // absent: no dynamometer
    }

    @Test func dynamometerFalseIsAccepted() throws {
        let text = profile(rig: Self.goodRig, lanes: Self.emissionLane("        dynamometer: false"), models: mapsWithAnalyser)
        let loaded = try ProfileLoader().parse(text, file: "s.yaml", folder: "/")
        #expect(!loaded.lanes[1].stations[0].dynamometer)
    }

    @Test func dynamometerThatIsNotABooleanIsRefusedWithItsLine() throws {
        try expectRefused(
            profile(rig: Self.goodRig, lanes: Self.emissionLane("        dynamometer: maybe # <-"), models: mapsWithAnalyser),
            "\"maybe\" is not true or false")
    }

    @Test func dynamometerOnABrakeStationIsRefusedWithItsLine() throws {
        let text = profile(rig: Self.goodRig, models: mapsWithAnalyser)
            .replacingOccurrences(of: "      - kind: brake\n", with: "      - kind: brake\n        dynamometer: true # <-\n")
        try expectRefused(text, "dynamometer applies only to the emission station")
    }
}

/// The shipped ASM station profile.
extension ProfileLoaderTests {
    @Test func asmStationProfileHasADynamometerOnlyUnderLaneOneEmission() throws {
        let path = repository.profiles.appendingPathComponent("asm-station.yaml").path
        let profile = try ProfileLoader().load(path: path)
        let flagged = profile.lanes.flatMap { lane in lane.stations.filter(\.dynamometer).map { (lane.id, $0) } }
        #expect(flagged.map(\.0) == [LaneID("L1")])
        #expect(flagged.map(\.1.kind) == [.emission])
        #expect(flagged.map(\.1.rig.model) == ["LC-EA500"])
        #expect(profile.lanes.count == 2 && profile.drivers.count == 8)
    }
}
