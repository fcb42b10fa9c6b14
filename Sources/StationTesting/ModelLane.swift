import Foundation
public import LaneCore
public import LaneTesting
public import Procedures
public import RigFirmware
public import StationControl
public import Synchronization

/// The rigs of one lane as firmware physics stepped on the test's virtual clock (no sockets): samples encoded the
/// way the register map encodes them, commands applied the moment the controller sends them. Plays the vehicle
/// through the controller's simulation hook, as `DemoTraffic` does on the served rigs.
public final class ModelLane: Sendable {
    /// One rig: its firmware model and its poll schedule.
    public struct Rig: Sendable {
        public var sampler: FirmwareSampler
        public var model: any RigModel
        public var id: RigID { sampler.rig }
    }

    /// The lane's rigs and the faults a test injects (change them through ``state``).
    public struct State: Sendable {
        public var rigs: [Rig]
        public var elapsed: Duration = .zero
        /// Samples of this rig come back with this quality (and the last values) from `from` on.
        public var fault: (rig: RigID, from: Duration, until: Duration, quality: SampleQuality)?
        /// Samples of this rig are flagged late from `from` for `count` samples.
        public var late: (rig: RigID, from: Duration, count: Int)?
    }

    /// The lane whose rigs this plays.
    public let lane: Lane
    let clock: TestClock
    let origin: UInt64
    /// The rigs and injected faults, for tests that look inside or break a rig.
    public let state: Mutex<State>

    /// The rigs of `lane`, each with its firmware model (seeded per station), on `clock`.
    public init(lane: Lane, clock: TestClock) {
        self.lane = lane
        self.clock = clock
        origin = clock.now.nanoseconds
        var rigs: [Rig] = []
        for (i, station) in lane.stations.enumerated() {
            let map = station.rig.map
            let model: any RigModel =
                switch map.kind {
                case .brakeTester: BrakeTesterModel(settings: .init(map.settings), seed: UInt64(13 + i))
                case .headlampTester: HeadlampTesterModel(settings: .init(map.settings), seed: UInt64(13 + i))
                case .exhaustAnalyser: ExhaustAnalyserModel(settings: .init(map.settings), seed: UInt64(13 + i))
                }
            rigs.append(Rig(sampler: FirmwareSampler(rig: station.rig.id, map: map, period: station.rig.pollPeriod), model: model))
        }
        state = Mutex(State(rigs: rigs))
    }

    /// The controller's commands closure for this lane's rigs.
    public func apply(_ command: RigCommand) {
        state.withLock { s in
            for i in s.rigs.indices where s.rigs[i].id == command.rig {
                s.rigs[i].model.advance(to: s.elapsed)
                s.rigs[i].model.apply(command: command.name, value: command.value)
            }
        }
    }

    /// Plays the vehicle: its scenario on every rig when it enters; the last axle kept on the rollers for
    /// the parking brake; the diesel's snaps as the procedure asks.
    public func play(_ cue: SimulationCue, emission: EmissionConfiguration? = nil) {
        switch cue {
        case .vehicleEntering(let laneID, let vehicle, let name):
            guard laneID == lane.id, let scenario = VehicleScenario.named(name ?? "sound_car") else { return }
            state.withLock { s in
                for i in s.rigs.indices {
                    s.rigs[i].model.advance(to: s.elapsed)
                    s.rigs[i].model.load(scenario)
                    if var exhaust = s.rigs[i].model as? ExhaustAnalyserModel {
                        exhaust.finishWarmUp()
                        if vehicle.fuel == .diesel {
                            let n = (emission?.purgeAccelerations ?? 3) + (emission?.measuredAccelerations ?? 3)
                            exhaust.script = EngineScript(
                                name: "free_acceleration_test",
                                segments: [.init(seconds: 6, throttle: 0)]
                                    + Array(repeating: [.init(seconds: 3, throttle: 1), .init(seconds: 8, throttle: 0)], count: n)
                                    .flatMap { $0 },
                                rpmResponse: 0.35)
                        } else {
                            exhaust.script = nil
                        }
                        s.rigs[i].model = exhaust
                    }
                }
            }
        case .prompt(let laneID, let prompt):
            guard laneID == lane.id, prompt.station == .brake, prompt.text.en.hasPrefix("Parking brake") else { return }
            state.withLock { s in
                for i in s.rigs.indices where s.rigs[i].id == prompt.rig {
                    guard var brake = s.rigs[i].model as? BrakeTesterModel, let last = brake.scenario.axles.last else { continue }
                    var parking = brake.scenario
                    parking.axles = [last]
                    brake.advance(to: s.elapsed)
                    brake.load(parking)
                    s.rigs[i].model = brake
                }
            }
        }
    }

    /// Advances the virtual time by `tick` and returns the samples due (the caller feeds them to the controller,
    /// outside this lane's lock: the controller's commands come back into ``apply(_:)``).
    public func step(_ tick: Duration = .milliseconds(10)) -> [Sample] {
        clock.advance(tick)
        return state.withLock { s in
            s.elapsed += tick
            var samples: [Sample] = []
            for i in s.rigs.indices where s.rigs[i].sampler.isDue(at: s.elapsed) {
                s.rigs[i].model.advance(to: s.elapsed)
                let readings = s.rigs[i].model.readings()
                var fault: SampleQuality?
                if let f = s.fault, f.rig == s.rigs[i].id, s.elapsed >= f.from, s.elapsed < f.until { fault = f.quality }
                var late = false
                if let l = s.late, l.rig == s.rigs[i].id, s.elapsed >= l.from, l.count > 0 {
                    late = true
                    s.late!.count -= 1
                }
                let time = MonotonicInstant(nanoseconds: origin + UInt64(s.elapsed.nanosecondsTotal))
                if let sample = s.rigs[i].sampler.sample(readings, at: time, fault: fault, late: late) { samples.append(sample) }
            }
            return samples
        }
    }
}

/// Plays the valet drivers in-process: acknowledges every task that asks for it, through the same
/// `task(for:)` / `acknowledge` calls the handheld API makes, after a human-like pause (4 s for driving the
/// next axle onto the rollers, the firmware's axle change taking 3 s).
public struct TestDrivers: Sendable {
    var seen: [String: Int64] = [:]
    /// `driver:step:prompt` of every acknowledgement, in order.
    public var acknowledged: [String] = []

    /// No prompt seen yet.
    public init() {}

    /// Acknowledges every task whose pause has passed at `nowMs` (the controller's wall clock).
    public mutating func act(_ controller: StationController, nowMs: Int64) throws {
        for driver in controller.profile.drivers {
            guard let task = controller.task(for: driver.id), task.expectsAcknowledgement else { continue }
            let first = seen[task.promptID] ?? nowMs
            seen[task.promptID] = first
            let pause: Int64 = task.en.hasPrefix("Drive axle") ? 4_000 : task.step == "station" ? 1_000 : 200
            guard nowMs - first >= pause else { continue }
            acknowledged.append("\(driver.id):\(task.step):\(task.en.prefix(30))")
            _ = try controller.acknowledge(driver: driver.id, promptID: task.promptID,
                                           plate: task.needsPlateConfirmation ? task.plate : nil)
        }
    }
}
