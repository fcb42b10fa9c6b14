import InspectionRules
import LaneCore
import Procedures
import TestScheduling
import Testing

/// The ASM emission test (ASM5025 then ASM2540 on a chassis dynamometer), fed with hand-made
/// samples: through the procedure alone, and through the pipeline to the rule engine's verdicts.
@Suite(.offThePool)
struct ASMProcedureTests {
    /// A 1350 kg car: reference mass 1450 kg, ASM5025 load 1450 / 148 = 9.80 kW, ASM2540 7.84 kW.
    static var vehicle: Vehicle {
        var vehicle = Fixtures.car
        vehicle.curbMassKg = 1_350
        vehicle.fuel = .gasoline
        return vehicle
    }
    static let load5025 = 1_450.0 / 148
    static let load2540 = 1_450.0 / 185

    static var configuration: EmissionConfiguration { EmissionConfiguration(vehicle: vehicle, dynamometer: true) }

    var maker = SampleMaker(rig: Fixtures.emissionRig, map: Fixtures.exhaustMap)
    var ms = 0
    var events: [PipelineEvent] = []

    // MARK: Choosing the method

    @Test func dynamometerLaneGivesGasolineCarsASMWithLoadsFromTheReferenceMass() throws {
        let configuration = Self.configuration
        #expect(configuration.method == .asm)
        let modes = try #require(configuration.asm?.modes)
        #expect(modes.map(\.name) == ["5025", "2540"])
        #expect(modes.map(\.speedKmh) == [25, 40])
        #expect(abs(modes[0].loadKW - Self.load5025) < 1e-9)
        #expect(abs(modes[1].loadKW - Self.load2540) < 1e-9)
    }

    @Test func withoutDynamometerOrCurbMassOrForDieselTheUsualMethodStays() {
        #expect(EmissionConfiguration(vehicle: Self.vehicle, dynamometer: false).method == .twoSpeedIdle)
        var unknownMass = Self.vehicle
        unknownMass.curbMassKg = nil
        #expect(EmissionConfiguration(vehicle: unknownMass, dynamometer: true).method == .twoSpeedIdle)
        var diesel = Self.vehicle
        diesel.fuel = .diesel
        #expect(EmissionConfiguration(vehicle: diesel, dynamometer: true).method == .freeAcceleration)
        var cng = Self.vehicle
        cng.fuel = .cng
        #expect(EmissionConfiguration(vehicle: cng, dynamometer: true).method == .asm)
    }

    @Test func stationFlagFromTheProfileChoosesASM() {
        let rig = StationRig(
            id: Fixtures.emissionRig, model: "LC-EA500", mapFile: "lc-ea500-exhaust.yaml", map: Fixtures.exhaustMap,
            transport: .tcp(host: "127.0.0.1", port: 0), unitID: 1, pollPeriod: .milliseconds(100),
            responseTimeout: .milliseconds(200), byteTimeout: .milliseconds(50))
        #expect(EmissionConfiguration(vehicle: Self.vehicle, station: Station(kind: .emission, rig: rig, dynamometer: true)).method == .asm)
        #expect(EmissionConfiguration(vehicle: Self.vehicle, station: Station(kind: .emission, rig: rig)).method == .twoSpeedIdle)
    }

