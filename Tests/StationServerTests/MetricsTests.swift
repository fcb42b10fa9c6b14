import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import LaneCore
import LaneTesting
import Logging
import NIOCore
import StationControl
import StationServer
import Testing

/// `/metrics`: the latency histograms (last sample → verdict on the live feed, → item in the journal, → rollers
/// stop handed on) filled by a real verdict through the real controller, feed and journal.
@Suite(.timeLimit(.minutes(5)))
struct MetricsTests {
    @Test func aVerdictFillsThePipelineAndJournalLatencyHistograms() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let journal = try Journal(path: folder.url.appendingPathComponent("station.sqlite").path, now: WallTime(Date()))
        let profile = try demoProfile()
        let (stream, _) = AsyncStream.makeStream(of: Sample.self)
        let hub = LiveHub(profile: profile, pollers: [], samples: stream)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        // The real monotonic clock, as in a station: the latencies are real time.
        let controller = StationController(profile: profile, journal: journal, commands: { _ in }, logger: logger)
        let app = StationRoutes.application(
            hub: hub, auth: try await makeAuth(), controller: controller, host: "127.0.0.1", port: 0, logger: logger)
        try ConsoleRoutesTests.bringAVehicleToTheEntry(controller, plate: "鲁G54321", category: "M1")

        try await app.test(.router) { client in
            // The feed follows the controller's events from its first snapshot on.
            _ = try await Self.metrics(client) { $0.contains("lane_queue_length 1\n") }
            let before = try await Self.metrics(client) { _ in true }
            #expect(Self.value("lane_pipeline_verdict_latency_seconds_count", in: before) == 0)

            // The called vehicle drives in (its first station starts), then the operator aborts: every item not
            // measured is judged incomplete, journaled and published.
            let driver = try #require(controller.snapshot().queue.first?.driver.map { DriverID(rawValue: $0) })
            let enter = try #require(controller.task(for: driver))
            #expect(enter.step == "enter_lane")
            _ = try controller.acknowledge(driver: driver, promptID: enter.promptID, plate: nil)
            let lane = try #require(controller.snapshot().lanes.first { $0.current != nil })
            try controller.abort(lane: LaneID(lane.id), reason: "metrics test", by: "op1")
            #expect(controller.flushJournal())

            // Wait until the feed has published every verdict the controller journaled.
            let text = try await Self.metrics(client) { text in
                let published = Self.value("lane_pipeline_verdict_latency_seconds_count", in: text) ?? 0
                return published >= 1 && published == Self.value("lane_journal_write_latency_seconds_count", in: text)
                    && published == Self.value("lane_verdicts_total", in: text)
            }
            let verdicts = try #require(Self.value("lane_verdicts_total", in: text))
            #expect(verdicts >= 1)
            for name in ["lane_pipeline_verdict_latency_seconds", "lane_journal_write_latency_seconds"] {
                #expect(text.contains("# TYPE \(name) histogram\n"))
                let count = try #require(Self.value(name + "_count", in: text), "\(name)")
                let sum = try #require(Self.value(name + "_sum", in: text), "\(name)")
                #expect(count >= 1, "\(name)")
                #expect(sum > 0, "\(name): the verdict cannot land in zero time")
                #expect(sum < 60 * count, "\(name): \(sum) s for \(count) is no latency of this test")
                try Self.expectWellFormedHistogram(name, count: count, in: text)
            }
            // Every item the controller journaled was timed, and so was every verdict the feed published.
            #expect(Self.value("lane_journal_write_latency_seconds_count", in: text) == verdicts)
            // No sample stopped the rollers here (the abort did, on the operator's call): the family is there, empty.
            #expect(text.contains("# TYPE lane_rollers_stop_latency_seconds histogram\n"))
            #expect(Self.value("lane_rollers_stop_latency_seconds_count", in: text) == 0)
        }
        controller.stopJournal()
    }

    /// Buckets ascend by `le`, never decrease, and the `+Inf` bucket equals the count.
    static func expectWellFormedHistogram(_ name: String, count: Double, in text: String) throws {
        var last = -1.0
        var previousBound = -1.0
        var buckets = 0
        for line in text.split(separator: "\n") where line.hasPrefix(name + "_bucket{le=\"") {
            let rest = line.dropFirst(name.count + 12)
            let parts = rest.split(separator: "\"")
            let bound = parts[0] == "+Inf" ? Double.infinity : try #require(Double(String(parts[0])))
            let value = try #require(Double(String(parts[1].dropFirst(2))))
            #expect(bound > previousBound, "\(line)")
            #expect(value >= last, "\(line)")
            previousBound = bound
            last = value
            buckets += 1
        }
        #expect(buckets >= 10, "\(name): \(buckets) buckets")
        #expect(previousBound == .infinity)
        #expect(last == count)
    }

    /// The value of an unlabelled sample line `name value`.
    static func value(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    /// `GET /metrics` until `ready` holds (the feed runs as a service beside the test; allow a loaded machine).
    static func metrics(_ client: some TestClientProtocol, until ready: (String) -> Bool) async throws -> String {
        var text = ""
        for _ in 0..<1_000 {
            text = try await client.get("/metrics", cookie: nil) { String(buffer: $0.body) }
            if ready(text) { return text }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimedOut(what: "/metrics to show the awaited figure (last: \(text.suffix(2_000)))")
    }
}
