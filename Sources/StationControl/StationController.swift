public import Foundation
import InspectionRules
public import Journal
public import LaneCore
public import Logging
import Procedures
public import ServiceLifecycle
import Synchronization
public import Valet

/// The live station behind the server, with no HTTP in it: Valet's dispatcher (queue, drivers, the auditable
/// draw), one vehicle per lane running the profile's stations one after the other through the procedures, the
/// drivers' handheld tasks, and the journal.
///
/// Every call takes one lock for microseconds and never waits for I/O: journal writes go to a serial writer
/// thread, rig commands to `commands` (the pollers' queues) after the lock is released. Feed every poller sample
/// to ``handle(_:)``; run ``services`` in the station's `ServiceGroup`. See docs/station-control.md.
public final class StationController: Sendable {
    /// The station's profile.
    public let profile: LaneProfile
    public let options: Options
    let state: Mutex<StationCore>
    let commands: @Sendable (RigCommand) throws -> Void
    let logger: Logger
    let writer: JournalWriter?
    let sampleWriter: SampleWriter?
    let clock: @Sendable () -> MonotonicInstant
    let wallClock: @Sendable () -> WallTime
    /// Rig → lane index, fixed at start.
    let rigLanes: [RigID: Int]
    /// Latencies on the controller's clock: sample → journal commit of an item, sample → rollers stop handed on.
    public let latencies: StationLatencies

    /// - Parameters:
    ///   - profile: The station's lanes, stations, rigs and drivers.
    ///   - journal: Where evidence goes; nil for none (tests, `lanectl demo` without `--db`).
    ///   - seed: The first shift's seed (tests and demos that must be reproducible); nil draws a fresh one.
    ///   - commands: Hands a rig command to the rig's link (e.g. `LinkPoller.submit`); called outside the lock,
    ///     in the same call as the sample that asked for it.
    ///   - logger: The station's logger.
    ///   - options: Call mode, time-outs, station configurations.
    ///   - clock: Monotonic time for events that do not come with a sample (the same clock as the pollers').
    ///   - wallClock: Wall time written in the journal.
    public init(
        profile: LaneProfile, journal: Journal?, seed: ShiftSeed? = nil,
        commands: @escaping @Sendable (RigCommand) throws -> Void, logger: Logger, options: Options = Options(),
        clock: @escaping @Sendable () -> MonotonicInstant = StationController.monotonicNow,
        wallClock: @escaping @Sendable () -> WallTime = { WallTime(Date()) }
    ) {
        self.profile = profile
        self.options = options
        self.commands = commands
        self.logger = logger
        self.clock = clock
        self.wallClock = wallClock
        var rigLanes: [RigID: Int] = [:]
        for (i, lane) in profile.lanes.enumerated() { for station in lane.stations { rigLanes[station.rig.id] = i } }
        self.rigLanes = rigLanes
        let latencies = StationLatencies()
        self.latencies = latencies
        // The writer reports failures through a box filled below (the controller does not exist yet).
        let box = ControllerBox()
        let writer = journal.map { journal in
            JournalWriter(journal: journal, logger: logger, latency: (latencies.journalWrite, clock)) { label, error, final in
                box.controller?.journalFailed(label, error, final: final)
            }
        }
        self.writer = writer
        sampleWriter =
            options.journalSamples
            ? journal.map { SampleWriter(journal: $0, logger: logger, wallClock: wallClock) } : nil
        state = Mutex(StationCore(profile: profile, options: options, writer: writer, logger: logger, seed: seed))
        box.controller = self
        writer?.start()
        sampleWriter?.start()
    }

