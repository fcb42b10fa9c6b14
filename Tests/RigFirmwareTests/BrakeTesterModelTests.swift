import RigFirmware
import TestScheduling
import Testing

/// The brake tester's physics, fed with time by hand (10 ms steps like a 100 Hz poller).
@Suite(.offThePool)
struct BrakeTesterModelTests {
    /// Runs the model for `seconds` from `start`, reading every 10 ms.
    static func run(
        _ model: inout BrakeTesterModel, from start: Double, for seconds: Double, _ each: (Double, [String: Double]) -> Void = { _, _ in }
    ) -> Double {
        var t = start
        while t < start + seconds - 1e-9 {
            t += 0.01
            model.advance(to: .milliseconds(Int64((t * 1000).rounded())))
            each(t, model.readings())
        }
        return t
    }

    struct Run {
        var peakLeft = 0.0, peakRight = 0.0
        var slipLeft = false, slipRight = false
        var maxRiseDifference = 0.0
        var dragLeft: [Double] = [], dragRight: [Double] = []
        var stoppedBySlip = false
        var end = 0.0
    }

    /// Starts the rollers on the axle on them and records one brake run until the rollers stop.
    static func brakeRun(_ model: inout BrakeTesterModel, from start: Double) -> Run {
        var run = Run()
        model.apply(command: "rollers_run", value: 1)
        var peaksDone = false
        run.end = Self.run(&model, from: start, for: 14) { _, r in
            if r["drag_phase"] == 1 {
                run.dragLeft.append(r["force_left"]!)
                run.dragRight.append(r["force_right"]!)
            }
            let (l, rr) = (r["force_left"]!, r["force_right"]!)
            if l >= run.peakLeft { run.peakLeft = l } else if l < run.peakLeft - 20 { peaksDone = true }
            if rr >= run.peakRight { run.peakRight = rr } else if rr < run.peakRight - 20 { peaksDone = true }
            if !peaksDone { run.maxRiseDifference = max(run.maxRiseDifference, abs(l - rr)) }
            run.slipLeft = run.slipLeft || r["slip_left"] == 1
            run.slipRight = run.slipRight || r["slip_right"] == 1
            if Int(r["fault_word"]!) & Int(BrakeTesterModel.Fault.stoppedOnSlip) != 0 { run.stoppedBySlip = true }
        }
        return run
    }

    @Test func rollersSpinUpAndTheScaleWeighsTheAxle() {
        var model = BrakeTesterModel(seed: 7)
        model.load(.soundCar)
        model.apply(command: "rollers_run", value: 1)
        var readings: [String: Double] = [:]
        _ = Self.run(&model, from: 0, for: 0.5) { _, r in readings = r }
        #expect(readings["roller_state"] == 1)
        #expect(readings["ready"] == 0)
        _ = Self.run(&model, from: 0.5, for: 1.5) { _, r in readings = r }
        #expect(readings["roller_state"] == 2)
        #expect(abs(readings["roller_speed"]! - 2.5) < 1e-9)
        #expect(readings["ready"] == 1)
        #expect(readings["vehicle_on_rollers"] == 1)
        // 400 daN per wheel plus the scale's zero offset (about 1.5 daN) until the scale is zeroed.
        #expect(abs(readings["load_left"]! - 401.5) < 1.5)
        #expect(abs(readings["axle_load"]! - 802.7) < 3)
    }

    @Test func soundCarShowsDragThenFrontWheelsSlipAtTheirGripAndTheRollersStopThemselves() {
        var model = BrakeTesterModel(seed: 1)
        model.load(.soundCar)
        let run = Self.brakeRun(&model, from: 0)
        // Drag measured with the pedal released: 8 and 7 daN.
        #expect(!run.dragLeft.isEmpty)
        let dragLeft = run.dragLeft.reduce(0, +) / Double(run.dragLeft.count)
        #expect(abs(dragLeft - 8) < 0.5)
        // Grip 0.7 × 400 daN = 280 daN: the brake (330 daN) is stronger, so the wheels slip there.
        #expect(run.peakLeft > 275 && run.peakLeft < 284)
        #expect(run.slipLeft && run.slipRight)
        #expect(run.stoppedBySlip)
        let readings = model.readings()
        #expect(readings["rollers_running"] == 0)
        #expect(readings["roller_state"] == 0)
    }

