import Foundation
import LaneCore
import LaneTesting
import Logging
import RigFirmware
import ServiceLifecycle
import StationControl
import Testing
import Valet

/// The demo's simulated arrivals: valid vehicles for every scenario, checked in at the configured rate.
struct DemoTrafficTests {
    @Test func everySimulatedVehicleHasAValidPlateAndVINAndTheRightFuel() throws {
        var random = DemoRandom(seed: 42)
        let lanes = [LaneSetup(id: "L1", categories: ["M1", "N1", "K3", "K4"])]
        var newEnergy = 0
        for _ in 0..<500 {
            let request = DemoTraffic.vehicle(&random, scenarios: DemoTraffic.Configuration().scenarios)
            switch CheckIn.validate(request.vehicle, ruleset: .china, lanes: lanes) {
            case .failure(let refusal): Issue.record("\(request.vehicle.plate) \(request.vehicle.vin ?? ""): \(refusal)")
            case .success(let vehicle):
                #expect(vehicle.plate.hasPrefix("鲁G·"))
                if vehicle.plate.hasPrefix("鲁G·D") { newEnergy += 1 }
            }
            let scenario = try #require(VehicleScenario.named(request.scenario ?? ""))
            #expect((request.vehicle.fuel == .diesel) == (scenario.engine?.fuel == .diesel))
            #expect(request.vehicle.axles == scenario.axles.count)
        }
        #expect(newEnergy > 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func theServiceOpensAShiftAndChecksVehiclesInUntilShutdown() async throws {
        let simulated = try InProcessStation()
        defer { simulated.stop() }
        let controller = Fixtures.controller(profile: simulated.boundProfile)
        var configuration = DemoTraffic.Configuration()
        configuration.arrivalsPerHour = 3600
        configuration.speed = 20  // a vehicle every 50 ms on average
        let demo = DemoTraffic(controller: controller, station: simulated.station, configuration: configuration,
                               logger: Logger(label: "test.demo"))
        let group = ServiceGroup(services: [demo], logger: Logger(label: "test.demo"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)  // ends as soon as 5 are queued (a few seconds when idle)
            while clock.now < deadline, controller.snapshot().queue.count < 5 { try await Task.sleep(for: .milliseconds(50)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let snapshot = controller.snapshot()
        #expect(snapshot.shift?.state == "open")
        #expect(snapshot.queue.count >= 5)
        // Every lane with a free driver got a vehicle: the draw ran.
        #expect(snapshot.drivers.filter { $0.state == "assigned" }.count == 2)
    }

    @Test(.timeLimit(.minutes(5)))
    func theStationOpensWithOneVehicleWaitingPerLaneBeforeTheFirstArrival() async throws {
        let simulated = try InProcessStation()
        defer { simulated.stop() }
        let controller = Fixtures.controller(profile: simulated.boundProfile)
        var configuration = DemoTraffic.Configuration()
        configuration.arrivalsPerHour = 0.1  // the first arrival is hours away: only the opening queue comes in
        let demo = DemoTraffic(controller: controller, station: simulated.station, configuration: configuration,
                               logger: Logger(label: "test.demo"))
        let group = ServiceGroup(services: [demo], logger: Logger(label: "test.demo"))
        let lanes = controller.profile.lanes.count
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)  // ends as soon as one per lane is queued
            while clock.now < deadline, controller.snapshot().queue.count < lanes { try await Task.sleep(for: .milliseconds(50)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let snapshot = controller.snapshot()
        #expect(snapshot.queue.count == lanes)
        #expect(snapshot.drivers.filter { $0.state == "assigned" }.count == lanes)
    }
}