    /// `CLOCK_MONOTONIC` now: the clock the pollers stamp samples with.
    @Sendable public static func monotonicNow() -> MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec))
    }

    // MARK: Running one call

    /// Runs `body` under the lock at time `now`, then carries out its effects (rig commands, simulation cues).
    func perform<T: Sendable>(at now: MonotonicInstant? = nil, _ body: (inout StationCore) throws(StationError) -> T)
        throws(StationError) -> T
    {
        let time = now ?? clock()
        let wall = wallClock()
        let (result, effects, hook): (Result<T, StationError>, Effects, (@Sendable (SimulationCue) -> Void)?) =
            state.withLock { core in
                core.now = time
                core.wall = wall
                let result: Result<T, StationError>
                do throws(StationError) {
                    result = .success(try body(&core))
                } catch {
                    result = .failure(error)
                }
                core.drainDeferred()
                let effects = core.effects
                core.effects = Effects()
                return (result, effects, core.hook)
            }
        carryOut(effects, hook: hook)
        return try result.get()
    }

    /// - Parameter sampleTime: The time of the sample the effects answer (nil for an operator's or a driver's call):
    ///   a rollers stop then counts in ``StationLatencies/rollersStop``.
    func carryOut(_ effects: Effects, hook: (@Sendable (SimulationCue) -> Void)?, after sampleTime: MonotonicInstant? = nil) {
        for command in effects.commands {
            do {
                try commands(command)
                if let sampleTime, command.name == "rollers_run", command.value == 0 {
                    latencies.rollersStop.record(from: sampleTime, to: clock())
                }
            } catch {
                logger.error("Rig command not sent", metadata: ["rig.id": "\(command.rig)", "command": "\(command.name)",
                                                                "error": "\(error)"])
                let wall = wallClock()
                state.withLock { core in
                    core.wall = wall
                    core.raise("command|\(command.rig)|\(command.name)", severity: "error", source: command.rig.rawValue,
                               zh: "无法向 \(command.rig) 发送 \(command.name)=\(command.value)：\(error)",
                               en: "Could not send \(command.name)=\(command.value) to \(command.rig): \(error)")
                }
            }
        }
        if let hook { for cue in effects.cues { hook(cue) } }
    }

    func journalFailed(_ label: String, _ error: any Error, final: Bool) {
        let wall = wallClock()
        state.withLock { core in
            core.wall = wall
            core.raise("journal|\(label)", severity: final ? "error" : "warning", source: "journal",
                       zh: final ? "日志写入失败（\(label)），已记录到系统日志：\(error)" : "日志写入失败（\(label)），正在重试：\(error)",
                       en: final ? "Journal write failed (\(label)); logged: \(error)" : "Journal write failed (\(label)); retrying: \(error)")
        }
    }

    // MARK: Samples

    /// Every poller sample. Routes it to the lane whose vehicle is at that rig's station; rig commands the
    /// procedure returns (stop the rollers) go to `commands` before this returns.
    public func handle(_ sample: Sample) {
        guard let l = rigLanes[sample.rig] else { return }
        let wall = wallClock()
        let (routed, effects, hook) = state.withLock { core -> (Bool, Effects, (@Sendable (SimulationCue) -> Void)?) in
            guard core.lanes[l].run?.activeRig == sample.rig else { return (false, Effects(), nil) }
            core.now = sample.time
            core.wall = wall
            core.feed(lane: l, .sample(sample))
            core.drainDeferred()
            guard !core.effects.commands.isEmpty || !core.effects.cues.isEmpty else { return (true, Effects(), nil) }
            let effects = core.effects
            core.effects = Effects()
            return (true, effects, core.hook)
        }
        if routed { _ = sampleWriter?.offer(sample) }
        if !effects.commands.isEmpty || !effects.cues.isEmpty { carryOut(effects, hook: hook, after: sample.time) }
    }

    /// Dispatcher time: confirmations due by now are evaluated (drivers who did not confirm are released and the
    /// vehicle redrawn). ``services`` calls this every ``Options/tickInterval``.
    public func tick() {
        _ = try? perform { (core: inout StationCore) throws(StationError) in
            guard core.dispatcher != nil, core.shift?.closedAt == nil else { return }
            core.dispatchInternally(.tick)
        }
    }

    // MARK: Simulation

    /// Installs the hook the simulation (``DemoTraffic``) uses to play the vehicle on the simulated rigs: called
    /// outside the lock, on the calling thread, when a vehicle enters a lane and when a procedure prompts.
    public func setSimulationHook(_ hook: (@Sendable (SimulationCue) -> Void)?) {
        state.withLock { $0.hook = hook }
    }

    // MARK: Views and events

    /// Everything the console shows now.
    public func snapshot() -> StationSnapshot {
        let counts = writer?.counts ?? (pending: 0, failures: 0, written: 0)
        let now = clock()
        let wall = wallClock()
        return state.withLock { core in
            core.now = now
            core.wall = wall
            return core.snapshot(journal: (counts.pending, counts.failures))
        }
    }

    /// A driver's current task, or nil when the driver has nothing to do.
    public func task(for driver: DriverID) -> DriverTask? {
        state.withLock { $0.drivers[driver]?.task }
    }

    /// A ticket by queue number (of the open or last shift).
    public func ticket(_ queueNumber: Int) -> TicketView? {
        let now = clock()
        return state.withLock { core in
            core.now = now
            return core.tickets[queueNumber].map { core.ticketView($0) }
        }
    }

    /// Events as they happen, from now on; the newest `bufferingNewest` are kept for a slow reader.
    public func events(bufferingNewest: Int = 1024) -> AsyncStream<StationEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: StationEvent.self, bufferingPolicy: .bufferingNewest(max(1, bufferingNewest)))
        let id = state.withLock { core in
            core.nextSubscriber += 1
            core.subscribers[core.nextSubscriber] = continuation
            return core.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// The services to run with the station: the dispatcher's clock (time-outs) and the journal writers (they
    /// write what is queued and stop on graceful shutdown: put these before the pollers in the `ServiceGroup`
    /// so they stop last).
    public var services: [any Service] {
        var list: [any Service] = [StationWriterService(controller: self)]
        list.append(DispatchTicker(controller: self, interval: options.tickInterval))
        return list
    }

    /// Waits until every journal entry queued so far is written; true when done within `timeout`.
    @discardableResult
    public func flushJournal(timeout: Duration = .seconds(30)) -> Bool {
        writer?.flush(timeout: timeout) ?? true
    }

    /// Writes what is queued and stops the journal writers (the graceful-shutdown service does this).
    public func stopJournal() {
        writer?.stop()
        sampleWriter?.stop()
    }

    /// Journal entries waiting and writes that failed.
    public var journalCounts: (pending: Int, failures: Int, written: Int) {
        writer?.counts ?? (pending: 0, failures: 0, written: 0)
    }
}

/// Lets the journal writer reach the controller that owns it.
final class ControllerBox: @unchecked Sendable {  // safe: set once in the controller's init, before any write
    weak var controller: StationController?
}
