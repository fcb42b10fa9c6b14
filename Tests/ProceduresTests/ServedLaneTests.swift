import InspectionRules
import LaneCore
import Procedures
import RigFirmware
import Testing

/// Every scenario as a whole inspection over real sockets (``ServedLane``: brake, headlamp and emission rigs served
/// over Modbus TCP, polled by `LinkPoller`s, judged by one pipeline): each fails the item its name says and nothing
/// else, as on the stepped firmware (``ScenarioTests``).
///
/// How a run is judged, whatever the machine's load:
/// - the recording replays to the identical commands and verdicts (a recorded inspection is a test case);
/// - an item the data-quality gate refused is `incomplete` with a reason, never a pass or fail on late data;
/// - the scenario's expectation is checked on the verdicts the same procedures give on the same samples with their
///   late flags cleared (the values as they came over the wire), and every item the gate let through live has
///   exactly that verdict. On a quiet machine the two are the same run; on a loaded one the poll thread can be
///   late, the live items go `incomplete`, and the measurement chain is still checked.
/// A run the procedures aborted, or whose samples were stale or timed out, is repeated (at most 3 runs).
/// The tests run in parallel, three lanes at a time (``ServedLane/slots``).
@Suite
struct ServedLaneTests {
    struct Judged {
        var outcome: ServedLane.Outcome
        /// Final verdict per item, late flags cleared.
        var verdicts: [String: ItemVerdict]

        var failing: [String] { verdicts.filter { $0.value == .fail }.keys.sorted() }
        var notPassing: [String] { verdicts.filter { $0.value != .pass }.keys.sorted() }
    }

    static func judge(_ scenario: VehicleScenario, vehicle: Vehicle = Fixtures.car, attempts: Int = 3) async throws -> Judged {
        var last: Judged?
        for attempt in 1...attempts {
            let outcome = try await ServedLane.run(scenario, vehicle: vehicle)
            let replay = try outcome.recording.replay()
            #expect(replay.differences.isEmpty, "replay of the recorded run differs: \(replay.differences.prefix(5))")

            let live = outcome.finalVerdicts
            for (id, v) in live where v.qualityReason != nil {
                #expect(v.item.verdict == .incomplete, "\(id) judged on samples the quality gate refused")
            }
            let blind = try outcome.recording.ignoringLateness().replay()
            var verdicts: [String: ItemVerdict] = [:]
            /// Items refused for a reason other than lateness (stale, timed out, out of range, gaps).
            var stillRefused: [String: String] = [:]
            for v in blind.verdicts {
                verdicts[v.item.id] = v.item.verdict
                stillRefused[v.item.id] = v.qualityReason?.en
            }
            #expect(Set(verdicts.keys) == Set(live.keys))
            for (id, v) in live where v.qualityReason == nil {
                #expect(v.item.verdict == verdicts[id], "\(id): live \(v.item.verdict), late flags cleared \(String(describing: verdicts[id]))")
            }
            let abortedStations = Set(outcome.aborts.map(\.station.rawValue))
            for (id, v) in live where abortedStations.contains(v.station.rawValue) {
                #expect(v.item.verdict == .incomplete, "\(id) judged after its station aborted")
            }
            let gated = live.values.filter { $0.qualityReason != nil }.count
            print("served lane \(scenario.name) run \(attempt): \(live.count) items, \(gated) refused live by the quality gate (\(outcome.lateSamples) late samples), \(outcome.aborts.count) aborts, \(outcome.elapsed); brake link \(outcome.brakeLink)")
            last = Judged(outcome: outcome, verdicts: verdicts)
            if outcome.aborts.isEmpty && stillRefused.isEmpty { return last! }
            for abort in outcome.aborts { print("  aborted (run repeated):", abort.step, abort.reason.en) }
            for (id, reason) in stillRefused { print("  refused without lateness (run repeated):", id, reason) }
        }
        Issue.record("every one of \(attempts) runs of \(scenario.name) was aborted or had stale data (a rig or link fault on loopback)")
        return last!
    }

    @Test(.timeLimit(.minutes(10)))
    func soundCarPassesEveryItemAndThePipelineStopsTheSlippingRollers() async throws {
        let judged = try await Self.judge(.soundCar)
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
        let judged = try await Self.judge(.weakRearBrake)
        #expect(judged.failing.contains("brake.service.rate"))
        #expect(judged.failing.contains { $0.hasPrefix("brake.axle2.") })
        #expect(judged.failing.allSatisfy { $0.hasPrefix("brake.") && !$0.hasPrefix("brake.axle1.") }, "\(judged.failing)")
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func pullingFrontAxleFailsTheFrontImbalance() async throws {
        let judged = try await Self.judge(.pullingFrontAxle)
        #expect(judged.failing.contains("brake.axle1.imbalance"))
        #expect(judged.failing.allSatisfy { $0.hasPrefix("brake.axle1.") || $0 == "brake.service.rate" }, "\(judged.failing)")
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func dimLampFailsTheRightHighBeamIntensityOnly() async throws {
        let judged = try await Self.judge(.dimLamp)
        #expect(judged.failing == ["headlamp.right.high_beam_intensity"])
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func misaimedLampFailsTheLeftLowBeamAimOnly() async throws {
        let judged = try await Self.judge(.misaimedLamp)
        #expect(!judged.failing.isEmpty)
        #expect(judged.failing.allSatisfy { $0.hasPrefix("headlamp.left.low_beam") }, "\(judged.failing)")
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func richMixtureFailsTheTwoSpeedIdleGasItemsOnly() async throws {
        let judged = try await Self.judge(.richMixture)
        #expect(judged.failing.contains("emission.idle.co"))
        #expect(judged.failing.allSatisfy { $0.hasPrefix("emission.") }, "\(judged.failing)")
        #expect(judged.notPassing == judged.failing)
    }

    @Test(.timeLimit(.minutes(10)))
    func smokyDieselFailsTheFreeAccelerationOpacityOnly() async throws {
        let judged = try await Self.judge(.smokyDiesel, vehicle: Fixtures.dieselCar)
        #expect(judged.failing == ["emission.free_acceleration.opacity"])
        #expect(judged.notPassing == judged.failing)
    }

    /// The brake tester stops answering for 3 s while the driver brakes on the front axle: the axle is aborted, the
    /// stop is commanded and reaches the rig once it answers again (the map's `safe_value`: retried every cycle),
    /// every brake item is `incomplete` (never a verdict), and the other stations judge as usual.
    @Test(.timeLimit(.minutes(10)))
    func brakeTesterFaultMidTestLeavesTheBrakeItemsIncompleteAndTheRestJudged() async throws {
        let outcome = try await ServedLane.run(
            .soundCar,
            fault: .init(station: .brake, afterPrompt: "Brake now", delay: .milliseconds(300), fault: .noReply, lasts: .seconds(3)))
        print("served lane brake fault: \(outcome.elapsed); brake link \(outcome.brakeLink)")
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
