import LaneCore
import LaneTesting
import Profiles
import RigFirmware
import TestScheduling
import Testing

/// In normal operation every reading stays inside the range its map declares, or the poller would
/// mark good data `out_of_range`.
@Suite(.offThePool)
struct MapRangeTests {
    static func check(_ rig: SimulatedRig, at t: Double, _ problems: inout Set<String>) {
        let readings = rig.readings(at: .milliseconds(Int64(t * 1000)))
        for channel in rig.map.channels {
            guard let value = readings[channel.name] else {
                problems.insert("\(channel.name) is not driven by the model")
                continue
            }
            if let minimum = channel.minimum, value < minimum { problems.insert("\(channel.name) \(value) < \(minimum)") }
            if let maximum = channel.maximum, value > maximum { problems.insert("\(channel.name) \(value) > \(maximum)") }
        }
    }

    @Test(arguments: VehicleScenario.names)
    func everyReadingStaysInsideItsMapRangeThroughAWholeTest(scenarioName: String) throws {
        let repository = try Repository()
        let scenario = VehicleScenario.named(scenarioName)!
        var problems: Set<String> = []

        let brake = SimulatedRig(
            id: "b", map: try RegisterMapLoader.load(path: repository.mapFile("brake")), scenario: scenario, seed: 1)
        var t = 0.0
        for run in 0..<3 {
            brake.command("rollers_run", value: 1, at: .milliseconds(Int64(t * 1000)))
            for _ in 0..<1500 {
                t += 0.01
                Self.check(brake, at: t, &problems)
            }
            if run == 2 { brake.command("rollers_run", value: 0, at: .milliseconds(Int64(t * 1000))) }
        }

        let lamp = SimulatedRig(
            id: "h", map: try RegisterMapLoader.load(path: repository.mapFile("headlamp")), scenario: scenario, seed: 2)
        lamp.command("beam_select", value: 2, at: .zero)
        lamp.command("measure_left", value: 1, at: .zero)
        t = 0
        for step in 0..<1200 {
            t = Double(step) * 0.01
            if step == 600 { lamp.command("measure_right", value: 1, at: .milliseconds(Int64(t * 1000))) }
            Self.check(lamp, at: t, &problems)
        }

        let exhaust = SimulatedRig(
            id: "e", map: try RegisterMapLoader.load(path: repository.mapFile("exhaust")), scenario: scenario, seed: 3)
        for step in 0..<1800 {
            t = Double(step) * 0.1
            if step == 310 { exhaust.command("zero", value: 1, at: .milliseconds(Int64(t * 1000))) }
            if step == 370 { exhaust.command("sampling", value: 1, at: .milliseconds(Int64(t * 1000))) }
            Self.check(exhaust, at: t, &problems)
        }
        #expect(exhaust.readings(at: .seconds(180))["warming_up"] == 0)
        #expect(problems.isEmpty, "\(problems.sorted())")
    }
}
