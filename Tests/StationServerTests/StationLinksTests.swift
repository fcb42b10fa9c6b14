import LaneCore
import Logging
import Modbus
import Rigs
import StationServer
import Testing

@Suite struct StationLinksTests {
    @Test func theRuntimeGivesPollThreadsTheProfilesRealTimePriorityOnlyWhenTold() throws {
        let profile = try demoProfile()
        var ports: [RigID: Int] = [:]
        for (i, rig) in profile.rigs.enumerated() { ports[rig.id] = 40_000 + i }
        let links = try StationLinks.configurations(for: profile, ports: ports)
        let logger = Logger(label: "test")
        // Pollers are made, not started: no thread runs.
        let library = StationRuntime(profile: profile, links: links, logger: logger)
        #expect(library.pollers.allSatisfy { $0.configuration.realTimePriority == nil })
        let command = StationRuntime(profile: profile, links: links, realTime: true, logger: logger)
        let priorities = Dictionary(uniqueKeysWithValues: command.pollers.map { ($0.configuration.name, $0.configuration.realTimePriority) })
        #expect(priorities["L1.brake"] == 50)
        #expect(priorities["L2.brake"] == 50)
        #expect(priorities["L1.emission"] == 40)
        #expect(priorities["L2.headlamp"] == 40)
    }

    @Test func eachSimulatedRigGetsItsOwnLinkAtItsPortPeriodAndTimeouts() throws {
        let profile = try demoProfile()
        var ports: [RigID: Int] = [:]
        for (i, rig) in profile.rigs.enumerated() { ports[rig.id] = 40_000 + i }
        let links = try StationLinks.configurations(for: profile, ports: ports)
        #expect(links.map(\.name) == profile.rigs.map(\.id.rawValue))
        let brake = try #require(links.first { $0.name == "L1.brake" })
        #expect(brake.period == .milliseconds(10))
        #expect(brake.responseTimeout == .milliseconds(200))
        #expect(brake.byteTimeout == .milliseconds(50))
        #expect(brake.realTimePriority == 50)  // the profile's; StationRuntime drops it unless asked (realTime:)
        #expect(brake.transport == .tcp(host: "127.0.0.1", port: ports["L1.brake"]!))
        #expect(links.first { $0.name == "L1.emission" }?.period == .milliseconds(100))
    }

    @Test func rigsSharingAnEndpointShareOneLinkAtTheFastestPeriod() throws {
        var profile = try demoProfile()
        for s in profile.lanes[0].stations.indices {
            profile.lanes[0].stations[s].rig.transport = .tcp(host: "10.0.0.5", port: 502)
            profile.lanes[0].stations[s].rig.unitID = s + 1
        }
        profile.lanes.removeLast()
        let links = try StationLinks.configurations(for: profile)
        #expect(links.count == 1)
        #expect(links[0].rigs.map(\.unitID) == [1, 2, 3])
        #expect(links[0].rigs.map(\.rig) == ["L1.emission", "L1.headlamp", "L1.brake"])
        #expect(links[0].period == .milliseconds(10))
        #expect(links[0].name == "tcp 10.0.0.5:502")
        #expect(links[0].deadlineTolerance == .microseconds(2500))  // none set: a quarter of the fastest period
    }

    @Test func aSharedLinkTakesTheStrictestDeadlineToleranceOfItsRigs() throws {
        var profile = try demoProfile()
        for s in profile.lanes[0].stations.indices {
            profile.lanes[0].stations[s].rig.transport = .tcp(host: "10.0.0.5", port: 502)
            profile.lanes[0].stations[s].rig.unitID = s + 1
            profile.lanes[0].stations[s].rig.deadlineTolerance = .milliseconds(s == 0 ? 50 : 4 + s)
        }
        profile.lanes.removeLast()
        let links = try StationLinks.configurations(for: profile)
        #expect(links.count == 1)
        #expect(links[0].deadlineTolerance == .milliseconds(5))
    }

    @Test func aTCPRigLeftAtPortZeroIsRefusedWithTheRigNamed() throws {
        let profile = try demoProfile()
        let error = #expect(throws: StationLinksError.self) { try StationLinks.configurations(for: profile) }
        #expect(error == .unresolvedPort(rig: "L1.emission", profile: profile.source))
        #expect(error.map { "\($0)".contains("port 0") } == true)
        // Restricting to one rig with a port works.
        let one = try StationLinks.configurations(for: profile, ports: ["L2.brake": 1502], only: ["L2.brake"])
        #expect(one.count == 1 && one[0].rigs.map(\.rig) == ["L2.brake"])
    }
}

@Suite(.timeLimit(.minutes(5)))
struct RollerGuardTests {
    @Test func shutdownStopsRunningRollersAndWaitsForTheReadBack() async throws {
        let station = try LiveStation(only: ["L1.brake", "L2.brake"])
        let running = try #require(station.profile.rigs.first { $0.id == "L1.brake" }?.map.channelIndex("rollers_running"))
        try await station.run {
            for rig in ["L1.brake", "L2.brake"] as [RigID] {
                try station.hub.submit(RigCommand(rig: rig, name: "rollers_run", value: 1))
            }
            try await station.wait("both rollers running") {
                (["L1.brake", "L2.brake"] as [RigID]).allSatisfy { station.hub.latest($0)?.values[running] == 1 }
            }
            let unconfirmed = await station.runtime.rollerGuard.stopRollers()
            #expect(unconfirmed.isEmpty)
            #expect(station.hub.latest("L1.brake")?.values[running] == 0)
            #expect(station.hub.latest("L2.brake")?.values[running] == 0)
        }
    }
}
