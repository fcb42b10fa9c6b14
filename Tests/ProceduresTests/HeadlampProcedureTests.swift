import LaneCore
import Procedures
import TestScheduling
import Testing

/// The headlamp station fed with hand-made samples.
@Suite(.offThePool)
struct HeadlampProcedureTests {
    var maker = SampleMaker(rig: Fixtures.headlampRig, map: Fixtures.headlampMap)
    var procedure = try! HeadlampProcedure(rig: Fixtures.headlampRig, map: Fixtures.headlampMap)
    var ms = 0

    mutating func feed(for duration: Int, _ values: [String: Double]) -> [ProcedureAction] {
        var all: [ProcedureAction] = []
        for _ in 0..<(duration / 100) {
            ms += 100
            procedure.handle(maker.make(ms: ms, values), into: &all)
        }
        return all
    }

    static func lastPrompt(_ actions: [ProcedureAction]) -> Prompt? {
        actions.compactMap { if case .prompt(let p) = $0 { p } else { nil } }.last
    }

    mutating func acknowledge(_ prompt: Prompt?) -> [ProcedureAction] {
        var actions: [ProcedureAction] = []
        procedure.acknowledge(PromptAcknowledgement(prompt: prompt!.id, time: SampleMaker.at(ms)), into: &actions)
        return actions
    }

    @Test mutating func measuresLowThenHighBeamPerLampAfterTheDriverConfirms() {
        var actions: [ProcedureAction] = []
        procedure.begin(at: SampleMaker.at(0), into: &actions)
        let low = Self.lastPrompt(actions)
        #expect(low?.expects == .confirm && low?.text.en.contains("low beam") == true)
        // Nothing is commanded before the driver confirms.
        #expect(feed(for: 1000, [:]).isEmpty)
        let commands = acknowledge(low)
        #expect(
            commands == [
                .command(RigCommand(rig: Fixtures.headlampRig, name: "beam_select", value: 0)),
                .command(RigCommand(rig: Fixtures.headlampRig, name: "measure_left", value: 1)),
            ])
        // Settling: readings jump around, then the tester latches a stable result.
        _ = feed(for: 300, ["measuring": 1, "left_low_intensity": 700, "left_low_vertical_h": 0.7])
        _ = feed(for: 200, ["measuring": 1, "left_low_intensity": 900, "left_low_vertical_h": 0.83])
        let latched: [String: Double] = [
            "left_low_intensity": 850, "left_low_vertical_h": 0.8, "left_low_horizontal_mm": -30, "left_low_ready": 1,
            "left_centre_height_mm": 700,
        ]
        let after = feed(for: 500, latched)
        let high = Self.lastPrompt(after)
        #expect(high?.text.en.contains("high beam") == true)
        #expect(acknowledge(high).count == 2)
        _ = feed(for: 200, ["measuring": 1])
        var highValues = latched
        highValues["left_high_intensity"] = 22_000
        highValues["left_high_ready"] = 1
        highValues["left_high_vertical_h"] = 0.9
        let done = feed(for: 500, highValues)
        let measured = done.compactMap { if case .measured(.headlamp(let m)) = $0 { m } else { nil } }
        #expect(measured.count == 1)
        #expect(measured.first?.side == .left)
        #expect(measured.first?.lowIntensityCd == 850 && measured.first?.highIntensityCd == 22_000)
        #expect(measured.first?.lowVerticalH == 0.8 && measured.first?.centreHeightMm == 700)
        // Then the right lamp.
        #expect(Self.lastPrompt(done)?.text.en.contains("right lamp") == true)
    }

    @Test mutating func noStableReadingInTimeAbortsTheLamp() {
        var actions: [ProcedureAction] = []
        procedure.begin(at: SampleMaker.at(0), into: &actions)
        _ = acknowledge(Self.lastPrompt(actions))
        var toggle = false
        var all: [ProcedureAction] = []
        for _ in 0..<250 {
            toggle.toggle()
            all += feed(for: 100, ["left_low_ready": 1, "left_low_intensity": toggle ? 800 : 900])
        }
        #expect(all.contains { if case .aborted(let a) = $0 { a.reason.en.contains("no stable reading") } else { false } })
        #expect(!all.contains { if case .measured = $0 { true } else { false } })
    }
}
