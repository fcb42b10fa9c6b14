import Foundation
import LaneCore
import LaneTesting
import Profiles
import Testing

struct ProfileLoaderTests {
    let repository: Repository

    init() throws { repository = try Repository() }

    @Test func demoStationHasTwoLanesOfThreeStationsAndEightDrivers() throws {
        let profile = try ProfileLoader().load(path: repository.demoProfile)
        #expect(profile.ruleset == "CN-GB7258-2017")
        #expect(profile.lanes.map(\.id) == ["L1", "L2"])
        for lane in profile.lanes {
            #expect(lane.stations.map(\.kind) == [.emission, .headlamp, .brake])
            for station in lane.stations {
                #expect(station.rig.map.kind == station.kind.rigKind)
                #expect(station.rig.transport == .tcp(host: "127.0.0.1", port: 0))
                #expect(station.rig.simulation != nil)
            }
        }
        #expect(profile.drivers.count == 8)
        #expect(Set(profile.drivers.map(\.id)).count == 8)
        #expect(profile.drivers.allSatisfy { !$0.nameZh.isEmpty && !$0.nameEn.isEmpty })
        let brake = try #require(profile.rig("L1.brake"))
        #expect(brake.pollPeriod == .milliseconds(10))
        #expect(brake.responseTimeout == .milliseconds(200))
        #expect(brake.realtimePriority == 50)
        #expect(profile.rig("L2.emission")?.simulation?.scenario == "smoky_diesel")
        #expect(profile.rig("L1.headlamp")?.pollPeriod == .milliseconds(100))
    }

    @Test func brokenExampleNamesFileLineAndReason() throws {
        let path = repository.profiles.appendingPathComponent("examples/broken-station.yaml").path
        let error = try #require(throws: ProfileError.self) { try ProfileLoader().load(path: path) }
        #expect(error.file == path)
        #expect(error.line == 37)
        #expect(error.description.contains("duplicate rig id \"L1.brake\" (first used on line 24)"))
        #expect(error.descriptionZh.contains("重复"))
    }

    /// A one-lane profile with the given rig and extra text; maps by absolute path.
    func profile(rig: String, lanes extraLanes: String = "", drivers: String = "  - { id: D01, name_zh: 王伟, name_en: Wang Wei }\n", models: String? = nil, top: String = "") -> String {
        let maps = models ?? """
              LC-RB3000: \(repository.mapFile("brake"))
              LC-HL200: \(repository.mapFile("headlamp"))

            """
        return """
            station: { name: 测试站 }
            ruleset: CN-GB7258-2017
            \(top)rig_models:
            \(maps)lanes:
              - id: L1
                name: Lane 1
                vehicle_categories: [M1]
                stations:
                  - kind: brake
                    rig:
            \(rig)\(extraLanes)drivers:
            \(drivers)
            """
    }

    static let goodRig = """
                  id: L1.brake
                  model: LC-RB3000
                  transport: { type: tcp, host: 127.0.0.1, port: 1502 }
                  unit_id: 1

        """

    static func rig(_ replacing: String, with replacement: String) -> String {
        precondition(goodRig.contains(replacing))
        return goodRig.replacingOccurrences(of: replacing, with: replacement)
    }

