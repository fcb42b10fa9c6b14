import Foundation
import LaneCore
import LaneTesting
import Logging
import Profiles
import RigFirmware
import Rigs
import StationServer

/// The demo profile, loaded from the repository.
func demoProfile() throws -> LaneProfile {
    try ProfileLoader(scenarios: VehicleScenario.names, faults: RigFault.names).load(path: Repository().demoProfile)
}

/// The demo profile's rigs simulated in-process on loopback, polled by real pollers into a hub.
final class LiveStation: Sendable {
    let profile: LaneProfile
    let station: SimulatedStation
    let runtime: StationRuntime

    init(only: Set<RigID>? = nil) throws {
        profile = try demoProfile()
        station = try SimulatedStation(profile: profile)
        var ports: [RigID: Int] = [:]
        for rig in profile.rigs { ports[rig.id] = station.port(of: rig.id) }
        let links = try StationLinks.configurations(for: profile, ports: ports, only: only)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        runtime = StationRuntime(profile: profile, links: links, logger: logger)
    }

    var hub: LiveHub { runtime.hub }

    /// Starts the rigs, pollers and hub, runs `body`, then stops everything (threads joined).
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        station.start()
        for poller in runtime.pollers { poller.start() }
        defer { station.stop() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { [hub] in
                try await hub.run()
                return nil
            }
            do {
                let result = try await body()
                group.cancelAll()
                for poller in runtime.pollers { await poller.stop() }
                return result
            } catch {
                group.cancelAll()
                for poller in runtime.pollers { await poller.stop() }
                throw error
            }
        }
    }

    /// Polls `condition` every 20 ms for up to `timeout`.
    func wait(
        _ what: String, timeout: Duration = .seconds(20), _ condition: () -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !condition() {
            guard clock.now < deadline else { throw TimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A decoded JSON object, for reading responses without mirroring every type.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw TimedOut(what: "a JSON object in \(text.prefix(200))")
    }
    return object
}
