import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import LaneCore
import LaneTesting
import Logging
import StationControl
import StationServer
import Testing
import Valet

@Suite(.timeLimit(.minutes(5)))
struct SimulatedDriversTests {
    @Test func simulatedDriversSignInOverHTTPAndTakeAVehicleFromTheKeyToTheLane() async throws {
        let logger = {
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            return logger
        }()
        let profile = try demoProfile()
        let controller = StationController(
            profile: profile, journal: nil, seed: ShiftSeed.forSimulation(5), commands: { _ in }, logger: logger)
        _ = try controller.openShift(by: "op1")
        var random = DemoRandom(seed: 11)
        let ticket = try controller.checkIn(DemoTraffic.vehicle(&random, scenarios: ["sound_car"]), by: "op1")
        let accounts = try AccountStore(journal: nil)
        let logins = try await accounts.prepareDemoAccounts(profile: profile, password: nil, by: "test")
        let auth = StationAuth(accounts: accounts, logger: logger)
        let (stream, _) = AsyncStream.makeStream(of: Sample.self)
        let hub = LiveHub(profile: profile, pollers: [], samples: stream)
        let app = StationRoutes.application(hub: hub, auth: auth, controller: controller, host: "127.0.0.1", port: 0, logger: logger)
        try await app.test(.live) { client in
            let server = ServerURL()
            server.set(URL(string: "http://127.0.0.1:\(try #require(client.port))")!)
            var configuration = SimulatedDrivers.Configuration()
            configuration.speed = 100
            configuration.pollInterval = .milliseconds(100)
            let drivers = SimulatedDrivers(server: server, logins: logins, configuration: configuration, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await drivers.run() }
                // With no rigs, the vehicle stops at its first station: the driver has confirmed the plate and
                // driven to the lane (and entered it when the lane called), each through POST /api/handheld/ack.
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(60)
                while clock.now < deadline {
                    if let entry = controller.snapshot().queue.first(where: { $0.queueNumber == ticket.queueNumber }),
                        entry.lane != nil, let driver = entry.driver,
                        let task = controller.task(for: DriverID(rawValue: driver)), task.step == "station"
                    {
                        break
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
                group.cancelAll()
            }
            let entry = try #require(controller.snapshot().queue.first { $0.queueNumber == ticket.queueNumber })
            let driver = try #require(entry.driver)
            #expect(controller.task(for: DriverID(rawValue: driver))?.step == "station")
            // Only the drawn driver acted; everyone else had nothing to acknowledge.
            let tally = drivers.tally.acknowledged
            #expect(Set(tally.keys) == [driver])
            let steps = drivers.tally.acknowledgedSteps[driver] ?? []
            #expect(Array(steps.prefix(2)) == ["collect_key", "drive_to_lane"], "\(steps)")
        }
    }
}