    @Test func mapWithoutTheDynamometerIsRefusedAtSetUp() throws {
        var map = Fixtures.exhaustMap
        map.commands.removeAll { $0.name == "dyno_load_setpoint_kw" }
        #expect(throws: ProcedureSetupError.self) {
            _ = try EmissionProcedure(rig: Fixtures.emissionRig, map: map, configuration: Self.configuration)
        }
        var noModes = Self.configuration
        noModes.asm = nil
        #expect(throws: ProcedureSetupError.self) {
            _ = try EmissionProcedure(rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, configuration: noModes)
        }
    }

    // MARK: The procedure alone

    mutating func feed(_ procedure: inout EmissionProcedure, for duration: Int, _ values: [String: Double]) -> [ProcedureAction] {
        var all: [ProcedureAction] = []
        for _ in 0..<(duration / 100) {
            ms += 100
            procedure.handle(maker.make(ms: ms, values.merging(["oil_temp_c": 85, "zero_done": 1, "leak_check_passed": 1]) { a, _ in a }), into: &all)
        }
        return all
    }

    /// Warm-up, zero, leak check, oil, probe prompt acknowledged: sampling and the first mode's load.
    mutating func startSampling(_ procedure: inout EmissionProcedure) -> [ProcedureAction] {
        var all: [ProcedureAction] = []
        procedure.begin(at: SampleMaker.at(0), into: &all)
        all += feed(&procedure, for: 200, ["zero_done": 0, "leak_check_passed": 0])
        all += feed(&procedure, for: 300, ["zeroing": 1, "zero_done": 0, "leak_check_passed": 0])
        all += feed(&procedure, for: 100, ["leak_check_passed": 0])
        all += feed(&procedure, for: 300, ["leak_checking": 1, "leak_check_passed": 0])
        all += feed(&procedure, for: 200, [:])
        let probe = try! #require(all.compactMap { if case .prompt(let p) = $0, p.expects == .confirm { p } else { nil } }.last)
        procedure.acknowledge(PromptAcknowledgement(prompt: probe.id, time: SampleMaker.at(ms)), into: &all)
        return all
    }

    static func gas(speed: Double, load: Double, co: Double = 0.1, hc: Double = 30, no: Double = 300) -> [String: Double] {
        ["dyno_speed_kmh": speed, "dyno_load_kw": load, "co_pct": co, "hc_ppm": hc, "no_ppm": no, "engine_rpm": 1500]
    }

    static func commands(_ actions: [ProcedureAction]) -> [(String, Double)] {
        actions.compactMap { if case .command(let c) = $0 { (c.name, c.value) } else { nil } }
    }

    @Test mutating func averagesEachModeInsideItsWindowsAndUnloadsTheDynamometer() throws {
        var procedure = try EmissionProcedure(rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, configuration: Self.configuration)
        var all = startSampling(&procedure)
        let started = Self.commands(all)
        #expect(started.map(\.0).suffix(2) == ["sampling", "dyno_load_setpoint_kw"])
        #expect(abs((started.last?.1 ?? 0) - Self.load5025) < 1e-9)
        #expect(all.contains { if case .prompt(let p) = $0 { p.text.en.hasPrefix("ASM5025: drive at 25 km/h") } else { false } })
        // Accelerating: below the speed window, nothing is averaged (these gases would fail).
        all += feed(&procedure, for: 4_000, Self.gas(speed: 15, load: 3, co: 5, hc: 900, no: 3000))
        // 5 s stabilise + 10 s window at 25 km/h; 26.5 km/h and 9.4 kW are inside ± 2 km/h, ± 5 %.
        all += feed(&procedure, for: 16_000, Self.gas(speed: 26.5, load: 9.4, co: 0.2, hc: 40, no: 350))
        let second = Self.commands(all).last
        #expect(second?.0 == "dyno_load_setpoint_kw" && abs((second?.1 ?? 0) - Self.load2540) < 1e-9)
        all += feed(&procedure, for: 3_000, Self.gas(speed: 33, load: 7.8, co: 5, hc: 900, no: 3000))
        all += feed(&procedure, for: 16_000, Self.gas(speed: 40, load: 7.84, co: 0.15, hc: 35, no: 280))
        let measured = all.compactMap { if case .measured(.emission(let m)) = $0 { m } else { nil } }
        let m = try #require(measured.first)
        #expect(measured.count == 1)
        #expect(m.method == .asm)
        #expect(abs((m.figures["asm5025_co_pct"] ?? 0) - 0.2) < 1e-9)
        #expect(abs((m.figures["asm5025_hc_ppm"] ?? 0) - 40) < 1e-9)
        #expect(abs((m.figures["asm5025_no_ppm"] ?? 0) - 350) < 1e-9)
        #expect(abs((m.figures["asm5025_speed_kmh"] ?? 0) - 26.5) < 1e-9)
        #expect(abs((m.figures["asm2540_no_ppm"] ?? 0) - 280) < 1e-9)
        #expect(abs((m.figures["asm2540_load_kw"] ?? 0) - 7.84) < 1e-9)
        #expect(Self.commands(all).suffix(2).map(\.0) == ["dyno_load_setpoint_kw", "sampling"])
        #expect(Self.commands(all).suffix(2).map(\.1) == [0, 0])
        #expect(procedure.isFinished)
    }

    @Test mutating func briefExcursionIsLeftOutOfTheAverage() throws {
        var procedure = try EmissionProcedure(rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, configuration: Self.configuration)
        var all = startSampling(&procedure)
        all += feed(&procedure, for: 8_000, Self.gas(speed: 25, load: Self.load5025, co: 0.2))
        // 1 s at 28 km/h (outside 25 ± 2) during the window: not averaged, not an abort.
        all += feed(&procedure, for: 1_000, Self.gas(speed: 28, load: Self.load5025, co: 3))
        all += feed(&procedure, for: 10_000, Self.gas(speed: 25, load: Self.load5025, co: 0.2))
        all += feed(&procedure, for: 18_000, Self.gas(speed: 40, load: Self.load2540))
        #expect(!all.contains { if case .aborted = $0 { true } else { false } })
        let m = try #require(all.compactMap { if case .measured(.emission(let m)) = $0 { m } else { nil } }.first)
        #expect(abs((m.figures["asm5025_co_pct"] ?? 0) - 0.2) < 1e-9)
    }

    @Test mutating func leavingTheLoadWindowWhileSamplingAbortsAndUnloads() throws {
        var procedure = try EmissionProcedure(rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, configuration: Self.configuration)
        var all = startSampling(&procedure)
        all += feed(&procedure, for: 8_000, Self.gas(speed: 25, load: Self.load5025))
        // The load drops to 8 kW (more than 5 % under 9.8 kW) for 3 s: more than the 2 s allowed.
        all += feed(&procedure, for: 3_000, Self.gas(speed: 25, load: 8))
        let abort = try #require(all.compactMap { if case .aborted(let a) = $0 { a } else { nil } }.first)
        #expect(abort.reason.en.contains("ASM5025"))
        #expect(abort.reason.en.contains("left the window"))
        #expect(!all.contains { if case .measured = $0 { true } else { false } })
        #expect(Self.commands(all).suffix(2).map(\.0) == ["sampling", "dyno_load_setpoint_kw"])
        #expect(Self.commands(all).last?.1 == 0)
    }

    @Test mutating func modeNeverReachedTimesOut() throws {
        var procedure = try EmissionProcedure(rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, configuration: Self.configuration)
        var all = startSampling(&procedure)
        all += feed(&procedure, for: 95_000, Self.gas(speed: 20, load: Self.load5025))
        #expect(all.contains { if case .aborted(let a) = $0 { a.reason.en.contains("timed out") } else { false } })
    }

    // MARK: Through the pipeline to the verdicts

    mutating func handle(_ pipeline: inout InspectionPipeline, _ input: PipelineInput) {
        var produced: [PipelineEvent] = []
        pipeline.handle(input, into: &produced)
        events += produced
    }

    /// Runs an emission-only pipeline: preparation, the probe acknowledged, then `phases` of
    /// (milliseconds, values); then the operator finishes the inspection if it is still running.
    mutating func runPipeline(_ phases: [(Int, [String: Double])]) throws -> [VerdictEvent] {
        var pipeline = try Fixtures.pipeline(
            vehicle: Self.vehicle, brake: false, headlamp: false, emissionConfiguration: Self.configuration)
        handle(&pipeline, .start(SampleMaker.at(0)))
        let preparation: [(Int, [String: Double])] = [
            (200, ["zero_done": 0, "leak_check_passed": 0]), (300, ["zeroing": 1, "zero_done": 0, "leak_check_passed": 0]),
            (100, ["leak_check_passed": 0]), (300, ["leak_checking": 1, "leak_check_passed": 0]), (200, [:]),
        ]
        func run(_ list: [(Int, [String: Double])], _ test: inout ASMProcedureTests, _ pipeline: inout InspectionPipeline) {
            for (duration, values) in list {
                for _ in 0..<(duration / 100) {
                    test.ms += 100
                    let merged = values.merging(["oil_temp_c": 85, "zero_done": 1, "leak_check_passed": 1]) { a, _ in a }
                    test.handle(&pipeline, .sample(test.maker.make(ms: test.ms, merged)))
                }
            }
        }
        run(preparation, &self, &pipeline)
        let probe = try #require(events.compactMap { if case .prompt(let p) = $0, p.expects == .confirm { p } else { nil } }.last)
        handle(&pipeline, .acknowledgement(PromptAcknowledgement(prompt: probe.id, time: SampleMaker.at(ms))))
        run(phases, &self, &pipeline)
        if !pipeline.isFinished { handle(&pipeline, .finish(SampleMaker.at(ms + 100))) }
        return events.compactMap { if case .verdict(let v) = $0, v.item.id.hasPrefix("emission.") { v } else { nil } }
    }

    @Test mutating func cleanCarPassesEveryASMItem() throws {
        let verdicts = try runPipeline([
            (16_000, Self.gas(speed: 25, load: Self.load5025, co: 0.2, hc: 40, no: 350)),
            (16_000, Self.gas(speed: 40, load: Self.load2540, co: 0.15, hc: 35, no: 280)),
        ])
        #expect(Set(verdicts.map(\.item.id)) == [
            "emission.asm5025.co", "emission.asm5025.hc", "emission.asm5025.no",
            "emission.asm2540.co", "emission.asm2540.hc", "emission.asm2540.no",
        ])
        #expect(verdicts.allSatisfy { $0.item.verdict == .pass })
    }

    /// Limit set a: ASM5025 NO ≤ 700 ppm. 720 ppm fails that item and nothing else.
    @Test mutating func noAboveTheASM5025LimitFailsThatItemOnly() throws {
        let verdicts = try runPipeline([
            (16_000, Self.gas(speed: 25, load: Self.load5025, co: 0.2, hc: 40, no: 720)),
            (16_000, Self.gas(speed: 40, load: Self.load2540, co: 0.15, hc: 35, no: 280)),
        ])
        #expect(verdicts.filter { $0.item.verdict != .pass }.map(\.item.id) == ["emission.asm5025.no"])
        #expect(verdicts.first { $0.item.id == "emission.asm5025.no" }?.item.verdict == .fail)
    }

    @Test mutating func speedOutOfWindowLeavesEveryASMItemIncomplete() throws {
        let verdicts = try runPipeline([
            (16_000, Self.gas(speed: 25, load: Self.load5025)),
            (8_000, Self.gas(speed: 40, load: Self.load2540)),
            // 43 km/h is outside 40 ± 2 for 3 s while sampling ASM2540.
            (3_000, Self.gas(speed: 43, load: Self.load2540)),
        ])
        #expect(verdicts.count == 6)
        #expect(verdicts.allSatisfy { $0.item.verdict == .incomplete })
        #expect(events.contains { if case .aborted = $0 { true } else { false } })
    }
}
