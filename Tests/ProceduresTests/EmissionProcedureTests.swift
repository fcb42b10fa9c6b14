import LaneCore
import Procedures
import TestScheduling
import Testing

/// The emission station fed with hand-made samples.
@Suite(.offThePool)
struct EmissionProcedureTests {
    var maker = SampleMaker(rig: Fixtures.emissionRig, map: Fixtures.exhaustMap)
    var ms = 0

    mutating func feed(_ procedure: inout EmissionProcedure, for duration: Int, _ values: [String: Double]) -> [ProcedureAction] {
        var all: [ProcedureAction] = []
        for _ in 0..<(duration / 100) {
            ms += 100
            procedure.handle(maker.make(ms: ms, values), into: &all)
        }
        return all
    }

    static func commands(_ actions: [ProcedureAction]) -> [String] {
        actions.compactMap { if case .command(let c) = $0 { "\(c.name)=\(Int(c.value))" } else { nil } }
    }

    /// Warm-up, zero, leak check and oil temperature, up to the probe prompt.
    mutating func prepare(_ procedure: inout EmissionProcedure) -> [ProcedureAction] {
        var all: [ProcedureAction] = []
        procedure.begin(at: SampleMaker.at(0), into: &all)
        all += feed(&procedure, for: 1000, ["warming_up": 1, "oil_temp_c": 85])
        all += feed(&procedure, for: 100, ["oil_temp_c": 85])
        all += feed(&procedure, for: 500, ["zeroing": 1, "oil_temp_c": 85])
        all += feed(&procedure, for: 100, ["zero_done": 1, "oil_temp_c": 85])
        all += feed(&procedure, for: 600, ["zero_done": 1, "leak_checking": 1, "oil_temp_c": 85])
        all += feed(&procedure, for: 200, ["zero_done": 1, "leak_check_passed": 1, "oil_temp_c": 85])
        return all
    }

    @Test mutating func warmUpZeroAndLeakCheckComeBeforeTheProbePrompt() throws {
        var procedure = try EmissionProcedure(
            rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, configuration: EmissionConfiguration(method: .twoSpeedIdle))
        let all = prepare(&procedure)
        #expect(Self.commands(all) == ["zero=1", "leak_check=1"])
        let prompts = all.compactMap { if case .prompt(let p) = $0 { p } else { nil } }
        #expect(prompts.first?.text.en.contains("warming up") == true)
        #expect(prompts.last?.expects == .confirm && prompts.last?.text.en.contains("probe") == true)
    }

    @Test mutating func failedLeakCheckAbortsBeforeSampling() throws {
        var procedure = try EmissionProcedure(
            rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, configuration: EmissionConfiguration(method: .twoSpeedIdle))
        var all: [ProcedureAction] = []
        procedure.begin(at: SampleMaker.at(0), into: &all)
        all += feed(&procedure, for: 200, ["oil_temp_c": 85])
        all += feed(&procedure, for: 300, ["zeroing": 1])
        all += feed(&procedure, for: 100, ["zero_done": 1])
        all += feed(&procedure, for: 300, ["zero_done": 1, "leak_checking": 1])
        all += feed(&procedure, for: 100, ["zero_done": 1, "leak_check_failed": 1])
        #expect(all.contains { if case .aborted(let a) = $0 { a.reason.en.contains("leak check failed") } else { false } })
        #expect(!Self.commands(all).contains("sampling=1"))
    }

    @Test mutating func twoSpeedIdleAveragesHighIdleInsideTheWindowThenIdle() throws {
        var procedure = try EmissionProcedure(
            rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, configuration: EmissionConfiguration(method: .twoSpeedIdle))
        let prompt = prepare(&procedure).compactMap { if case .prompt(let p) = $0 { p } else { nil } }.last!
        var all: [ProcedureAction] = []
        procedure.acknowledge(PromptAcknowledgement(prompt: prompt.id, time: SampleMaker.at(ms)), into: &all)
        #expect(Self.commands(all) == ["sampling=1"])
        // 3000 rpm is outside 2500 ± 200: nothing is measured there.
        all += feed(&procedure, for: 20_000, ["engine_rpm": 3000, "co_pct": 9, "hc_ppm": 999, "lambda": 0.5])
        all += feed(&procedure, for: 45_000, ["engine_rpm": 2480, "co_pct": 0.05, "hc_ppm": 25, "lambda": 1.01])
        all += feed(&procedure, for: 45_000, ["engine_rpm": 750, "co_pct": 0.1, "hc_ppm": 40, "lambda": 1.0])
        let measured = all.compactMap { if case .measured(.emission(let m)) = $0 { m } else { nil } }
        #expect(measured.count == 1)
        let figures = measured.first?.figures ?? [:]
        #expect(abs((figures["high_idle_co_pct"] ?? 0) - 0.05) < 1e-9)
        #expect(abs((figures["high_idle_rpm"] ?? 0) - 2480) < 1e-9)
        #expect(abs((figures["idle_hc_ppm"] ?? 0) - 40) < 1e-9)
        #expect(Self.commands(all).last == "sampling=0")
    }

    @Test mutating func freeAccelerationKeepsPurgesApartFromMeasuredPeaks() throws {
        var configuration = EmissionConfiguration(method: .freeAcceleration)
        configuration.purgeAccelerations = 2
        configuration.measuredAccelerations = 3
        var procedure = try EmissionProcedure(rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, configuration: configuration)
        let prompt = prepare(&procedure).compactMap { if case .prompt(let p) = $0 { p } else { nil } }.last!
        var all: [ProcedureAction] = []
        procedure.acknowledge(PromptAcknowledgement(prompt: prompt.id, time: SampleMaker.at(ms)), into: &all)
        all += feed(&procedure, for: 3000, ["engine_rpm": 800, "opacity_k": 0.1])
        for peak in [2.0, 1.8, 1.1, 1.0, 0.9] {
            all += feed(&procedure, for: 500, ["engine_rpm": 2500, "opacity_k": peak / 2])
            all += feed(&procedure, for: 500, ["engine_rpm": 4400, "opacity_k": peak])
            all += feed(&procedure, for: 3000, ["engine_rpm": 800, "opacity_k": 0.1])
        }
        let measured = all.compactMap { if case .measured(.emission(let m)) = $0 { m } else { nil } }
        #expect(measured.first?.purgeReadings == [2.0, 1.8])
        #expect(measured.first?.opacityReadings == [1.1, 1.0, 0.9])
    }
}
