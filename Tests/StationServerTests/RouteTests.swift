import Foundation
import Hummingbird
import HummingbirdTesting
import LaneCore
import Logging
import NIOCore
import Rigs
import StationServer
import Testing

@Suite(.timeLimit(.minutes(5)))
struct RouteTests {
    func app(_ hub: LiveHub, auth: StationAuth) -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return StationRoutes.application(hub: hub, auth: auth, host: "127.0.0.1", port: 0, logger: logger)
    }

    func app(_ hub: LiveHub) async throws -> some ApplicationProtocol { app(hub, auth: try await makeAuth()) }

    func idleHub() throws -> LiveHub {
        let (stream, _) = AsyncStream.makeStream(of: Sample.self)
        return LiveHub(profile: try demoProfile(), pollers: [], samples: stream)
    }

    @Test func profileRouteListsLanesStationsAndChannelsAndOpensInChineseUnderACNRuleset() async throws {
        try await app(try idleHub()).test(.router) { client in
            try await client.execute(uri: "/api/profile", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try jsonObject(String(buffer: response.body))
                #expect(body["language"] as? String == "zh")
                #expect(body["ruleset"] as? String == "CN-GB7258-2017")
                let lanes = try #require(body["lanes"] as? [[String: Any]])
                #expect(lanes.map { $0["id"] as? String } == ["L1", "L2"])
                let stations = try #require(lanes[0]["stations"] as? [[String: Any]])
                #expect(stations.map { $0["kind"] as? String } == ["emission", "headlamp", "brake"])
                let brake = try #require(stations[2]["rig"] as? [String: Any])
                let channels = try #require(brake["channels"] as? [[String: Any]])
                #expect(channels.first?["name"] as? String == "force_left")
                #expect(channels.first?["unit"] as? String == "daN")
                #expect((brake["commands"] as? [String])?.contains("rollers_run") == true)
            }
        }
    }

    @Test func unknownPathAnswers404AsJSONWithAReasonNamingThePath() async throws {
        try await app(try idleHub()).test(.router) { client in
            try await client.execute(uri: "/api/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let error = try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
                #expect(error["status"] as? Int == 404)
                #expect((error["reason"] as? String)?.contains("/api/nothing-here") == true)
            }
        }
    }

    @Test func unknownRigAndLaneAnswer404ListingTheKnownOnes() async throws {
        try await app(try idleHub()).test(.router) { client in
            let cookie = try await client.signIn("op1")
            try await client.get("/api/rigs/L9.brake", cookie: cookie) { response in
                #expect(response.status == .notFound)
                let error = try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
                let reason = try #require(error["reason"] as? String)
                #expect(reason.contains("L9.brake") && reason.contains("L1.brake"))
            }
            try await client.execute(uri: "/display/L7", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("L7"))
            }
        }
    }

    @Test func consoleAndItsFilesAreServed() async throws {
        try await app(try idleHub()).test(.router) { client in
            let cookie = try await client.signIn("op1")
            try await client.get("/console", cookie: cookie) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: response.body).contains("/console/console.js"))
            }
            try await client.execute(uri: "/console/console.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("/live"))
            }
            try await client.execute(uri: "/display/L1", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func hubKeepsTheLatestSampleAndHowLongARigHasBeenStale() async throws {
        let hub = try idleHub()
        let rig = RigID("L1.brake")
        let count = hub.profile.rigs.first { $0.id == rig }!.map.channels.count
        let values = (0..<count).map(Double.init)
        hub.ingest(Sample(rig: rig, sequence: 1, time: .init(nanoseconds: 1_000_000_000), values: values, quality: .good))
        hub.ingest(Sample(rig: rig, sequence: 2, time: .init(nanoseconds: 2_000_000_000), values: values, quality: .timedOut))
        hub.ingest(Sample(rig: rig, sequence: 3, time: .init(nanoseconds: 4_500_000_000), values: values, quality: .stale))
        var snapshot = try #require(hub.rigSnapshots().first { $0.rig == rig })
        #expect(snapshot.sequence == 3)
        #expect(snapshot.quality == .stale)
        #expect(snapshot.staleForSeconds == 2.5)
        hub.ingest(Sample(rig: rig, sequence: 4, time: .init(nanoseconds: 5_000_000_000), values: values, quality: .good))
        snapshot = try #require(hub.rigSnapshots().first { $0.rig == rig })
        #expect(snapshot.staleForSeconds == nil)
        // The brake trace keeps good samples' forces only.
        let (points, cursor) = hub.trace(of: rig, after: 0)
        #expect(points.count == 2 && cursor == 2)
        #expect(points[0].left == 0 && points[0].right == 1)
        #expect(hub.trace(of: rig, after: cursor).points.isEmpty)
    }

    @Test(.timeLimit(.minutes(5)))
    func rigsRouteAndMetricsReportLivePollStatisticsOfSimulatedRigs() async throws {
        let station = try LiveStation(only: ["L1.brake", "L1.headlamp"])
        try await station.run {
            try await station.wait("samples from both rigs") {
                station.hub.rigSnapshots().filter { $0.quality == .good }.count == 2
                    && station.hub.linkStatistics().allSatisfy { $0.cycles > 3 }
            }
            try await app(station.hub).test(.router) { client in
                let cookie = try await client.signIn("op1")
                try await client.get("/api/rigs", cookie: cookie) { response in
                    #expect(response.status == .ok)
                    let body = try jsonObject(String(buffer: response.body))
                    let rigs = try #require(body["rigs"] as? [[String: Any]])
                    let brake = try #require(rigs.first { $0["rig"] as? String == "L1.brake" })
                    #expect(brake["link"] as? String == "L1.brake")
                    let sample = try #require(brake["sample"] as? [String: Any])
                    #expect(sample["quality"] as? String == "good")
                    #expect((sample["values"] as? [Double])?.count == (brake["channels"] as? [String])?.count)
                    let links = try #require(body["links"] as? [[String: Any]])
                    #expect(links.count == 2)
                    let brakeLink = try #require(links.first { $0["name"] as? String == "L1.brake" })
                    #expect(brakeLink["period_seconds"] as? Double == 0.01)
                    #expect((brakeLink["cycles"] as? Int ?? 0) > 3)
                    // The rigs not polled (this test polls two) have no sample and no link.
                    let emission = try #require(rigs.first { $0["rig"] as? String == "L1.emission" })
                    #expect(emission["link"] == nil)
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                    let text = String(buffer: response.body)
                    #expect(text.contains("# TYPE lane_link_cycles_total counter"))
                    #expect(text.contains("# TYPE lane_link_period_error_seconds summary"))
                    #expect(text.contains("lane_link_period_error_seconds{link=\"L1.brake\",quantile=\"0.99\"} "))
                    #expect(text.contains("lane_rig_online{rig=\"L1.headlamp\",link=\"L1.headlamp\"} 1"))
                    // Every sample line is `name{labels} number`.
                    let pattern = /^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$/
                    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                        #expect(String(line).wholeMatch(of: pattern) != nil, "bad exposition line: \(line)")
                    }
                    let cycles = text.split(separator: "\n").first { $0.hasPrefix("lane_link_cycles_total{link=\"L1.brake\"}") }
                    #expect(Int(cycles?.split(separator: " ").last ?? "0") ?? 0 > 3)
                }
            }
        }
    }
}
