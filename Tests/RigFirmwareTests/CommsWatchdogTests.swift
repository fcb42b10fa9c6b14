import LaneCore
import LaneTesting
import Profiles
import RigFirmware
import Testing

/// The firmware's communication watchdog (`comms_watchdog_seconds`, 2 s in both maps): a rig whose controller falls
/// silent makes itself safe at the moment the watchdog expires, whatever the controller does afterwards. Time is
/// stepped by hand; ``SimulatedRig/heard(at:)`` stands for the requests a server would answer.
@Suite
struct CommsWatchdogTests {
    static func ms(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }

    /// A brake tester with the sound car's first axle on it and the pedal held released (no slip stop).
    static func brakeRig() throws -> SimulatedRig {
        let rig = SimulatedRig(
            id: "L1.brake", map: try RegisterMapLoader.load(path: Repository().mapFile("brake")), scenario: .soundCar, seed: 3)
        rig.withModel { ControlCommand.ModelChange.pedal(0).apply(to: &$0) }
        return rig
    }

    /// The controller polls every 10 ms from `start` to `end` (seconds).
    static func poll(_ rig: SimulatedRig, from start: Double, to end: Double) {
        var t = start
        while t <= end + 1e-9 {
            rig.heard(at: ms(t))
            t += 0.01
        }
    }

    static let stoppedSilent = Int(BrakeTesterModel.Fault.stoppedControllerSilent)

    @Test func theMapsArmTheWatchdogForTwoSeconds() throws {
        let repository = try Repository()
        for kind in ["brake", "exhaust"] {
            let rig = SimulatedRig(id: "x", map: try RegisterMapLoader.load(path: repository.mapFile(kind)))
            #expect(rig.commsWatchdog == .seconds(2), "\(kind)")
        }
        let lamp = SimulatedRig(id: "h", map: try RegisterMapLoader.load(path: repository.mapFile("headlamp")))
        #expect(lamp.commsWatchdog == nil)  // nothing on a headlamp tester moves under the controller's command
    }

    @Test func rollersStopTwoSecondsAfterTheLastRequestAndTheFaultWordSaysWhy() throws {
        let rig = try Self.brakeRig()
        Self.poll(rig, from: 0, to: 0.1)
        rig.command("rollers_run", value: 1, at: Self.ms(0.1))
        Self.poll(rig, from: 0.11, to: 3)
        var r = rig.readings(at: Self.ms(3))
        #expect(r["roller_state"] == 2)
        // Silent since 3 s: still running at 4.9 s (nobody asked, but the physics is the same).
        r = rig.readings(at: Self.ms(4.9))
        #expect(r["roller_state"] == 2)
        #expect(r["rollers_running"] == 1)
        #expect(Int(r["fault_word"]!) & Self.stoppedSilent == 0)
        #expect(rig.watchdogTrips == 0)
        // The watchdog expired at 5.0 s: at 5.5 s the rollers have coasted half way down (1 s from 2.5 km/h to 0).
        r = rig.readings(at: Self.ms(5.5))
        #expect(r["roller_state"] == 3)
        #expect(abs(r["roller_speed"]! - 1.25) < 0.05, "\(r["roller_speed"]!)")
        #expect(r["rollers_running"] == 0)
        #expect(Int(r["fault_word"]!) & Self.stoppedSilent != 0)
        #expect(rig.watchdogTrips == 1)
        // The controller is back: the rollers stay stopped until it starts them again, which clears the flag.
        Self.poll(rig, from: 7, to: 7.5)
        r = rig.readings(at: Self.ms(7.5))
        #expect(r["roller_state"] == 0)
        #expect(Int(r["fault_word"]!) & Self.stoppedSilent != 0)
        rig.command("rollers_run", value: 1, at: Self.ms(7.5))
        Self.poll(rig, from: 7.51, to: 10)
        r = rig.readings(at: Self.ms(10))
        #expect(r["roller_state"] == 2)
        #expect(Int(r["fault_word"]!) & Self.stoppedSilent == 0)
        #expect(rig.watchdogTrips == 1)
    }

    @Test func aControllerThatKeepsAskingIsNeverCutOff() throws {
        let rig = try Self.brakeRig()
        rig.heard(at: .zero)
        rig.command("rollers_run", value: 1, at: .zero)
        // Requests 1.9 s apart: late, but inside the watchdog.
        for step in 1...10 { rig.heard(at: Self.ms(1.9 * Double(step))) }
        let r = rig.readings(at: Self.ms(19))
        #expect(r["roller_state"] == 2)
        #expect(Int(r["fault_word"]!) & Self.stoppedSilent == 0)
        #expect(rig.watchdogTrips == 0)
    }

    @Test func aRigNeverHeardAndARigAtRestDoNotTrip() throws {
        // Stepped by hand without a server: the watchdog is not armed.
        let unheard = try Self.brakeRig()
        unheard.command("rollers_run", value: 1, at: .zero)
        #expect(unheard.readings(at: Self.ms(30))["roller_state"] == 2)
        #expect(unheard.watchdogTrips == 0)
        // Heard, then silent with nothing running: there is nothing to make safe.
        let idle = try Self.brakeRig()
        idle.heard(at: .zero)
        let r = idle.readings(at: Self.ms(30))
        #expect(r["roller_state"] == 0)
        #expect(Int(r["fault_word"]!) & Self.stoppedSilent == 0)
        #expect(idle.watchdogTrips == 0)
    }

    @Test func aLoadedDynamometerIsUnloadedWhenTheControllerFallsSilent() throws {
        let rig = SimulatedRig(
            id: "L1.exhaust", map: try RegisterMapLoader.load(path: Repository().mapFile("exhaust")), scenario: .soundCar, seed: 5)
        rig.withModel { ControlCommand.ModelChange.warm.apply(to: &$0) }
        let unloaded = Int(ExhaustAnalyserModel.Fault.unloadedControllerSilent)
        Self.poll(rig, from: 0, to: 0.5)
        rig.command("sampling", value: 1, at: Self.ms(0.5))
        rig.command("dyno_load_setpoint_kw", value: 9.8, at: Self.ms(0.5))
        Self.poll(rig, from: 0.5, to: 12)
        var r = rig.readings(at: Self.ms(12))
        #expect(abs(r["dyno_load_kw"]! - 9.8) < 0.2)
        let setpoint = try #require(rig.map.command("dyno_load_setpoint_kw"))
        #expect(rig.image(at: Self.ms(12)).holdingRegisters[setpoint.address] == 980)  // 9.8 kW × 100 reads back
        // Silent from 12 s: unloaded at 14 s; by 20 s the absorbed power has decayed and the setpoint reads 0.
        r = rig.readings(at: Self.ms(20))
        #expect(r["dyno_load_kw"]! < 0.1)
        #expect(Int(r["fault_word"]!) & unloaded != 0)
        #expect(rig.watchdogTrips == 1)
        #expect(rig.image(at: Self.ms(20)).holdingRegisters[setpoint.address] == 0)
        // The next load written clears the flag.
        Self.poll(rig, from: 20, to: 20.5)
        rig.command("dyno_load_setpoint_kw", value: 9.8, at: Self.ms(20.5))
        #expect(Int(rig.readings(at: Self.ms(20.6))["fault_word"]!) & unloaded == 0)
    }
}
