import RigFirmware
import TestScheduling
import Testing

@Suite(.offThePool)
struct HeadlampTesterModelTests {
    static func advance(_ model: inout HeadlampTesterModel, to seconds: Double) {
        model.advance(to: .milliseconds(Int64(seconds * 1000)))
    }

    @Test func lampBecomesReadyAfterTheSettleTimeWithAValueNearTheTruth() {
        var model = HeadlampTesterModel(seed: 3)
        model.load(.soundCar)
        model.apply(command: "measure_left", value: 1)
        Self.advance(&model, to: 1.0)
        var readings = model.readings()
        #expect(readings["measuring"] == 1)
        #expect(readings["left_low_ready"] == 0)
        #expect(readings["left_centre_height_mm"] == 700)
        #expect(model.commandStates["measure_left"] == 1)
        Self.advance(&model, to: 2.6)
        readings = model.readings()
        #expect(readings["left_low_ready"] == 1)
        #expect(readings["measuring"] == 0)
        #expect(model.commandStates["measure_left"] == 0)
        #expect(abs(readings["left_low_vertical_h"]! - 0.80) < 0.02)
        #expect(abs(readings["left_low_horizontal_mm"]! - -30) < 25)
        // Latched: later reads give the same figures.
        Self.advance(&model, to: 5)
        #expect(model.readings()["left_low_vertical_h"] == readings["left_low_vertical_h"])
    }

    @Test func beamSelectBothMeasuresLowThenHigh() {
        var model = HeadlampTesterModel(seed: 4)
        model.load(.dimLamp)
        model.apply(command: "beam_select", value: 2)
        model.apply(command: "measure_right", value: 1)
        Self.advance(&model, to: 3)
        var readings = model.readings()
        #expect(readings["right_low_ready"] == 1)
        #expect(readings["right_high_ready"] == 0)
        Self.advance(&model, to: 5.1)
        readings = model.readings()
        #expect(readings["right_high_ready"] == 1)
        #expect(abs(readings["right_high_intensity"]! - 9_500) < 500)
        #expect(readings["beam_selected"] == 2)
    }

    @Test func liveReadingsAreNoisierThanTheLatchedResult() {
        var model = HeadlampTesterModel(seed: 5)
        model.load(.soundCar)
        model.apply(command: "beam_select", value: 1)
        model.apply(command: "measure_left", value: 1)
        var spread = 0.0
        for step in 1...20 {
            Self.advance(&model, to: Double(step) * 0.01)
            spread = max(spread, abs(model.readings()["left_high_intensity"]! - 22_000))
        }
        #expect(spread > 500)  // 1 % noise × 7 at the start of the settle time
    }

    @Test func measuringWithoutAVehicleIsRefused() {
        var model = HeadlampTesterModel()
        model.load(.none)
        model.apply(command: "measure_left", value: 1)
        let readings = model.readings()
        #expect(readings["measuring"] == 0)
        #expect(Int(readings["fault_word"]!) & Int(HeadlampTesterModel.Fault.noLamp) != 0)
    }

    @Test func misaimedLampIsMeasuredWhereItPoints() {
        var model = HeadlampTesterModel(seed: 6)
        model.load(.misaimedLamp)
        model.apply(command: "measure_left", value: 1)
        Self.advance(&model, to: 3)
        let readings = model.readings()
        #expect(abs(readings["left_low_vertical_h"]! - 0.96) < 0.02)
        #expect(abs(readings["left_low_horizontal_mm"]! - 420) < 25)
    }
}

@Suite(.offThePool)
struct ExhaustAnalyserModelTests {
    static func advance(_ model: inout ExhaustAnalyserModel, to seconds: Double) {
        model.advance(to: .milliseconds(Int64((seconds * 1000).rounded())))
    }

    @Test func commandsAreRefusedUntilWarmedUp() {
        var model = ExhaustAnalyserModel(seed: 1)
        model.load(.soundCar)
        Self.advance(&model, to: 10)
        var readings = model.readings()
        #expect(readings["warming_up"] == 1)
        #expect(readings["warmup_remaining_s"] == 20)
        model.apply(command: "sampling", value: 1)
        readings = model.readings()
        #expect(readings["sampling"] == 0)
        #expect(Int(readings["fault_word"]!) & Int(ExhaustAnalyserModel.Fault.notWarm) != 0)
        Self.advance(&model, to: 30)
        readings = model.readings()
        #expect(readings["warming_up"] == 0)
        model.apply(command: "sampling", value: 1)
        #expect(model.readings()["sampling"] == 1)
    }

