import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import HummingbirdWebSocket
import LaneCore
import Logging
import StationServer
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(5)))
struct LiveFeedTests {
    @Test func liveFeedStreamsSamplesAndBrakeTraceFromARealPollerReadingASimulatedRig() async throws {
        let station = try LiveStation(only: ["L1.brake"])
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = StationRoutes.application(
            hub: station.hub, auth: try await makeAuth(), host: "127.0.0.1", port: 0, logger: logger)
        let received = Collected()
        try await station.run {
            // Put the scripted vehicle's brakes on the rollers so the forces move.
            try station.hub.submit(RigCommand(rig: "L1.brake", name: "rollers_run", value: 1))
            try await app.test(.live) { client in
                let cookie = try await client.signIn("op1")
                // Connect once the hub keeps more trace than fits a 16 KB frame (at 100 Hz, 10 s): the first
                // samples message carries all of it, and the client below keeps swift-websocket's default 16 KB
                // frame limit, so the message must come fragmented.
                try await station.wait("1,000 brake trace points") {
                    station.hub.trace(of: "L1.brake", after: 0).points.count >= 1_000
                }
                try await client.ws("/live", configuration: .init(additionalHeaders: [.cookie: cookie])) { inbound, _, _ in
                    var samplesMessages = 0
                    for try await message in inbound.messages(maxSize: 4 << 20) {
                        guard case .text(let text) = message else { continue }
                        received.texts.withLock { $0.append(text) }
                        if try jsonObject(text)["type"] as? String == "samples" { samplesMessages += 1 }
                        if samplesMessages >= 25 { break }
                    }
                }
            }
            try? station.hub.submit(RigCommand(rig: "L1.brake", name: "rollers_run", value: 0))
        }
        let messages = try received.texts.withLock { $0 }.map(jsonObject)
        #expect(messages.first?["type"] as? String == "hello")
        let hello = try #require(messages.first?["profile"] as? [String: Any])
        #expect((hello["lanes"] as? [Any])?.count == 2)
        let samples = messages.filter { $0["type"] as? String == "samples" }
        let firstSamples = try #require(received.texts.withLock { $0 }.first { $0.contains(#""type":"samples""#) })
        #expect(firstSamples.utf8.count > 16 << 10, "the first samples message spans several frames")
        let brake = samples.flatMap { ($0["samples"] as? [[String: Any]]) ?? [] }.filter { $0["rig"] as? String == "L1.brake" }
        let sequences = brake.compactMap { $0["seq"] as? Int }
        #expect(sequences.count >= 20)
        #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count, "each message carries a newer sample")
        #expect(brake.allSatisfy { ($0["values"] as? [Double])?.count == station.profile.rigs.first { $0.id == "L1.brake" }!.map.channels.count })
        #expect(brake.contains { $0["quality"] as? String == "good" })
        // At 100 Hz polling and 20 Hz messages, the trace carries several points per message.
        let points = samples.flatMap { ($0["traces"] as? [[String: Any]]) ?? [] }.flatMap { ($0["points"] as? [[Double]]) ?? [] }
        #expect(points.count > sequences.count)
        #expect(points.allSatisfy { $0.count == 3 })
        #expect(messages.contains { $0["type"] as? String == "health" })
    }
}

/// Text frames a test client received (shared between the client's handler and the test).
final class Collected: Sendable {
    let texts = Mutex<[String]>([])
}
