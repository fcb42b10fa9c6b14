import LaneCore
import Procedures
import TestScheduling
import Testing

/// The brake station fed with hand-made sample sequences.
@Suite(.offThePool)
struct BrakeProcedureTests {
    var maker = SampleMaker(rig: Fixtures.brakeRig, map: Fixtures.brakeMap)
    var procedure = try! BrakeProcedure(rig: Fixtures.brakeRig, map: Fixtures.brakeMap, configuration: BrakeConfiguration(axles: 2))
    var actions: [ProcedureAction] = []
    var ms = 0

    /// Feeds samples every 10 ms from `ms` for `duration` ms with `values`; returns the actions.
    mutating func feed(for duration: Int, _ values: [String: Double]) -> [ProcedureAction] {
        var all: [ProcedureAction] = []
        for _ in 0..<(duration / 10) {
            ms += 10
            actions.removeAll()
            procedure.handle(maker.make(ms: ms, values), into: &actions)
            all += actions
        }
        return all
    }

    static func commands(_ actions: [ProcedureAction]) -> [RigCommand] {
        actions.compactMap { if case .command(let c) = $0 { c } else { nil } }
    }

    static func stop(_ rig: RigID = Fixtures.brakeRig) -> RigCommand { RigCommand(rig: rig, name: "rollers_run", value: 0) }
    static func run(_ rig: RigID = Fixtures.brakeRig) -> RigCommand { RigCommand(rig: rig, name: "rollers_run", value: 1) }

    /// Brings the procedure to "braking": axle weighed (400 + 380 daN), rollers at speed, drag measured.
    mutating func reachBraking() -> [ProcedureAction] {
        maker.base = ["vehicle_on_rollers": 1, "load_left": 400, "load_right": 380, "axle_load": 780]
        var all: [ProcedureAction] = []
        procedure.begin(at: SampleMaker.at(0), into: &all)
        all += feed(for: 700, [:])
        all += feed(for: 200, ["roller_state": 1])
        all += feed(for: 1600, ["roller_state": 2, "force_left": 8, "force_right": 6])
        return all
    }

    @Test mutating func weighsStartsRollersMeasuresDragThenPromptsToBrake() {
        let all = reachBraking()
        #expect(Self.commands(all) == [Self.run()])
        let prompts = all.compactMap { if case .prompt(let p) = $0 { p.text.en } else { nil } }
        #expect(prompts.count == 2)
        #expect(prompts.last?.hasPrefix("Brake now") == true)
    }

    @Test mutating func slipSampleReturnsStopRollersInTheSameStep() {
        _ = reachBraking()
        for force in stride(from: 20.0, through: 250, by: 10) {
            #expect(Self.commands(feed(for: 10, ["roller_state": 2, "force_left": force, "force_right": force - 5])) == [])
        }
        // The sample that shows the left wheel slipping: the stop comes back from this very call.
        let step = feed(for: 10, ["roller_state": 2, "force_left": 238, "force_right": 250, "slip_left": 1, "slip_left_pct": 22])
        #expect(Self.commands(step) == [Self.stop()])
        let measured = step.compactMap { if case .measured(.brake(let m)) = $0 { m } else { nil } }
        #expect(measured.count == 1)
        let m = measured[0]
        #expect(m.axle == 1 && m.kind == .service)
        #expect(m.lockedLeft && !m.lockedRight)
        #expect(m.peakLeft == 250 && m.peakRight == 250)
        #expect(abs(m.dragLeft - 8) < 1e-9 && abs(m.dragRight - 6) < 1e-9)
        #expect(abs(m.loadLeft - 400) < 1e-9 && abs(m.loadRight - 380) < 1e-9)
        #expect(m.maxRiseDifference == 5)
        #expect(m.quality.isClean)
        #expect(m.curve.left.count == m.curve.right.count && m.curve.left.count > 150)
    }

    @Test mutating func peaksAndRiseDifferenceWithoutSlip() {
        _ = reachBraking()
        // Right side lags: difference grows to 60 during the rise; both peak then release.
        var left = 0.0, right = 0.0
        for i in 1...30 {
            left = Double(i) * 10
            right = max(0, Double(i - 6) * 10)
            _ = feed(for: 10, ["roller_state": 2, "force_left": left, "force_right": right])
        }
        _ = feed(for: 300, ["roller_state": 2, "force_left": 300, "force_right": 280])
        let end = feed(for: 10, ["roller_state": 2, "force_left": 40, "force_right": 30])
        #expect(Self.commands(end) == [Self.stop()])
        guard case .measured(.brake(let m))? = end.first(where: { if case .measured = $0 { true } else { false } }) else {
            Issue.record("no measurement")
            return
        }
        #expect(m.peakLeft == 300 && m.peakRight == 280)
        #expect(m.maxRiseDifference == 60)
        #expect(!m.lockedLeft && !m.lockedRight)
    }

