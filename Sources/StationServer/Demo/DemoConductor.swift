import LaneCore
public import Logging
public import RigFirmware
public import ServiceLifecycle

/// Serves a profile's simulated rigs in-process for as long as the service runs (`lanectl demo`).
public struct SimulatedRigsService: Service {
    /// The rigs.
    public let station: SimulatedStation

    /// Wraps `station` (already bound to its ports).
    public init(station: SimulatedStation) { self.station = station }

    /// Starts the servers, waits for graceful shutdown, stops them.
    public func run() async throws {
        station.start()
        try? await gracefulShutdown()
        station.stop()
    }
}

/// Keeps a demo station busy: puts one scripted vehicle after another at each lane's rigs (a mix of the
/// firmware's scenarios) and runs each station's test through the same poller commands a procedure uses:
/// the exhaust analyser samples, the headlamp tester measures both lamps, the brake tester runs its rollers
/// for every axle while the firmware's scripted pedal presses to a peak. Readings on the console move.
///
/// It is a stand-in for the station's procedures until they are wired in: it judges nothing.
public struct DemoConductor: Service {
    /// The scenarios in the order each lane cycles through them (lane *n* starts *n* places on).
    public static let scenarios = [
        "sound_car", "weak_rear_brake", "dim_lamp", "rich_mixture", "pulling_front_axle", "misaimed_lamp", "smoky_diesel",
    ]

    let hub: LiveHub
    let station: SimulatedStation
    let logger: Logger

    /// A conductor over `hub`'s pollers and `station`'s simulated rigs.
    public init(hub: LiveHub, station: SimulatedStation, logger: Logger) {
        self.hub = hub
        self.station = station
        self.logger = logger
    }

    /// Cycles every lane until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for (index, lane) in hub.profile.lanes.enumerated() {
                    group.addTask { await self.cycle(lane, startingAt: index) }
                }
            }
        }
    }

    func cycle(_ lane: Lane, startingAt offset: Int) async {
        if let emission = lane.station(.emission) { _ = station.handle("warm \(emission.rig.id)") }
        var n = offset
        while !Task.isCancelled {
            let name = Self.scenarios[n % Self.scenarios.count]
            n += 1
            let answer = station.handle("scenario \(lane.id) \(name)")
            logger.info("demo: \(lane.id) vehicle \(n - offset): \(name) (\(answer))", metadata: ["lane.id": "\(lane.id)"])
            await withTaskGroup(of: Void.self) { group in
                if let s = lane.station(.emission) { group.addTask { await self.exhaust(s.rig.id) } }
                if let s = lane.station(.headlamp) { group.addTask { await self.headlamps(s.rig.id) } }
                if let s = lane.station(.brake) { group.addTask { await self.brakes(s.rig.id) } }
            }
            await pause(.seconds(2))
        }
    }

    func exhaust(_ rig: RigID) async {
        send(rig, "sampling", 1)
        await pause(.seconds(12))
        send(rig, "sampling", 0)
    }

    func headlamps(_ rig: RigID) async {
        send(rig, "beam_select", 2)
        await pause(.milliseconds(500))
        send(rig, "measure_left", 1)
        await pause(.seconds(4))
        send(rig, "measure_right", 1)
        await pause(.seconds(4))
    }

    func brakes(_ rig: RigID) async {
        guard let scenario = station.rig(rig)?.scenario else { return }
        let pedal = scenario.pedal
        // Spin-up, the scripted pedal from delay to release, then a margin: the firmware stops on slip by
        // itself; otherwise the conductor stops the rollers once the pedal is released.
        let run = Duration.seconds(1.5 + pedal.end + 1.0)
        for _ in scenario.axles.indices {
            guard !Task.isCancelled else { return }
            send(rig, "rollers_run", 1)
            await pause(run)
            send(rig, "rollers_run", 0)
            // Coast down, the next axle drives on (3 s) and the scale settles.
            await pause(.seconds(5))
        }
    }

    func send(_ rig: RigID, _ command: String, _ value: Double) {
        do {
            try hub.submit(RigCommand(rig: rig, name: command, value: value))
        } catch {
            logger.warning("demo: \(error)", metadata: ["rig.id": "\(rig)"])
        }
    }

    func pause(_ duration: Duration) async { try? await Task.sleep(for: duration) }
}
