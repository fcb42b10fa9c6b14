import InspectionRules
import LaneCore
import Procedures
import RigFirmware
import TestScheduling
import Testing

/// Whole inspections against the RigFirmware physics models, stepped by hand (no sockets): each
/// scenario fails the item its name says and nothing else.
@Suite(.offThePool)
struct ScenarioTests {
    static func inspect(_ scenario: VehicleScenario, vehicle: Vehicle = Fixtures.car) throws -> SimulatedLane {
        var lane = SimulatedLane(pipeline: try Fixtures.pipeline(vehicle: vehicle), scenario: scenario)
        lane.run()
        return lane
    }

    @Test func soundCarPassesEveryItem() throws {
        let lane = try Self.inspect(.soundCar)
        #expect(lane.pipeline.isFinished)
        #expect(lane.aborts.isEmpty)
        #expect(lane.notPassing == [])
        #expect(lane.result?.verdict == .pass)
        // Every station judged something: brake axles, service and parking, both lamps, the gases.
        let ids = Set(lane.verdicts.map(\.item.id))
        for id in ["brake.axle1.rate", "brake.axle2.imbalance", "brake.service.rate", "brake.parking.rate", "emission.idle.co"] {
            #expect(ids.contains(id), "missing \(id)")
        }
        #expect(ids.contains { $0.hasPrefix("headlamp.right") })
        // The front wheels reach their grip and slip: the stop command answered the slip sample.
        #expect(lane.rollerStops.contains { $0.slipSeen })
    }

    @Test func weakRearBrakeFailsOnlyBrakeItems() throws {
        let lane = try Self.inspect(.weakRearBrake)
        #expect(lane.failing.contains("brake.service.rate"))
        #expect(lane.failing.allSatisfy { $0.hasPrefix("brake.") && !$0.hasPrefix("brake.axle1.") })
        #expect(lane.notPassing == lane.failing)
    }

    /// The right front wheel reaches only 190 daN and lags: the imbalance fails, and with it the
    /// front-axle and vehicle rates (the left wheel slips and stops the run before the right one has
    /// risen); nothing outside the front axle's brake figures fails.
    @Test func pullingFrontAxleFailsTheFrontImbalance() throws {
        let lane = try Self.inspect(.pullingFrontAxle)
        #expect(lane.failing.contains("brake.axle1.imbalance"))
        #expect(lane.failing.allSatisfy { $0.hasPrefix("brake.axle1.") || $0 == "brake.service.rate" })
        #expect(lane.notPassing == lane.failing)
        let front = lane.measurements.compactMap { if case .brake(let m) = $0, m.axle == 1 { m } else { nil } }.first
        #expect(front?.lockedLeft == true)
        #expect((front?.maxRiseDifference ?? 0) > 0.2 * (front?.peakLeft ?? 0))
    }

    @Test func dimLampFailsRightHighBeamOnly() throws {
        let lane = try Self.inspect(.dimLamp)
        #expect(lane.failing == ["headlamp.right.high_beam_intensity"])
        #expect(lane.notPassing == lane.failing)
    }

    @Test func misaimedLampFailsLeftLowBeamAimOnly() throws {
        let lane = try Self.inspect(.misaimedLamp)
        #expect(!lane.failing.isEmpty)
        #expect(lane.failing.allSatisfy { $0.hasPrefix("headlamp.left.low_beam") })
        #expect(lane.notPassing == lane.failing)
    }

    @Test func richMixtureFailsTheIdleGasItems() throws {
        let lane = try Self.inspect(.richMixture)
        #expect(lane.failing.contains("emission.idle.co"))
        #expect(lane.failing.allSatisfy { $0.hasPrefix("emission.") })
        #expect(lane.notPassing == lane.failing)
    }

    @Test func smokyDieselFailsFreeAccelerationOpacityOnly() throws {
        let lane = try Self.inspect(.smokyDiesel, vehicle: Fixtures.dieselCar)
        #expect(lane.failing == ["emission.free_acceleration.opacity"])
        #expect(lane.notPassing == lane.failing)
        let emission = lane.measurements.compactMap { if case .emission(let m) = $0 { m } else { nil } }.first
        #expect(emission?.purgeReadings.count == 3)
        #expect(emission?.opacityReadings.count == 3)
    }
}