    @Test mutating func vehicleLeavingMidBrakeAbortsWithRollersStoppedAndAsksForRepeat() {
        _ = reachBraking()
        _ = feed(for: 100, ["roller_state": 2, "force_left": 100, "force_right": 90])
        let step = feed(for: 10, ["roller_state": 2, "vehicle_on_rollers": 0])
        #expect(Self.commands(step) == [Self.stop()])
        let aborts = step.compactMap { if case .aborted(let a) = $0 { a } else { nil } }
        #expect(aborts.count == 1)
        #expect(aborts.first?.reason.en == "the vehicle left the rollers")
        #expect(aborts.first?.step == "axle 1 service brake")
        // The repeat prompt asks for a confirmation with the id the abort names.
        let prompt = step.compactMap { if case .prompt(let p) = $0 { p } else { nil } }.last
        #expect(prompt?.expects == .confirm && prompt?.id == aborts.first?.repeatPrompt)
        // Confirming repeats the axle: weighing, then the rollers start again.
        var again: [ProcedureAction] = []
        procedure.acknowledge(PromptAcknowledgement(prompt: prompt!.id, time: SampleMaker.at(ms)), into: &again)
        again += feed(for: 700, ["roller_state": 0])
        #expect(Self.commands(again) == [Self.run()])
    }

    /// Rollers that stop mid-brake are a measured run when the tester stopped them on a slip (fault bit 1), and an
    /// abort when its communication watchdog stopped them (bit 4: it lost the controller, the run has a hole).
    @Test mutating func rollersStoppedByTheTestersWatchdogAbortWhereASlipStopIsMeasured() {
        var slipStop = self
        _ = slipStop.reachBraking()
        _ = slipStop.feed(for: 300, ["roller_state": 2, "force_left": 200, "force_right": 190])
        let measured = slipStop.feed(for: 10, ["roller_state": 3, "force_left": 150, "force_right": 150, "fault_word": 0b10, "slip_left_pct": 22])
        #expect(measured.contains { if case .measured(.brake) = $0 { true } else { false } })
        #expect(!measured.contains { if case .aborted = $0 { true } else { false } })

        _ = reachBraking()
        _ = feed(for: 300, ["roller_state": 2, "force_left": 200, "force_right": 190])
        let step = feed(for: 10, ["roller_state": 3, "force_left": 150, "force_right": 150, "fault_word": 0b1_0000])
        #expect(!step.contains { if case .measured = $0 { true } else { false } })
        let aborts = step.compactMap { if case .aborted(let a) = $0 { a } else { nil } }
        #expect(aborts.map(\.reason.en) == ["the brake tester stopped the rollers itself: it lost contact with the controller"])
        #expect(Self.commands(step) == [Self.stop()])
    }

    @Test mutating func timeOutIsJudgedOnSampleTime() {
        _ = reachBraking()
        // No braking force for the whole allowance (20 s of sample time): aborted, rollers stopped.
        let before = feed(for: 19_900, ["roller_state": 2, "force_left": 8, "force_right": 6])
        #expect(Self.commands(before) == [])
        let after = feed(for: 200, ["roller_state": 2, "force_left": 8, "force_right": 6])
        #expect(Self.commands(after) == [Self.stop()])
        #expect(after.contains { if case .aborted(let a) = $0 { a.reason.en.hasPrefix("timed out") } else { false } })
    }

    @Test mutating func consecutiveTimedOutReadsAbortAsRigFault() {
        _ = reachBraking()
        _ = feed(for: 100, ["roller_state": 2, "force_left": 100, "force_right": 90])
        var step: [ProcedureAction] = []
        for _ in 0..<3 {
            ms += 10
            procedure.handle(maker.make(ms: ms, ["roller_state": 2, "force_left": 100], quality: .timedOut), into: &step)
        }
        #expect(Self.commands(step) == [Self.stop()])
        #expect(step.contains { if case .aborted = $0 { true } else { false } })
    }

    @Test mutating func promptAcknowledgementWithAnotherIdIsIgnored() {
        _ = reachBraking()
        _ = feed(for: 10, ["roller_state": 2, "vehicle_on_rollers": 0])
        var none: [ProcedureAction] = []
        procedure.acknowledge(PromptAcknowledgement(prompt: PromptID("L1.brake#99"), time: SampleMaker.at(ms)), into: &none)
        none += feed(for: 700, ["roller_state": 0])
        #expect(Self.commands(none) == [])
    }

    @Test func mapWithoutTheRunCommandIsRefusedNamingRigAndCommand() {
        var map = Fixtures.brakeMap
        map.commands.removeAll { $0.name == "rollers_run" }
        #expect {
            _ = try BrakeProcedure(rig: Fixtures.brakeRig, map: map, configuration: BrakeConfiguration(axles: 2))
        } throws: { error in
            "\(error)".contains("L1.brake") && "\(error)".contains("rollers_run")
        }
    }
}
