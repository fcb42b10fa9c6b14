import InspectionRules
import LaneCore
import Procedures
import RigFirmware
import Testing

/// Every scenario as a whole inspection over real sockets (``ServedLane``: brake, headlamp and emission rigs served
/// over Modbus TCP, polled by `LinkPoller`s, judged by one pipeline): each fails the item its name says and nothing
/// else, as on the stepped firmware (``ScenarioTests``).
///
/// How each run is judged: ``ServedLane/judge(_:vehicle:dynamometer:attempts:)``.
/// The tests run in parallel, two lanes at a time (``ServedLane/slots``).
@Suite
struct ServedLaneTests {
    @Test(.timeLimit(.minutes(10)))
    func soundCarPassesEveryItemAndThePipelineStopsTheSlippingRollers() async throws {
        let judged = try await ServedLane.judge(.soundCar)
        #expect(judged.notPassing == [])
        let ids = Set(judged.verdicts.keys)
        for id in ["brake.axle1.rate", "brake.axle2.imbalance", "brake.service.rate", "brake.parking.rate", "emission.idle.co", "emission.high_idle.co"] {
            #expect(ids.contains(id), "missing \(id)")
        }
        #expect(ids.contains { $0.hasPrefix("headlamp.left.") } && ids.contains { $0.hasPrefix("headlamp.right.") })
        // The rigs' own slip protection is off: the front wheels slip, and the stop came from the pipeline.
        let stops = judged.outcome.rollerStopWrites
        #expect(!stops.isEmpty)
        if let slip = judged.outcome.firstSlipSample, let stop = stops.first(where: { $0 + 20_000_000 >= slip }) {
            print("first slip-flag sample → stop-rollers write at the rig: \(Double(Int64(bitPattern: stop &- slip)) / 1e6) ms")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func weakRearBrakeFailsOnlyRearAndVehicleBrakeItems() async throws {
        let judged = try await ServedLane.judge(.weakRearBrake)
        #expect(judged.failing.contains("brake.service.rate"))
        #expect(judged.failing.contains { $0.hasPrefix("brake.axle2.") })
        #expect(judged.failing.allSatisfy { $0.hasPrefix("brake.") && !$0.hasPrefix("brake.axle1.") }, "\(judged.failing)")
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func pullingFrontAxleFailsTheFrontImbalance() async throws {
        let judged = try await ServedLane.judge(.pullingFrontAxle)
        #expect(judged.failing.contains("brake.axle1.imbalance"))
        #expect(judged.failing.allSatisfy { $0.hasPrefix("brake.axle1.") || $0 == "brake.service.rate" }, "\(judged.failing)")
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func dimLampFailsTheRightHighBeamIntensityOnly() async throws {
        let judged = try await ServedLane.judge(.dimLamp)
        #expect(judged.failing == ["headlamp.right.high_beam_intensity"])
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func misaimedLampFailsTheLeftLowBeamAimOnly() async throws {
        let judged = try await ServedLane.judge(.misaimedLamp)
        #expect(!judged.failing.isEmpty)
        #expect(judged.failing.allSatisfy { $0.hasPrefix("headlamp.left.low_beam") }, "\(judged.failing)")
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func richMixtureFailsTheTwoSpeedIdleGasItemsOnly() async throws {
        let judged = try await ServedLane.judge(.richMixture)
        #expect(judged.failing.contains("emission.idle.co"))
        #expect(judged.failing.allSatisfy { $0.hasPrefix("emission.") }, "\(judged.failing)")
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func smokyDieselFailsTheFreeAccelerationOpacityOnly() async throws {
        let judged = try await ServedLane.judge(.smokyDiesel, vehicle: Fixtures.dieselCar)
        #expect(judged.failing == ["emission.free_acceleration.opacity"])
        #expect(judged.notPassing == judged.failing)
    }

    /// The brake tester stops answering for 3 s while the driver brakes on the front axle: the axle is aborted, the
    /// stop is commanded and reaches the rig once it answers again (the map's `safe_value`: retried every cycle),
    /// every brake item is `incomplete` (never a verdict), and the other stations judge as usual.
    @Test(.timeLimit(.minutes(10)))
    func brakeTesterFaultMidTestLeavesTheBrakeItemsIncompleteAndTheRestJudged() async throws {
        let outcome = try await ServedLane.runFault(
            .soundCar,
            fault: .init(station: .brake, afterPrompt: "Brake now", delay: .milliseconds(300), fault: .noReply, lasts: .seconds(3)))
        print("served lane brake fault: \(outcome.elapsed); brake link \(outcome.brakeLink); rig watchdog trips \(outcome.brakeWatchdogTrips)")
        let fault = try #require(outcome.faultStarted)
        let aborts = outcome.aborts
        #expect(aborts.map(\.station) == [.brake], "\(aborts.map { "\($0.station) \($0.reason.en)" })")
        #expect(aborts.first?.reason.en.contains("no valid data") == true, "\(aborts.map(\.reason.en))")
        // The procedure asked for the rollers to stop when it aborted (the write cannot reach a silent rig).
        let stopAfterFault = outcome.recording.lines.contains {
            if case .command(let c, let at) = $0 { c.name == "rollers_run" && c.value == 0 && at.nanoseconds >= fault } else { false }
        }
        #expect(stopAfterFault)
        #expect(outcome.rollerStopWrites.contains { $0 > fault + 3_000_000_000 }, "the stop never reached the rig after it answered again")
        #expect(outcome.brakeRollersRunningAtEnd == false)
        let live = outcome.finalVerdicts
        let brake = live.values.filter { $0.station == .brake }
        #expect(!brake.isEmpty)
        #expect(brake.allSatisfy { $0.item.verdict == .incomplete }, "\(brake.map { "\($0.item.id) \($0.item.verdict)" })")
        // Nothing the brake rig sent before the fault is judged either; the other stations, late flags aside, pass.
        let blind = try outcome.recording.ignoringLateness().replay()
        for v in blind.verdicts where v.station == .brake { #expect(v.item.verdict == .incomplete, "\(v.item.id)") }
        let others = blind.verdicts.filter { $0.station != .brake }
        #expect(others.contains { $0.station == .headlamp } && others.contains { $0.station == .emission })
        #expect(others.allSatisfy { $0.item.verdict == .pass }, "\(others.filter { $0.item.verdict != .pass }.map(\.item.id))")
        #expect(outcome.recording.lines.contains { if case .input(.sample(let s)) = $0 { s.time.nanoseconds > fault && s.quality != .good } else { false } })
    }
}
