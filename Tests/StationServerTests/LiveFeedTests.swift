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
                // The server pings every 30 s and closes a socket that does not answer: a test process starved
                // beside the parallel suite can miss it. The console then reconnects; so does the test (3 tries),
                // each connection's messages checked on their own.
                for _ in 0..<3 {
                    received.texts.withLock { $0 = [] }
                    try await client.ws("/live", configuration: .init(additionalHeaders: [.cookie: cookie])) { inbound, _, _ in
                        var samplesMessages = 0
                        for try await message in inbound.messages(maxSize: 4 << 20) {
                            guard case .text(let text) = message else { continue }
                            received.texts.withLock { $0.append(text) }
                            if try jsonObject(text)["type"] as? String == "samples" { samplesMessages += 1 }
                            if samplesMessages >= 25 { break }
                        }
                    }
                    let samplesMessages = try received.texts.withLock { $0 }.filter { try jsonObject($0)["type"] as? String == "samples" }.count
                    if samplesMessages >= 25 { break }
                    print("live feed closed after \(samplesMessages) samples messages; reconnecting")
                }
            }
            try? station.hub.submit(RigCommand(rig: "L1.brake", name: "rollers_run", value: 0))
        }
        let messages = try received.texts.withLock { $0 }.map(jsonObject)
        #expect(messages.first?["type"] as? String == "hello")
        let hello = try #require(messages.first?["profile"] as? [String: Any])
        #expect((hello["lanes"] as? [Any])?.count == 2)
        let samples = messages.filter { $0["type"] as? String == "samples" }
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
