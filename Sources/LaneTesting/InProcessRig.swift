public import LaneCore
import Profiles
public import RigFirmware

/// A simulated rig served over Modbus TCP on 127.0.0.1, on a port the system picks, in the test's
/// own process. Stop it with ``stop()`` at the end of the test.
///
/// ```swift
/// let rig = try InProcessRig(kind: "brake", scenario: .weakRearBrake)
/// defer { rig.stop() }
/// let client = try ModbusClient(.init(transport: .tcp(host: "127.0.0.1", port: rig.port)))
/// ```
public final class InProcessRig: Sendable {
    public let rig: SimulatedRig
    public let server: RigServer
    public var port: Int { server.port }
    public var map: RegisterMap { rig.map }

    /// - Parameters:
    ///   - kind: `brake`, `headlamp`, `exhaust`, or a register map file path.
    ///   - unitID: the unit id the rig answers.
    ///   - realTimePriority: `SCHED_FIFO` priority for the server thread where the process may have it (tests
    ///     that judge 100 Hz timing ask for it, so a loaded machine does not delay the rig's replies).
    ///   - commsWatchdog: false switches off the firmware's communication watchdog (the map's
    ///     `comms_watchdog_seconds`) for a test that plays the controller by hand from a task of the shared pool:
    ///     on a loaded machine such a task can stall for longer than the watchdog, which a link poller's thread does
    ///     not. The watchdog itself is tested with it on.
    public init(
        kind: String, scenario: VehicleScenario = .soundCar, fault: RigFault = .none, seed: UInt64 = 1, unitID: UInt8 = 1,
        realTimePriority: Int? = nil, commsWatchdog: Bool = true, filePath: String = #filePath
    ) throws {
        let path = kind.hasSuffix(".yaml") ? kind : try Repository(filePath: filePath).mapFile(kind)
        var map = try RegisterMapLoader.load(path: path)
        if !commsWatchdog { map.settings["comms_watchdog_seconds"] = nil }
        rig = SimulatedRig(id: RigID("test.\(map.kind.rawValue)"), map: map, scenario: scenario, fault: fault, seed: seed)
        server = try RigServer(transport: .tcp(host: "127.0.0.1", port: 0), rigs: [unitID: rig])
        server.start(realTimePriority: realTimePriority)
    }

    public func stop() { server.stop() }
}

/// Every simulated rig of a lane profile (the demo station by default), served in the test's process
/// on ports the system picks. Stop it with ``stop()``.
///
/// ```swift
/// let station = try InProcessStation()
/// defer { station.stop() }
/// let port = station.station.port(of: "L1.brake")!
/// ```
public final class InProcessStation: Sendable {
    public let profile: LaneProfile
    public let station: SimulatedStation

    /// - Parameter profilePath: a profile file; nil for `LaneProfiles/demo-station.yaml`.
    public init(profilePath: String? = nil, filePath: String = #filePath) throws {
        let path = try profilePath ?? Repository(filePath: filePath).demoProfile
        profile = try ProfileLoader(scenarios: VehicleScenario.names, faults: RigFault.names).load(path: path)
        station = try SimulatedStation(profile: profile)
        station.start()
    }

    /// The profile with each simulated rig's TCP port 0 replaced by the port it was given, so a poller
    /// can be pointed at the running simulation.
    public var boundProfile: LaneProfile {
        var copy = profile
        for laneIndex in copy.lanes.indices {
            for stationIndex in copy.lanes[laneIndex].stations.indices {
                let rig = copy.lanes[laneIndex].stations[stationIndex].rig
                if case .tcp(let host, 0) = rig.transport, let port = station.port(of: rig.id) {
                    copy.lanes[laneIndex].stations[stationIndex].rig.transport = .tcp(host: host, port: port)
                }
            }
        }
        return copy
    }

    public func stop() { station.stop() }
}
