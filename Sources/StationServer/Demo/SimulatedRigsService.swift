public import Logging
public import RigFirmware
public import ServiceLifecycle

/// Serves a profile's simulated rigs in-process for as long as the service runs (`lanectl demo`).
public struct SimulatedRigsService: Service {
    /// The rigs.
    public let station: SimulatedStation

    /// `SCHED_FIFO` priority of the simulated rigs' server threads, or nil for normal scheduling.
    public let realTimePriority: Int?

    /// Wraps `station` (already bound to its ports).
    /// - Parameter realTime: Run the server threads one real-time priority above the highest a rig of the profile
    ///   asks for (so a simulated rig answers a real-time poll thread on time on a busy machine). Off by default
    ///   (normal scheduling); `lanectl demo` turns it on with the pollers' (docs/modbus.md).
    public init(station: SimulatedStation, realTime: Bool = false) {
        self.station = station
        let highest = station.entries.compactMap(\.configuration.realtimePriority).filter { $0 > 0 }.max()
        realTimePriority = realTime ? highest.map { min($0 + 1, 99) } : nil
    }

    /// Starts the servers, waits for graceful shutdown, stops them.
    public func run() async throws {
        station.start(realTimePriority: realTimePriority)
        try? await gracefulShutdown()
        station.stop()
    }
}