    func expectRefused(_ text: String, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLine = try #require(lines.firstIndex { $0.contains("# <-") }, sourceLocation: sourceLocation) + 1
        let error = try #require(throws: ProfileError.self, sourceLocation: sourceLocation) {
            try ProfileLoader(scenarios: ["sound_car"], faults: ["none", "no_reply"]).parse(
                text, file: "station.yaml", folder: "/")
        }
        #expect(error.file == "station.yaml", sourceLocation: sourceLocation)
        #expect(error.line == expectedLine, "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains(reason), "\(error)", sourceLocation: sourceLocation)
    }

    @Test func goodProfileLoads() throws {
        let loaded = try ProfileLoader().parse(profile(rig: Self.goodRig), file: "s.yaml", folder: "/")
        #expect(loaded.rigs.map(\.id) == ["L1.brake"])
        #expect(loaded.rigs[0].pollPeriod == .milliseconds(100))
    }

    @Test func unknownRigModel() throws {
        try expectRefused(profile(rig: Self.rig("model: LC-RB3000", with: "model: LC-RB9000 # <-")), "unknown rig model \"LC-RB9000\"")
    }

    @Test func missingRegisterMap() throws {
        try expectRefused(
            profile(rig: Self.goodRig, models: "  LC-RB3000: ../maps/nothing-here.yaml # <-\n"), "register map of LC-RB3000 not found")
    }

    @Test func mapOfAnotherModel() throws {
        try expectRefused(
            profile(rig: Self.goodRig, models: "  LC-RB3000: \(repository.mapFile("headlamp")) # <-\n"),
            "describes model \"LC-HL200\", not \"LC-RB3000\"")
    }

    @Test func rigOfTheWrongKindForItsStation() throws {
        try expectRefused(profile(rig: Self.rig("model: LC-RB3000", with: "model: LC-HL200 # <-")), "a brake station needs a brake_tester")
    }

    @Test func duplicateRigID() throws {
        let second = """
              - id: L2
                name: Lane 2
                vehicle_categories: [M1]
                stations:
                  - kind: brake
                    rig:
                      id: L1.brake # <-
                      model: LC-RB3000
                      transport: { type: tcp, host: 127.0.0.1, port: 1503 }
                      unit_id: 1

            """
        try expectRefused(profile(rig: Self.goodRig, lanes: second), "duplicate rig id \"L1.brake\" (first used on line 13)")
    }

    @Test func duplicateLaneID() throws {
        let second = """
              - id: L1 # <-
                name: Lane 1 again
                vehicle_categories: [M1]
                stations: []

            """
        try expectRefused(profile(rig: Self.goodRig, lanes: second), "duplicate lane id \"L1\"")
    }

    @Test func duplicateDriverID() throws {
        try expectRefused(
            profile(rig: Self.goodRig, drivers: "  - { id: D01, name_zh: 王伟, name_en: Wang Wei }\n  - { id: D01, name_zh: 李娜, name_en: Li Na } # <-\n"),
            "duplicate driver id \"D01\"")
    }

    @Test func twoStationsOfOneKindInALane() throws {
        let text = profile(rig: Self.goodRig + """
                  - kind: brake # <-
                    rig:
                      id: L1.brake2
                      model: LC-RB3000
                      transport: { type: tcp, host: 127.0.0.1, port: 1504 }
                      unit_id: 1

            """)
        try expectRefused(text, "lane L1 has two brake stations")
    }

    @Test(arguments: [
        ("transport: { type: tcp, host: 127.0.0.1, port: 1502 }", "transport: { type: udp, host: 127.0.0.1, port: 1502 } # <-", "type \"udp\" is neither tcp nor rtu"),
        ("transport: { type: tcp, host: 127.0.0.1, port: 1502 }", "transport: { type: tcp, host: 127.0.0.1, port: 70000 } # <-", "port 70000 is out of range"),
        ("transport: { type: tcp, host: 127.0.0.1, port: 1502 }", "transport: { type: tcp, host: 127.0.0.1, port: 1502, baud: 9600 } # <-", "baud does not apply to tcp"),
        ("transport: { type: tcp, host: 127.0.0.1, port: 1502 }", "transport: { type: tcp, port: 1502 } # <-", "missing required key"),
        ("transport: { type: tcp, host: 127.0.0.1, port: 1502 }", "transport: { type: rtu, device: /dev/ttyS0, baud: 12345 } # <-", "baud 12345 is not one of"),
        ("transport: { type: tcp, host: 127.0.0.1, port: 1502 }", "transport: { type: rtu, device: ttyS0, baud: 9600 } # <-", "must be an absolute path"),
        ("transport: { type: tcp, host: 127.0.0.1, port: 1502 }", "transport: { type: rtu, device: /dev/ttyS0, baud: 9600, parity: mark } # <-", "\"mark\" is not one of none, even, odd"),
        ("transport: { type: tcp, host: 127.0.0.1, port: 1502 }", "transport: { type: rtu, device: /dev/ttyS0, baud: 9600, stop_bits: 3 } # <-", "stop_bits 3 is out of range"),
    ])
    func badTransport(from: String, to: String, reason: String) throws {
        try expectRefused(profile(rig: Self.rig(from, with: to)), reason)
    }

    @Test(arguments: [
        ("unit_id: 1", "unit_id: 1\n          poll_period_ms: 2 # <-", "poll_period_ms 2 is out of range (5…10000)"),
        ("unit_id: 1", "unit_id: 1\n          poll_period_ms: 60000 # <-", "poll_period_ms 60000 is out of range"),
        ("unit_id: 1", "unit_id: 1\n          response_timeout_ms: 0 # <-", "response_timeout_ms 0 is out of range"),
        ("unit_id: 1", "unit_id: 1\n          realtime_priority: 120 # <-", "realtime_priority 120 is out of range (0…99)"),
        ("unit_id: 1", "unit_id: 1\n          poll_period_ms: 10\n          deadline_tolerance_ms: 20 # <-", "deadline_tolerance_ms 20 is out of range (1…10, at most the poll period)"),
        ("unit_id: 1", "unit_id: 1\n          deadline_tolerance_ms: 0 # <-", "deadline_tolerance_ms 0 is out of range"),
        ("unit_id: 1", "unit_id: 300 # <-", "unit_id 300 is out of range (0…255)"),
        ("unit_id: 1", "unit_id: 1\n          poll_rate: 10 # <-", "unknown key \"poll_rate\""),
        ("unit_id: 1", "unit_id: 1\n          simulation: { scenario: flying_car } # <-", "unknown scenario \"flying_car\""),
        ("unit_id: 1", "unit_id: 1\n          simulation: { scenario: sound_car, fault: meltdown } # <-", "unknown fault \"meltdown\""),
    ])
    func badRigSetting(from: String, to: String, reason: String) throws {
        try expectRefused(profile(rig: Self.rig(from, with: to)), reason)
    }

    @Test func rigDefaultsOutOfRange() throws {
        try expectRefused(profile(rig: Self.goodRig, top: "rig_defaults: { poll_period_ms: 1 } # <-\n"), "poll_period_ms 1 is out of range")
    }

    @Test func rigDefaultsApplyUnlessTheRigSetsItsOwn() throws {
        let loaded = try ProfileLoader().parse(
            profile(rig: Self.goodRig, top: "rig_defaults: { poll_period_ms: 20, byte_timeout_ms: 5, realtime_priority: 40 }\n"),
            file: "s.yaml", folder: "/")
        #expect(loaded.rigs[0].pollPeriod == .milliseconds(20))
        #expect(loaded.rigs[0].byteTimeout == .milliseconds(5))
        #expect(loaded.rigs[0].realtimePriority == 40)
        #expect(loaded.rigs[0].deadlineTolerance == nil)  // a quarter of the period, set by the link
    }

    @Test func deadlineToleranceIsInheritedAndNeverLongerThanTheRigsPeriod() throws {
        let own = try ProfileLoader().parse(
            profile(rig: Self.rig("unit_id: 1", with: "unit_id: 1\n          deadline_tolerance_ms: 40"),
                    top: "rig_defaults: { poll_period_ms: 100 }\n"),
            file: "s.yaml", folder: "/")
        #expect(own.rigs[0].deadlineTolerance == .milliseconds(40))
        let inherited = try ProfileLoader().parse(
            profile(rig: Self.rig("unit_id: 1", with: "unit_id: 1\n          poll_period_ms: 10"),
                    top: "rig_defaults: { poll_period_ms: 100, deadline_tolerance_ms: 30 }\n"),
            file: "s.yaml", folder: "/")
        #expect(inherited.rigs[0].pollPeriod == .milliseconds(10))
        #expect(inherited.rigs[0].deadlineTolerance == .milliseconds(10))
    }

    @Test func unitIDUsedTwiceOnOneLink() throws {
        let second = """
              - id: L2
                name: Lane 2
                vehicle_categories: [M1]
                stations:
                  - kind: brake
                    rig:
                      id: L2.brake
                      model: LC-RB3000
                      transport: { type: tcp, host: 127.0.0.1, port: 1502 }
                      unit_id: 1 # <-

            """
        try expectRefused(profile(rig: Self.goodRig, lanes: second), "unit id 1 on tcp 127.0.0.1:1502 is already used by L1.brake")
    }

    @Test func rigsOnPortZeroNeverShareALink() throws {
        let zero = Self.rig("port: 1502", with: "port: 0")
        let second = """
              - id: L2
                name: Lane 2
                vehicle_categories: [M1]
                stations:
                  - kind: brake
                    rig:
                      id: L2.brake
                      model: LC-RB3000
                      transport: { type: tcp, host: 127.0.0.1, port: 0 }
                      unit_id: 1

            """
        let loaded = try ProfileLoader().parse(profile(rig: zero, lanes: second), file: "s.yaml", folder: "/")
        #expect(loaded.rigs.count == 2)
    }

    @Test func oneSerialDeviceWithTwoSettings() throws {
        let first = Self.rig(
            "transport: { type: tcp, host: 127.0.0.1, port: 1502 }",
            with: "transport: { type: rtu, device: /dev/ttyS0, baud: 9600 }")
        let second = """
              - id: L2
                name: Lane 2
                vehicle_categories: [M1]
                stations:
                  - kind: brake
                    rig:
                      id: L2.brake
                      model: LC-RB3000
                      transport: { type: rtu, device: /dev/ttyS0, baud: 19200 } # <-
                      unit_id: 2

            """
        try expectRefused(profile(rig: first, lanes: second), "/dev/ttyS0 is already used by L1.brake with different serial settings")
    }

    @Test func unknownTopLevelKeyAndMissingRuleset() throws {
        try expectRefused(profile(rig: Self.goodRig, top: "rulset: UK-MOT # <-\n"), "unknown key \"rulset\"")
        let text = profile(rig: Self.goodRig).replacingOccurrences(of: "ruleset: CN-GB7258-2017\n", with: "")
        let error = try #require(throws: ProfileError.self) { try ProfileLoader().parse(text, file: "s.yaml", folder: "/") }
        #expect(error.line == 1)
        #expect(error.description.contains("missing required key \"ruleset\""))
    }

    @Test func relativeMapPathsResolveFromTheProfilesFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let mapText = try String(contentsOfFile: repository.mapFile("brake"), encoding: .utf8)
        try folder.write("maps/brake.yaml", mapText)
        let path = try folder.write(
            "profiles/station.yaml", profile(rig: Self.goodRig, models: "  LC-RB3000: ../maps/brake.yaml\n"))
        let loaded = try ProfileLoader().load(path: path)
        #expect(loaded.rigs[0].mapFile.hasSuffix("/maps/brake.yaml"))
        #expect(loaded.rigs[0].map.model == "LC-RB3000")
    }

    @Test func errorInAMapNamesTheMapFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let mapPath = try folder.write(
            "bad.yaml", "model: LC-RB3000\nkind: brake_tester\nversion: \"1\"\nchannels:\n  - { name: a, table: input, address: 0, type: u8 }\n")
        let error = try #require(throws: ProfileError.self) {
            try ProfileLoader().parse(profile(rig: Self.goodRig, models: "  LC-RB3000: \(mapPath)\n"), file: "s.yaml", folder: "/")
        }
        #expect(error.file == mapPath)
        #expect(error.line == 5)
        #expect(error.description.contains("unknown type \"u8\""))
    }
}