    @Test func zeroAndLeakCheckTakeTheirTime() {
        var model = ExhaustAnalyserModel(seed: 1)
        model.load(.soundCar)
        model.finishWarmUp()
        Self.advance(&model, to: 1)
        // Before zeroing the bench drifts: about 12 ppm HC on ambient air.
        #expect(model.readings()["hc_ppm"]! > 8)
        model.apply(command: "zero", value: 1)
        Self.advance(&model, to: 5.5)
        #expect(model.readings()["zeroing"] == 1)
        #expect(model.commandStates["zero"] == 1)
        Self.advance(&model, to: 6.1)
        var readings = model.readings()
        #expect(readings["zeroing"] == 0 && readings["zero_done"] == 1)
        #expect(model.commandStates["zero"] == 0)
        #expect(readings["hc_ppm"]! < 4)
        model.probeLeaking = true
        model.apply(command: "leak_check", value: 1)
        Self.advance(&model, to: 12.2)
        readings = model.readings()
        #expect(readings["leak_check_failed"] == 1 && readings["leak_check_passed"] == 0)
        model.probeLeaking = false
        model.apply(command: "leak_check", value: 1)
        Self.advance(&model, to: 18.3)
        #expect(model.readings()["leak_check_passed"] == 1)
    }

    @Test func readingsFollowTheProbeWithTheT90Lag() {
        var model = ExhaustAnalyserModel(seed: 2)
        model.load(.soundCar)
        model.finishWarmUp()
        model.apply(command: "zero", value: 1)
        Self.advance(&model, to: 5)
        model.apply(command: "sampling", value: 1)
        // Ambient 0.04 % CO2 → about 14.9 % (high idle gas during the precondition): 90 % at T90 = 4.5 s.
        let target = 14.9, start = 0.04
        Self.advance(&model, to: 5 + 2.25)
        let half = model.readings()["co2_pct"]!
        Self.advance(&model, to: 5 + 4.5)
        let atT90 = model.readings()["co2_pct"]!
        #expect(half < start + 0.8 * (target - start))
        #expect(abs(atT90 - (start + 0.9 * (target - start))) < 0.4)
        Self.advance(&model, to: 5 + 20)
        #expect(abs(model.readings()["co2_pct"]! - target) < 0.1)
        // Stopping the pump: the bench falls back to ambient air, again with the lag.
        model.apply(command: "sampling", value: 0)
        Self.advance(&model, to: 5 + 20 + 4.5)
        #expect(abs(model.readings()["co2_pct"]! - (start + 0.1 * (target - start))) < 0.4)
    }

    @Test func engineFollowsTheTwoSpeedIdleScriptAndOilWarms() {
        var model = ExhaustAnalyserModel(seed: 3)
        model.load(.soundCar)
        model.finishWarmUp()
        model.apply(command: "sampling", value: 1)
        Self.advance(&model, to: 1)
        let oilStart = model.readings()["oil_temp_c"]!
        Self.advance(&model, to: 50)
        #expect(abs(model.readings()["engine_rpm"]! - 2_500) < 30)
        Self.advance(&model, to: 100)
        #expect(abs(model.readings()["engine_rpm"]! - 750) < 30)
        #expect(model.readings()["oil_temp_c"]! > oilStart)
    }

    @Test func lambdaOfASoundCarIsNearOneAndOfARichMixtureBelow() {
        func lambda(_ scenario: VehicleScenario) -> Double {
            var model = ExhaustAnalyserModel(seed: 4)
            model.load(scenario)
            model.finishWarmUp()
            model.apply(command: "zero", value: 1)
            Self.advance(&model, to: 5)
            model.apply(command: "sampling", value: 1)
            Self.advance(&model, to: 5 + 110)  // idle part of the two-speed idle
            return model.readings()["lambda"]!
        }
        #expect(abs(lambda(.soundCar) - 1.0) < 0.03)
        #expect(lambda(.richMixture) < 0.95)
        #expect(ExhaustAnalyserModel.lambda(.ambient) == 0)
    }

