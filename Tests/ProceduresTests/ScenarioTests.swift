import InspectionRules
import LaneCore
import Procedures
import RigFirmware
import Testing

/// Whole inspections against the RigFirmware physics models, stepped by hand (no sockets).
struct ScenarioTests {
    static func inspect(_ scenario: VehicleScenario, vehicle: Vehicle = Fixtures.car) throws -> SimulatedLane {
        var lane = SimulatedLane(pipeline: try Fixtures.pipeline(vehicle: vehicle), scenario: scenario)
        lane.run()
        return lane
    }

    @Test func soundCarPassesEveryItem() throws {
        let lane = try Self.inspect(.soundCar)
        for v in lane.verdicts { print(v.item.id, v.item.verdict, v.item.value ?? -1, v.item.explain.en) }
        for a in lane.aborts { print("ABORT", a.step, a.reason.en) }
        #expect(lane.pipeline.isFinished)
        #expect(lane.notPassing == [])
        #expect(lane.result?.verdict == .pass)
    }
}
