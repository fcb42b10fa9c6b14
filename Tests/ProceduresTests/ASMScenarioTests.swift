import InspectionRules
import LaneCore
import Procedures
import RigFirmware
import TestScheduling
import Testing

/// The ASM test against the RigFirmware exhaust analyser and its chassis dynamometer, stepped by
/// hand (no sockets): the dynamometer absorbs the load the procedure writes, the simulated driver
/// follows the `asm` engine script.
@Suite(.offThePool)
struct ASMScenarioTests {
    static func inspect(_ scenario: VehicleScenario) throws -> SimulatedLane {
        var lane = SimulatedLane(
            pipeline: try Fixtures.pipeline(
                vehicle: ASMProcedureTests.vehicle, brake: false, headlamp: false,
                emissionConfiguration: ASMProcedureTests.configuration),
            scenario: scenario)
        lane.exhaustModel.script = .asm5025
        lane.run(limit: .seconds(400))
        return lane
    }

    static let asmItems = [
        "emission.asm2540.co", "emission.asm2540.hc", "emission.asm2540.no",
        "emission.asm5025.co", "emission.asm5025.hc", "emission.asm5025.no",
    ]

    @Test func soundCarPassesBothModesOnTheSimulatedDynamometer() throws {
        let lane = try Self.inspect(.soundCar)
        #expect(lane.pipeline.isFinished)
        #expect(lane.aborts.isEmpty)
        #expect(lane.verdicts.map(\.item.id).sorted() == Self.asmItems)
        #expect(lane.notPassing == [])
        let emission = try #require(lane.measurements.compactMap { if case .emission(let m) = $0 { m } else { nil } }.first)
        #expect(emission.method == .asm)
        // The dynamometer absorbed what the procedure asked for (within the ± 5 % window).
        let load5025 = try #require(emission.figures["asm5025_load_kw"])
        let load2540 = try #require(emission.figures["asm2540_load_kw"])
        #expect(abs(load5025 - ASMProcedureTests.load5025) <= 0.05 * ASMProcedureTests.load5025)
        #expect(abs(load2540 - ASMProcedureTests.load2540) <= 0.05 * ASMProcedureTests.load2540)
        #expect(abs((emission.figures["asm5025_speed_kmh"] ?? 0) - 25) <= 2)
        #expect(abs((emission.figures["asm2540_speed_kmh"] ?? 0) - 40) <= 2)
        // NO rises with the load: more at 25 km/h / 9.8 kW than at idle (60 ppm), under the 700 ppm limit.
        #expect((emission.figures["asm5025_no_ppm"] ?? 0) > 200)
        // The load was set for each mode and set back to 0 at the end.
        let setpoints = lane.events.compactMap { if case .command(let c) = $0, c.name == "dyno_load_setpoint_kw" { c.value } else { nil } }
        #expect(setpoints.count == 3)
        #expect(setpoints.last == 0)
    }

    @Test func richMixtureFailsTheASMCarbonMonoxideAndHydrocarbonItems() throws {
        let lane = try Self.inspect(.richMixture)
        #expect(lane.aborts.isEmpty)
        #expect(lane.failing.contains("emission.asm5025.co"))
        #expect(lane.failing.contains("emission.asm2540.hc"))
        #expect(lane.failing.allSatisfy { $0.hasPrefix("emission.asm") && !$0.hasSuffix(".no") })
        #expect(lane.notPassing == lane.failing)
    }
}
