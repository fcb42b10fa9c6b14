import Foundation
import ServiceLifecycle

/// Gives the dispatcher its time: a `tick` every interval, so drivers who do not confirm in time are released
/// and their vehicles redrawn. Stops on graceful shutdown.
struct DispatchTicker: Service {
    let controller: StationController
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                controller.tick()
            }
        }
    }
}

/// Keeps the journal writers running for the life of the station; on graceful shutdown it writes everything
/// queued and stops them.
struct StationWriterService: Service {
    let controller: StationController

    func run() async throws {
        try? await gracefulShutdown()
        controller.stopJournal()
    }
}
