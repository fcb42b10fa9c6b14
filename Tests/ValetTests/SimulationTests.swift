import LaneCore
import TestScheduling
import Testing
import Valet

@Suite(.offThePool)
struct SimulationTests {
    func parameters(drivers: Int = 8, days: Int = 4) -> SimulationParameters {
        var p = SimulationParameters()
        p.drivers = drivers
        p.days = days
        p.seed = 3
        return p
    }

    @Test(arguments: DriverPolicy.Kind.allCases)
    func noVehicleEverWaitsWhileALaneAndADriverAreFree(policy: DriverPolicy.Kind) {
        let r = StationSimulation.run(parameters(days: 5), policy: policy, checkStalls: true)
        #expect(r.stalls == 0)
        #expect(r.refusals == 0)
        #expect(r.events > 5 * 1_000)
    }

    @Test func stationKeepsUpWithTwentyFourAnHourAndTheFiguresAreSane() {
        let r = StationSimulation.run(parameters(), policy: .pooledRandom)
        #expect(r.vehiclesPerHour > 18 && r.vehiclesPerHour < 30)
        #expect(r.meanWaitSeconds > 60 && r.meanWaitSeconds < r.p95WaitSeconds && r.p95WaitSeconds <= r.maxWaitSeconds)
        #expect(r.laneUtilisation > 0.2 && r.laneUtilisation < 1)
        #expect(r.driverUtilisation > 0.2 && r.driverUtilisation < 1)
    }

    @Test func fewerDriversMeanLongerWaits() {
        let few = StationSimulation.run(parameters(drivers: 3), policy: .pooledRandom)
        let enough = StationSimulation.run(parameters(drivers: 8), policy: .pooledRandom)
        #expect(few.p95WaitSeconds > 2 * enough.p95WaitSeconds)
        #expect(few.driverUtilisation > enough.driverUtilisation)
    }

    @Test func sameSeedSameDay() {
        #expect(StationSimulation.run(parameters(), policy: .pooledRandom) == StationSimulation.run(parameters(), policy: .pooledRandom))
        #expect(StationSimulation.journalOfDay(parameters(), policy: .pooledRandom)
            == StationSimulation.journalOfDay(parameters(), policy: .pooledRandom))
    }
}
