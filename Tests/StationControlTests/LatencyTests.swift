import Foundation
import LaneCore
import LaneTesting
import StationControl
import StationTesting
import Testing

/// The controller's latency figures: the histogram itself, and the times a real brake test records (every verdict
/// event carries the time of the sample behind it, every journaled item and every rollers stop is timed).
struct LatencyTests {
    @Test func histogramBucketsAreCumulativeIgnoreNegativeLatenciesAndSumInSeconds() {
        let h = LatencyHistogram(bounds: [0.01, 0.001, 0.1])  // any order: sorted
        #expect(h.bounds == [0.001, 0.01, 0.1])
        h.record(.microseconds(500))
        h.record(.milliseconds(5))
        h.record(.milliseconds(5))
        h.record(.seconds(2))  // above every bound: in +Inf only
        h.record(.milliseconds(-1))  // the end before the start: not recorded
        h.record(from: MonotonicInstant(nanoseconds: 2_000), to: MonotonicInstant(nanoseconds: 1_000))
        // Exactly on a bound counts in that bucket (Prometheus' `le`).
        h.record(from: MonotonicInstant(nanoseconds: 1_000_000), to: MonotonicInstant(nanoseconds: 11_000_000))
        let s = h.snapshot()
        #expect(s.cumulativeCounts == [1, 4, 4])
        #expect(s.count == 5)
        #expect(abs(s.sum - (0.0005 + 0.005 + 0.005 + 2 + 0.01)) < 1e-9)
    }

    @Test func defaultBoundsRunFromASubMillisecondToOneSecond() {
        let bounds = LatencyHistogram().bounds
        #expect(bounds.first! < 0.001)
        #expect(bounds.last == 1)
        #expect(bounds == bounds.sorted())
    }

    @Test(.timeLimit(.minutes(10)))
    func verdictEventsCarryTheirLastSampleTimeAndJournaledItemsAndRollersStopsAreTimed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var h = try LaneHarness(profile: Fixtures.singleLane([.brake]), folder: folder)
        let events = h.controller.events(bufferingNewest: 100_000)
        let start = h.clock.now
        _ = try h.controller.openShift(by: "op1")
        let ticket = try h.controller.checkIn(TestVehicles.car(), by: "desk1")
        #expect(try h.run(until: LaneTests.finished(ticket.queueNumber)))
        _ = try h.controller.closeShift(by: "op1")
        #expect(h.controller.flushJournal())
        h.controller.stopJournal()
        let end = h.clock.now

        var verdicts: [StationEvent] = []
        for await event in events {
            if event.type == .verdict { verdicts.append(event) }
            if event.type == .shiftClosed { break }
        }
        #expect(verdicts.count >= 3, "axles and parking brake judged")
        for event in verdicts {
            let t = try #require(event.lastSampleTime, "\(event.verdict?.item ?? "?") has no sample time")
            #expect(t > start && t <= end, "\(event.verdict?.item ?? "?") at \(t), test ran \(start)…\(end)")
        }
        // The axles are judged one after the other, each on its own run's samples.
        let axle1 = try #require(verdicts.first { $0.verdict?.item.hasPrefix("brake.axle1") == true }?.lastSampleTime)
        let axle2 = try #require(verdicts.first { $0.verdict?.item.hasPrefix("brake.axle2") == true }?.lastSampleTime)
        #expect(axle1 < axle2)
        // The event says so on the wire too.
        let json = String(decoding: try StationJSON.encoder().encode(verdicts[0]), as: UTF8.self)
        #expect(json.contains("\"last_sample_time\":{\"nanoseconds\":\(verdicts[0].lastSampleTime!.nanoseconds)}"), "\(json)")

        // Every item written to the journal was timed from its sample; on this virtual clock a latency is the
        // virtual time that passed, never negative.
        let journal = h.controller.latencies.journalWrite.snapshot()
        #expect(journal.count == UInt64(verdicts.count))
        #expect(journal.sum >= 0)
        // Every brake run ends with the rollers stopped on a sample (two axles and the parking brake).
        let rollers = h.controller.latencies.rollersStop.snapshot()
        #expect(rollers.count >= 2)
        #expect(rollers.cumulativeCounts.last == rollers.count, "a stop within the sample's own call takes no virtual time")
    }
}
