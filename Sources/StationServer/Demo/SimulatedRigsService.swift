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
