public import Journal
public import LaneCore
public import Logging
public import Rigs
public import ServiceLifecycle
public import StationControl
public import Valet

/// The live part of a station: one ``LinkPoller`` per link, the ``LiveHub`` they feed, the
/// `StationController` that runs the lanes on every sample (its rig commands go to the pollers), and the
/// ``RollerGuard`` that stops every brake tester's rollers on shutdown. `lanectl demo` and `lanectl run`
/// both build one, then add the HTTP server.
public final class StationRuntime: Sendable {
    /// The station's profile.
    public let profile: LaneProfile
    /// One poller per link.
    public let pollers: [LinkPoller]
    /// Latest samples, traces and statistics.
    public let hub: LiveHub
    /// Stops the rollers on graceful shutdown.
    public let rollerGuard: RollerGuard
    /// The station: dispatcher, lanes, driver tasks; fed every sample by the hub.
    public let controller: StationController

    /// Creates (does not start) the pollers, the controller and the hub.
    /// - Parameters:
    ///   - profile: The lane profile.
    ///   - links: The links to poll (``StationLinks/configurations(for:ports:only:)``).
    ///   - journal: Where the controller writes the evidence (nil: none).
    ///   - seed: The first shift's draw seed (nil: a fresh one).
    ///   - options: The controller's options.
    ///   - realTime: Let the poll threads ask for the `SCHED_FIFO` priority their links carry (the profile's
    ///     `realtime_priority`). Off by default, so a library user or a test never gets real-time threads by
    ///     accident; `lanectl demo` and `lanectl run` turn it on after checking the process may have it
    ///     (docs/modbus.md).
    ///   - logger: Logger for the pollers and the controller.
    public init(
        profile: LaneProfile, links: [LinkConfiguration], journal: Journal? = nil, seed: ShiftSeed? = nil,
        options: StationController.Options = .init(), realTime: Bool = false, logger: Logger
    ) {
        self.profile = profile
        // Newest samples win: a slow consumer never makes memory grow.
        let (stream, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(8_192))
        let pollers = links.map { link in
            var link = link
            if !realTime { link.realTimePriority = nil }
            return LinkPoller(configuration: link, samples: continuation, logger: logger)
        }
        self.pollers = pollers
        let controller = StationController(
            profile: profile, journal: journal, seed: seed,
            commands: { command in try LiveHub.submit(command, to: pollers) }, logger: logger, options: options)
        self.controller = controller
        // The controller sees each sample before the hub keeps it: a stop command (wheel slip) leaves at once.
        hub = LiveHub(profile: profile, pollers: pollers, samples: stream, consumer: { controller.handle($0) })
        rollerGuard = RollerGuard(hub: hub, logger: logger)
    }

    /// The services in start order: the controller's (journal writers, dispatcher clock), pollers, the hub, the
    /// roller guard. A `ServiceGroup` shuts them down in reverse, so the rollers are stopped while pollers and
    /// hub still run, and the journal writers write what is queued last.
    public var services: [any Service] { controller.services + (pollers as [any Service]) + [hub, rollerGuard] }
}

/// On graceful shutdown, writes `rollers_run = 0` to every brake tester that has that command and waits (up
/// to ``timeout``) until each one reads back stopped (`rollers_running = 0` or `roller_state = 0`).
public struct RollerGuard: Service {
    /// The hub whose pollers carry the command and whose samples confirm it.
    public let hub: LiveHub
    /// Longest wait for the read-back.
    public var timeout: Duration = .seconds(3)
    let logger: Logger

    /// Creates a guard over `hub`'s brake testers.
    public init(hub: LiveHub, logger: Logger) {
        self.hub = hub
        self.logger = logger
    }

    /// Waits for graceful shutdown, then stops the rollers.
    public func run() async throws {
        try? await gracefulShutdown()
        await stopRollers()
    }

    /// Stops every brake tester's rollers and waits for the read-back; returns the rigs that did not confirm.
    @discardableResult
    public func stopRollers() async -> [RigID] {
        let brakes = hub.profile.rigs.filter { $0.map.command("rollers_run") != nil }
        var pending: [RigID] = []
        for rig in brakes {
            do {
                try hub.submit(RigCommand(rig: rig.id, name: "rollers_run", value: 0))
                pending.append(rig.id)
            } catch {
                logger.error("could not stop the rollers of \(rig.id): \(error)", metadata: ["rig.id": "\(rig.id)"])
            }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !pending.isEmpty, clock.now < deadline {
            // After the command, wait for a fresh sample that reads stopped.
            try? await clock.sleep(for: .milliseconds(20))
            pending.removeAll { id in
                guard let rig = hub.profile.rigs.first(where: { $0.id == id }), let sample = hub.latest(id),
                    sample.quality == .good || sample.quality == .outOfRange
                else { return false }
                if let i = rig.map.channelIndex("rollers_running"), i < sample.values.count { return sample.values[i] == 0 }
                if let i = rig.map.channelIndex("roller_state"), i < sample.values.count { return sample.values[i] == 0 }
                return true
            }
        }
        if pending.isEmpty {
            if !brakes.isEmpty { logger.notice("rollers stopped on \(brakes.map(\.id.rawValue).joined(separator: ", "))") }
        } else {
            logger.error(
                "rollers not confirmed stopped on \(pending.map(\.rawValue).joined(separator: ", ")): check the rig / 滚筒未确认停止",
                metadata: ["rig.id": "\(pending.map(\.rawValue))"])
        }
        return pending
    }
}