    @Test func smokyDieselPeaksInEachFreeAcceleration() {
        var model = ExhaustAnalyserModel(seed: 5)
        model.load(.smokyDiesel)
        model.finishWarmUp()
        model.apply(command: "sampling", value: 1)
        var peak = 0.0, idle = 10.0
        for step in 1...4000 {
            Self.advance(&model, to: Double(step) * 0.01)
            let k = model.readings()["opacity_k"]!
            peak = max(peak, k)
            if step > 1500 && step < 1600 { idle = min(idle, k) }
        }
        #expect(peak > 2.8 && peak < 3.3)
        #expect(idle < 0.5)
        var sound = ExhaustAnalyserModel(seed: 5)
        sound.load(.soundCar)
        sound.finishWarmUp()
        sound.apply(command: "sampling", value: 1)
        Self.advance(&sound, to: 20)
        #expect(sound.readings()["opacity_k"]! < 0.05)
    }
}

/// The prompt-following ASM driver on the dynamometer (no forced engine script).
extension ExhaustAnalyserModelTests {
    @Test func asmDriverDrivesEachModeWhenTheControllerWritesItsLoadAndStopsAtZero() {
        var model = ExhaustAnalyserModel(seed: 4)
        model.load(.soundCar)
        model.finishWarmUp()
        model.apply(command: "sampling", value: 1)
        Self.advance(&model, to: 2)
        #expect(model.asmDriver == nil)
        #expect(model.readings()["dyno_speed_kmh"]! < 0.1)  // the two-speed idle script never rolls the car
        // ASM5025: the load written; the driver reacts after 1 s and settles at 25 km/h.
        model.apply(command: "dyno_load_setpoint_kw", value: 9.8)
        #expect(model.asmDriver?.mode == 0)
        Self.advance(&model, to: 2.9)
        #expect(model.readings()["dyno_speed_kmh"]! < 0.1)
        Self.advance(&model, to: 12)
        var readings = model.readings()
        #expect(abs(readings["dyno_speed_kmh"]! - 25) < 0.5)
        #expect(abs(readings["dyno_load_kw"]! - 9.8) < 0.1)
        let no5025 = readings["no_ppm"]!
        #expect(no5025 > 200)  // NO rises with the absorbed power
        // The same load written again is not a new mode.
        model.apply(command: "dyno_load_setpoint_kw", value: 9.8)
        #expect(model.asmDriver?.mode == 0)
        // ASM2540: a new load sends the driver to 40 km/h.
        model.apply(command: "dyno_load_setpoint_kw", value: 7.84)
        #expect(model.asmDriver?.mode == 1)
        Self.advance(&model, to: 24)
        readings = model.readings()
        #expect(abs(readings["dyno_speed_kmh"]! - 40) < 0.5)
        #expect(abs(readings["dyno_load_kw"]! - 7.84) < 0.1)
        // Unloaded: the drive ends and the car comes back to rest.
        model.apply(command: "sampling", value: 0)
        model.apply(command: "dyno_load_setpoint_kw", value: 0)
        #expect(model.asmDriver == nil)
        Self.advance(&model, to: 40)
        readings = model.readings()
        #expect(readings["dyno_speed_kmh"]! < 0.5)
        #expect(readings["dyno_load_kw"]! < 0.1)
    }

    @Test func aForcedScriptKeepsItsOwnTimingWhateverTheLoadWrites() {
        var model = ExhaustAnalyserModel(seed: 5)
        model.load(.soundCar)
        model.finishWarmUp()
        model.script = .asm5025
        model.apply(command: "sampling", value: 1)
        model.apply(command: "dyno_load_setpoint_kw", value: 9.8)
        model.apply(command: "dyno_load_setpoint_kw", value: 7.84)  // a second mode written early
        Self.advance(&model, to: 30)
        // The script still holds 25 km/h (ASM2540 starts at 50 s of its timeline).
        #expect(abs(model.readings()["dyno_speed_kmh"]! - 25) < 0.5)
    }
}
