import InspectionRules
import LaneCore
import Procedures
import RigFirmware
import Testing

/// The ASM test end to end: a whole lane over real sockets (``ServedLane``) whose emission station has a chassis
/// dynamometer, as lane L1 of `LaneProfiles/asm-station.yaml`: the simulated LC-EA500 served over Modbus TCP and
/// polled at 100 ms, the load set points written back to it. The firmware's dynamometer absorbs the written load;
/// its simulated driver drives each mode's speed once the controller loads the dynamometer for it (`ASMDriver`), so
/// a run takes as long as the procedure's own GB 18285 timings need (5 s stabilise + 10 s window per mode,
/// unchanged), about 45 s with the analyser's zero and leak check. Runs are judged as in ``ServedLaneTests``.
@Suite
struct ASMEndToEndTests {
    static var vehicle: Vehicle { ASMProcedureTests.vehicle }
    /// The analyser map's command for the power the dynamometer absorbs.
    static let setpointCommand = "dyno_load_setpoint_kw"

    static func asmVerdicts(_ judged: ServedLane.Judged) -> [String: ItemVerdict] {
        judged.verdicts.filter { $0.key.hasPrefix("emission.") }
    }

    static func measurement(_ outcome: ServedLane.Outcome) -> EmissionMeasurement? {
        outcome.events.lazy.compactMap { if case .measured(.emission(let m)) = $0 { m } else { nil } }.first
    }

    static func setpoints(_ outcome: ServedLane.Outcome) -> [Double] {
        outcome.events.compactMap { if case .command(let c) = $0, c.name == Self.setpointCommand { c.value } else { nil } }
    }

    @Test(.timeLimit(.minutes(10)))
    func soundCarPassesASM5025AndASM2540OverLoopback() async throws {
        let judged = try await ServedLane.judge(.soundCar, vehicle: Self.vehicle, dynamometer: true)
        let verdicts = Self.asmVerdicts(judged)
        #expect(verdicts.keys.sorted() == ASMScenarioTests.asmItems)
        #expect(judged.notPassing == [], "\(judged.notPassing)")
        // Replayed with the late flags cleared, the measurement is the live one's (the procedures ignore the flags).
        let emission = try #require(Self.measurement(judged.outcome))
        #expect(emission.method == .asm)
        // Read back over Modbus: the dynamometer held each mode's speed and absorbed the load written to it.
        let modes = try #require(EmissionConfiguration(vehicle: Self.vehicle, dynamometer: true).asm?.modes)
        for mode in modes {
            let speed = try #require(emission.figures["asm\(mode.name)_speed_kmh"])
            let load = try #require(emission.figures["asm\(mode.name)_load_kw"])
            #expect(abs(speed - mode.speedKmh) <= mode.speedToleranceKmh, "ASM\(mode.name) speed \(speed)")
            #expect(abs(load - mode.loadKW) <= mode.loadKW * mode.loadTolerancePercent / 100, "ASM\(mode.name) load \(load)")
        }
        // Loaded for each mode, unloaded at the end, and the rig holds 0 again.
        let setpoints = Self.setpoints(judged.outcome)
        #expect(setpoints.count == 3)
        #expect(zip(setpoints.prefix(2), modes.map(\.loadKW)).allSatisfy { abs($0 - $1) < 0.01 })
        #expect(setpoints.last == 0)
        #expect(judged.outcome.dynamometerSetpointAtEnd == 0)
    }

    @Test(.timeLimit(.minutes(10)))
    func richMixtureFailsCarbonMonoxideAndHydrocarbonsInBothModesOverLoopback() async throws {
        let judged = try await ServedLane.judge(.richMixture, vehicle: Self.vehicle, dynamometer: true)
        #expect(Self.asmVerdicts(judged).keys.sorted() == ASMScenarioTests.asmItems)
        #expect(judged.failing == ["emission.asm2540.co", "emission.asm2540.hc", "emission.asm5025.co", "emission.asm5025.hc"])
        #expect(judged.notPassing == judged.failing)
    }

    /// The analyser stops answering 12 s into ASM5025 and answers again 3 s later: the test is aborted, all six
    /// items stay `incomplete`, the analyser's own watchdog unloads the dynamometer after 2 s of silence, and the
    /// unload asked for at the abort reaches it too once the analyser answers (the map's `safe_value`).
    @Test(.timeLimit(.minutes(10)))
    func analyserFaultDuringASM5025LeavesEveryItemIncompleteAndUnloadsTheDynamometer() async throws {
        let outcome = try await ServedLane.runFault(
            .soundCar, vehicle: Self.vehicle, dynamometer: true,
            fault: .init(station: .emission, afterPrompt: "ASM5025", delay: .seconds(12), fault: .noReply, lasts: .seconds(3)))
        print("served lane ASM analyser fault: \(outcome.elapsed)")
        // Runs where another station aborted on its own are repeated (``ServedLane/runFault``).
        let aborts = outcome.aborts
        #expect(aborts.map(\.station) == [.emission], "\(aborts.map { "\($0.station) \($0.reason.en)" })")
        #expect(aborts.first?.reason.en.contains("no valid data") == true, "\(aborts.map(\.reason.en))")
        #expect(Self.measurement(outcome) == nil)
        let verdicts = outcome.finalVerdicts.filter { $0.value.station == .emission }.mapValues(\.item.verdict)
        #expect(verdicts.keys.sorted() == ASMScenarioTests.asmItems)
        #expect(verdicts.values.allSatisfy { $0 == .incomplete }, "\(verdicts)")
        // The procedure asked for the dynamometer to be unloaded when it aborted, and the rig took it.
        #expect(Self.setpoints(outcome).last == 0)
        #expect(outcome.dynamometerSetpointAtEnd == 0)
        // Cut off for 3 s under load, the analyser unloaded the dynamometer itself after 2 s (its watchdog), once.
        #expect(outcome.analyserWatchdogTrips == 1)
    }
}