    @Test func afterARunTheNextAxleComesOntoTheRollers() {
        var model = BrakeTesterModel(seed: 2)
        model.load(.soundCar)
        var t = Self.brakeRun(&model, from: 0).end
        #expect(model.axleIndex == 0 || model.axleIndex == 1)
        t = Self.run(&model, from: t, for: 5)
        #expect(model.axleIndex == 1)
        // Rear axle: 180 and 176 daN, below the grip of 0.7 × 300 = 210 daN: no slip, no automatic stop.
        let rear = Self.brakeRun(&model, from: t)
        #expect(abs(rear.peakLeft - (180 + 6)) < 3)
        #expect(!rear.slipLeft && !rear.slipRight)
        #expect(!rear.stoppedBySlip)
        // The rollers run until told to stop.
        #expect(model.readings()["rollers_running"] == 1)
        model.apply(command: "rollers_run", value: 0)
        t = Self.run(&model, from: rear.end, for: 1.2)
        #expect(model.readings()["roller_state"] == 0)
        // After the last axle the vehicle leaves.
        _ = Self.run(&model, from: t, for: 4)
        #expect(model.axleIndex == nil)
        #expect(model.readings()["vehicle_on_rollers"] == 0)
    }

    @Test func withoutAutomaticStopTheRollersKeepTurningAfterASlip() {
        var settings = BrakeTesterModel.Settings()
        settings.autoStopOnSlip = false
        var model = BrakeTesterModel(settings: settings, seed: 3)
        model.load(.soundCar)
        let run = Self.brakeRun(&model, from: 0)
        #expect(run.slipLeft)
        #expect(!run.stoppedBySlip)
        #expect(model.readings()["rollers_running"] == 1)
    }

    @Test func weakRearBrakeReachesOnlyItsCapacity() {
        var model = BrakeTesterModel(seed: 4)
        model.load(.weakRearBrake)
        var t = Self.brakeRun(&model, from: 0).end
        t = Self.run(&model, from: t, for: 5)
        let rear = Self.brakeRun(&model, from: t)
        #expect(abs(rear.peakLeft - (60 + 6)) < 3)
        #expect(abs(rear.peakRight - (45 + 6)) < 3)
    }

    @Test func pullingFrontAxleShowsImbalanceOverTheRise() {
        var model = BrakeTesterModel(seed: 5)
        model.load(.pullingFrontAxle)
        let run = Self.brakeRun(&model, from: 0)
        let imbalance = run.maxRiseDifference / max(run.peakLeft, run.peakRight)
        #expect(imbalance > 0.2)
        var sound = BrakeTesterModel(seed: 5)
        sound.load(.soundCar)
        let soundRun = Self.brakeRun(&sound, from: 0)
        #expect(soundRun.maxRiseDifference / max(soundRun.peakLeft, soundRun.peakRight) < 0.08)
    }

    @Test func rollersRefuseToStartWithoutAVehicle() {
        var model = BrakeTesterModel()
        model.load(.none)
        model.apply(command: "rollers_run", value: 1)
        _ = Self.run(&model, from: 0, for: 1)
        let readings = model.readings()
        #expect(readings["roller_state"] == 0)
        #expect(Int(readings["fault_word"]!) & Int(BrakeTesterModel.Fault.startRefused) != 0)
    }

    @Test func scaleZeroRemovesTheOffsetOnlyWhenEmpty() {
        var model = BrakeTesterModel(seed: 9)
        model.load(.soundCar)
        model.apply(command: "scale_zero", value: 1)
        #expect(Int(model.readings()["fault_word"]!) & Int(BrakeTesterModel.Fault.zeroRefused) != 0)
        model.load(.none)
        _ = Self.run(&model, from: 0, for: 2)
        #expect(abs(model.readings()["load_left"]! - 1.5) < 0.8)
        model.apply(command: "scale_zero", value: 1)
        #expect(model.readings()["scale_zeroing"] == 1)
        #expect(model.commandStates["scale_zero"] == 1)
        _ = Self.run(&model, from: 2, for: 1.1)
        #expect(model.readings()["scale_zeroing"] == 0)
        #expect(model.commandStates["scale_zero"] == 0)
        #expect(abs(model.readings()["load_left"]!) < 0.8)
    }

    @Test func sameSeedGivesTheSameReadings() {
        func trace(_ seed: UInt64) -> [Double] {
            var model = BrakeTesterModel(seed: seed)
            model.load(.soundCar)
            model.apply(command: "rollers_run", value: 1)
            var values: [Double] = []
            _ = Self.run(&model, from: 0, for: 6) { _, r in values.append(r["force_left"]!) }
            return values
        }
        #expect(trace(42) == trace(42))
        #expect(trace(42) != trace(43))
    }
}
