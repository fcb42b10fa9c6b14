import Foundation
import Journal
import LaneCore
import LaneTesting
import Logging
import Profiles
import RigFirmware
import StationControl
import Synchronization
import Valet

/// A hand-turned monotonic clock and a wall clock that follows it.
final class TestClock: Sendable {
    let nanoseconds = Mutex<UInt64>(10_000_000_000)
    var now: MonotonicInstant { MonotonicInstant(nanoseconds: nanoseconds.withLock { $0 }) }
    func advance(_ d: Duration) { nanoseconds.withLock { $0 += UInt64(d.nanosecondsTotal) } }
    var wall: WallTime { WallTime(milliseconds: 1_795_000_000_000 + Int64(nanoseconds.withLock { $0 } / 1_000_000)) }
}

/// Records the rig commands the controller sends.
final class CommandLog: Sendable {
    let commands = Mutex<[RigCommand]>([])
    var all: [RigCommand] { commands.withLock { $0 } }
    func record(_ c: RigCommand) { commands.withLock { $0.append(c) } }
}

enum Fixtures {
    static let profile: LaneProfile = {
        let path = try! Repository(filePath: #filePath).demoProfile
        return try! ProfileLoader(scenarios: VehicleScenario.names, faults: RigFault.names).load(path: path)
    }()

    /// The demo profile with lane L1 reduced to the given stations (drive order kept).
    static func profile(l1 stations: [StationKind]) -> LaneProfile {
        var p = profile
        p.lanes[0].stations = p.lanes[0].stations.filter { stations.contains($0.kind) }
        return p
    }

    static func car(_ plate: String = "鲁G·12345", scenario: String? = "sound_car", diesel: Bool = false) -> CheckInRequest {
        var v = Vehicle(plate: plate)
        v.vin = "LSVAU218XN2183294"
        v.typeCode = "K33"
        v.category = "M1"
        v.passengerCar = true
        v.seats = 5
        v.usePhase = .inUse
        v.serviceBrake = .hydraulic
        v.maxTotalMassKg = 1_800
        v.curbMassKg = 1_400
        v.headlampSystem = 2
        v.maxDesignSpeedKmh = 180
        v.firstRegistered = "2018-05-01"
        v.fuel = diesel ? .diesel : .gasoline
        v.aspiration = diesel ? .turbo : .natural
        v.emissionLimitSet = "a"
        v.axles = 2
        return CheckInRequest(vehicle: v, scenario: scenario)
    }

    static let logger = Logger(label: "test.station")

    /// A controller on a virtual clock with a recorded command log, optionally journaled.
    static func controller(
        profile: LaneProfile = Fixtures.profile, journal: Journal? = nil, clock: TestClock = TestClock(),
        log: CommandLog = CommandLog(), options: StationController.Options = .init(), seed: UInt64 = 7
    ) -> StationController {
        StationController(
            profile: profile, journal: journal, seed: ShiftSeed.forSimulation(seed), commands: { log.record($0) },
            logger: logger, options: options, clock: { clock.now }, wallClock: { clock.wall })
    }
}

/// The dispatch audit and the chain check of a journal, as `lanectl journal verify` and `lanectl dispatch verify` run them.
func verifyJournal(_ path: String, shift: String) throws -> (chain: VerificationReport, audit: DrawAudit.Report) {
    let chain = try Journal.verify(path: path)
    let entries = try DispatchJournal.entries(of: ShiftID(shift), in: Journal(readingAt: path))
    return (chain, DrawAudit.verify(entries, shift: ShiftID(shift)))
}

extension Fixtures {
    /// The demo profile with lane L1 only (every vehicle goes there), reduced to `stations`.
    static func singleLane(_ stations: [StationKind] = [.emission, .headlamp, .brake]) -> LaneProfile {
        var p = profile(l1: stations)
        p.lanes = [p.lanes[0]]
        return p
    }
}

/// A controller over a ``ModelLane`` on a virtual clock, with in-process drivers.
struct LaneHarness {
    let clock = TestClock()
    let lane: ModelLane
    let controller: StationController
    var drivers = TestDrivers()
    let journalPath: String?
    let journal: Journal?

    init(profile: LaneProfile = Fixtures.singleLane(), folder: TemporaryFolder? = nil, options: StationController.Options = .init())
        throws
    {
        let lane = ModelLane(lane: profile.lanes[0], clock: clock)
        self.lane = lane
        if let folder {
            let path = folder.url.appendingPathComponent("station.sqlite").path
            journalPath = path
            journal = try Journal(path: path, now: clock.wall)
        } else {
            journalPath = nil
            journal = nil
        }
        let clock = self.clock
        controller = StationController(
            profile: profile, journal: journal, seed: ShiftSeed.forSimulation(3), commands: { lane.apply($0) },
            logger: Fixtures.logger, options: options, clock: { clock.now }, wallClock: { clock.wall })
        let emission = options.emission
        controller.setSimulationHook { cue in
            if case .vehicleEntering(let id, let vehicle, _) = cue, let station = profile.lane(id)?.station(.emission) {
                lane.play(cue, emission: emission(vehicle, station))
            } else {
                lane.play(cue)
            }
        }
    }

    /// Runs the lane and the drivers for up to `limit` of virtual time, until `done` holds.
    /// Samples handed to the controller and the wall time `handle` took for them (reported, never asserted).
    var handled = 0
    var handleTime: Duration = .zero

    @discardableResult
    mutating func run(limit: Duration = .seconds(900), until done: (StationSnapshot) -> Bool) throws -> Bool {
        let steps = Int(limit.seconds * 100)
        let wall = ContinuousClock()
        for step in 0..<steps {
            for sample in lane.step() {
                let start = wall.now
                controller.handle(sample)
                handleTime += wall.now - start
                handled += 1
            }
            try drivers.act(controller, nowMs: clock.wall.milliseconds)
            if step % 100 == 0 { controller.tick() }
            if step % 20 == 0, done(controller.snapshot()) { return true }
        }
        return done(controller.snapshot())
    }
}
