public import Foundation
public import Journal
public import LaneCore
public import LaneTesting
import Logging
public import StationControl
public import Synchronization
import Valet

/// A hand-turned monotonic clock and a wall clock that follows it.
public final class TestClock: Sendable {
    /// Nanoseconds on the monotonic clock (starts at 10 s).
    public let nanoseconds = Mutex<UInt64>(10_000_000_000)

    /// Starts at 10 s monotonic, 2026-11-18 (wall).
    public init() {}

    /// The monotonic time now.
    public var now: MonotonicInstant { MonotonicInstant(nanoseconds: nanoseconds.withLock { $0 }) }

    /// Moves both clocks on by `d`.
    public func advance(_ d: Duration) { nanoseconds.withLock { $0 += UInt64(d.nanosecondsTotal) } }

    /// The wall time now: a fixed origin plus the monotonic time.
    public var wall: WallTime { WallTime(milliseconds: 1_795_000_000_000 + Int64(nanoseconds.withLock { $0 } / 1_000_000)) }
}

/// A live ``StationController`` over a ``ModelLane`` (the profile's first lane) on a virtual clock, with
/// in-process drivers (``TestDrivers``): whole vehicles run through real procedures in seconds, without sockets.
public struct LaneHarness {
    /// The virtual clock the controller and the lane share.
    public let clock = TestClock()
    /// The firmware physics of the profile's first lane.
    public let lane: ModelLane
    /// The controller under test (shift seed: the simulation seed 3).
    public let controller: StationController
    /// The drivers acknowledging prompts.
    public var drivers = TestDrivers()
    /// The station database when the harness was given a folder.
    public let journalPath: String?
    /// The journal the controller writes (nil without a folder).
    public let journal: Journal?
    /// Samples handed to the controller so far.
    public var handled = 0
    /// The wall time `handle` took for them (reported, never asserted).
    public var handleTime: Duration = .zero

    /// A controller for `profile`, journaling to `station.sqlite` in `folder` when one is given.
    public init(profile: LaneProfile, folder: TemporaryFolder? = nil, options: StationController.Options = .init()) throws {
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
        var logger = Logger(label: "test.station")
        logger.logLevel = .warning
        controller = StationController(
            profile: profile, journal: journal, seed: ShiftSeed.forSimulation(3), commands: { lane.apply($0) },
            logger: logger, options: options, clock: { clock.now }, wallClock: { clock.wall })
        let emission = options.emission
        controller.setSimulationHook { cue in
            if case .vehicleEntering(let id, let vehicle, _) = cue, let station = profile.lane(id)?.station(.emission) {
                lane.play(cue, emission: emission(vehicle, station))
            } else {
                lane.play(cue)
            }
        }
    }

    /// Runs the lane and the drivers for up to `limit` of virtual time, until `done` holds; true when it did.
    @discardableResult
    public mutating func run(limit: Duration = .seconds(900), until done: (StationSnapshot) -> Bool) throws -> Bool {
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
