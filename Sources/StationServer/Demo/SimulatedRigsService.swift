public import Logging
public import RigFirmware
public import ServiceLifecycle

/// Serves a profile's simulated rigs in-process for as long as the service runs (`lanectl demo`).
public struct SimulatedRigsService: Service {
    /// The rigs.
    public let station: SimulatedStation

    /// `SCHED_FIFO` priority of the simulated rigs' server threads, or nil for normal scheduling.
    public let realTimePriority: Int?

    /// Wraps `station` (already bound to its ports). Its server threads run one real-time priority above the
    /// highest a rig of the profile asks for (so a simulated rig answers a real-time poll thread on time on a busy
    /// machine), or under normal scheduling when none asks.
    public init(station: SimulatedStation) {
        self.station = station
        let highest = station.entries.compactMap(\.configuration.realtimePriority).filter { $0 > 0 }.max()
        realTimePriority = highest.map { min($0 + 1, 99) }  // the demo profile asks for none (docs/modbus.md)
    }

    /// Starts the servers, waits for graceful shutdown, stops them.
    public func run() async throws {
        station.start(realTimePriority: realTimePriority)
        try? await gracefulShutdown()
        station.stop()
    }
}
