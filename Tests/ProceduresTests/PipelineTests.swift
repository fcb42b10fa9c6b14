import InspectionRules
import LaneCore
import Procedures
import RigFirmware
import Synchronization
import Testing

/// The pipeline: per-item verdicts as items complete, the data-quality gate, faults.
struct PipelineTests {
    static func brakeOnlyLane(_ scenario: VehicleScenario = .soundCar) throws -> SimulatedLane {
        SimulatedLane(
            pipeline: try Fixtures.pipeline(vehicle: Fixtures.car, headlamp: false, emission: false), scenario: scenario)
    }

    @Test func axleItemsArePublishedWhenTheAxleCompletesNotAtTheEnd() throws {
        var lane = try Self.brakeOnlyLane()
        lane.run()
        let order = lane.events.compactMap { event -> String? in
            switch event {
            case .measured(.brake(let m)): "measured axle\(m.axle) \(m.kind.rawValue)"
            case .verdict(let v): v.item.id
            default: nil
            }
        }
        let axle1 = try #require(order.firstIndex(of: "brake.axle1.rate"))
        let measured2 = try #require(order.firstIndex(of: "measured axle2 service"))
        #expect(axle1 < measured2)
        #expect(order.firstIndex(of: "measured axle1 service")! < axle1)
        // The verdict carries the time of the last sample of its measurement.
        let run1 = lane.measurements.compactMap { if case .brake(let m) = $0, m.axle == 1 { m } else { nil } }.first
        #expect(lane.verdicts.first { $0.item.id == "brake.axle1.rate" }?.lastSampleTime == run1?.ended)
    }

    @Test func deadlineMissDuringBrakingMakesTheAxleIncompleteNeverPass() throws {
        var lane = try Self.brakeOnlyLane()
        // Axle 1 brakes about 7 s into the run at 100 Hz: sequence 700 lies inside the run.
        lane.lateSequences[Fixtures.brakeRig] = [700]
        lane.run()
        let axle1 = lane.verdicts.filter { $0.item.id.hasPrefix("brake.axle1.") }
        #expect(!axle1.isEmpty)
        for verdict in axle1 {
            #expect(verdict.item.verdict == .incomplete)
            #expect(verdict.qualityReason?.en.contains("missed their poll deadline") == true)
            #expect(verdict.item.explain.en.contains("deadline"))
        }
        #expect(lane.verdict("brake.service.rate") == .incomplete)
        #expect(lane.verdict("brake.axle2.rate") == .pass)
        #expect(!lane.verdicts.contains { $0.item.verdict == .pass && $0.item.id.hasPrefix("brake.axle1.") })
    }

    @Test func sequenceGapMakesTheItemIncompleteWithTheReason() throws {
        var lane = try Self.brakeOnlyLane()
        lane.droppedSequences[Fixtures.brakeRig] = [650, 651, 652]
        lane.run()
        let rate = lane.verdicts.first { $0.item.id == "brake.axle1.rate" }
        #expect(rate?.item.verdict == .incomplete)
        #expect(rate?.qualityReason?.en.contains("3 sample(s) lost in 1 gap(s)") == true)
    }

    @Test func lateSampleInTheHighIdleWindowGatesTheEmissionItems() throws {
        var lane = SimulatedLane(
            pipeline: try Fixtures.pipeline(vehicle: Fixtures.car, brake: false, headlamp: false), scenario: .soundCar)
        // The analyser is polled at 10 Hz: sequence 1000 is 100 s in, inside the high-idle average.
        lane.lateSequences[Fixtures.emissionRig] = [1000]
        lane.run()
        #expect(lane.aborts.isEmpty)
        let emission = lane.verdicts.filter { $0.item.id.hasPrefix("emission.") }
        #expect(emission.count == 5)
        #expect(emission.allSatisfy { $0.item.verdict == .incomplete && $0.qualityReason != nil })
    }

    @Test func analyserFaultMidTestLeavesEmissionItemsIncomplete() throws {
        var lane = SimulatedLane(
            pipeline: try Fixtures.pipeline(vehicle: Fixtures.car, brake: false, headlamp: false), scenario: .soundCar)
        lane.fault = (Fixtures.emissionRig, .seconds(100), .timedOut)
        lane.run(limit: .seconds(400), finishAt: .seconds(110))
        #expect(lane.aborts.count == 1)
        #expect(lane.events.contains { if case .command(let c) = $0 { c.name == "sampling" && c.value == 0 } else { false } })
        let emission = lane.verdicts.filter { $0.item.id.hasPrefix("emission.") }
        #expect(!emission.isEmpty)
        #expect(emission.allSatisfy { $0.item.verdict == .incomplete })
    }

    @Test func rigFaultMidTestGivesIncompleteNeverAVerdict() throws {
        var lane = try Self.brakeOnlyLane()
        // The brake tester stops answering while axle 2 is on the rollers.
        lane.fault = (Fixtures.brakeRig, .seconds(18), .timedOut)
        lane.run(limit: .seconds(120), finishAt: .seconds(60))
        #expect(lane.aborts.count == 1)
        #expect(lane.aborts.first?.step == "axle 2 service brake")
        // The rollers were told to stop when the run was aborted.
        #expect(lane.inputs.isEmpty == false)
        #expect(lane.events.contains { if case .command(let c) = $0 { c.name == "rollers_run" && c.value == 0 } else { false } })
        #expect(lane.verdict("brake.axle1.rate") == .pass)
        for id in ["brake.axle2.rate", "brake.axle2.imbalance", "brake.service.rate", "brake.parking.rate"] {
            #expect(lane.verdict(id) == .incomplete, "\(id)")
        }
        #expect(!lane.verdicts.contains { $0.item.id.hasPrefix("brake.axle2.") && $0.item.verdict != .incomplete })
        #expect(lane.result?.verdict == .incomplete)
    }

    @Test func abortedAxleRepeatedAfterTheFaultClearsGivesTheVerdict() throws {
        var lane = try Self.brakeOnlyLane()
        lane.fault = (Fixtures.brakeRig, .seconds(3), .timedOut)
        lane.repeatAborts = true
        // Clear the fault a little later by running in two parts.
        lane.run(limit: .seconds(6))
        lane.fault = nil
        while !lane.pipeline.isFinished, lane.now < .seconds(200) { lane.step() }
        #expect(lane.aborts.count >= 1)
        #expect(lane.pipeline.isFinished)
        #expect(lane.notPassing == [])
    }

    @Test func hubDeliversEveryEventToEverySubscriberInOrder() async throws {
        let hub = PipelineHub()
        let first = hub.subscribe()
        let second = hub.subscribe()
        var lane = try Self.brakeOnlyLane()
        lane.run()
        let live = LivePipeline(pipeline: try Fixtures.pipeline(vehicle: Fixtures.car, headlamp: false, emission: false), hub: hub)
        var commands: [RigCommand] = []
        for input in lane.inputs { commands += live.handle(input) }
        hub.finish()
        var a: [PipelineEvent] = []
        for await event in first { a.append(event) }
        var b: [PipelineEvent] = []
        for await event in second { b.append(event) }
        #expect(a == lane.events)
        #expect(b == lane.events)
        #expect(commands == lane.events.compactMap { if case .command(let c) = $0 { c } else { nil } })
        #expect(live.isFinished)
    }

    @Test func synchronousSubscriberGetsEachInputsBatchBeforeHandleReturnsUntilCancelled() throws {
        let hub = PipelineHub()
        var lane = try Self.brakeOnlyLane()
        lane.run()
        let live = LivePipeline(pipeline: try Fixtures.pipeline(vehicle: Fixtures.car, headlamp: false, emission: false), hub: hub)
        let received = BatchLog()
        let subscription = hub.subscribe(synchronously: { batch in received.append(batch) })
        let late = BatchLog()
        var batches = 0
        var cancelledAt: Int?
        for (index, input) in lane.inputs.enumerated() {
            let before = received.batches.count
            _ = live.handle(input)
            let after = received.batches.count
            // At most one batch per input, and already delivered when handle returns.
            #expect(after - before <= 1)
            batches = after
            if cancelledAt == nil, received.events.contains(where: { if case .verdict = $0 { true } else { false } }) {
                subscription.cancel()
                cancelledAt = index
                hub.subscribe(synchronously: { batch in late.append(batch) })
            }
        }
        #expect(hub.subscriberCount == 1)
        let delivered = received.events
        let rest = late.events
        // Nothing after the cancel; the second handler saw the rest; together: every event in order.
        #expect(received.batches.count == batches)
        #expect(cancelledAt != nil)
        #expect(delivered + rest == lane.events)
        #expect(received.batches.allSatisfy { !$0.isEmpty })
        hub.finish()
        #expect(hub.subscriberCount == 0)
    }
}

/// Batches a synchronous subscriber received.
final class BatchLog: Sendable {
    private let log = Mutex<[[PipelineEvent]]>([])
    func append(_ batch: [PipelineEvent]) { log.withLock { $0.append(batch) } }
    var batches: [[PipelineEvent]] { log.withLock { $0 } }
    var events: [PipelineEvent] { batches.flatMap { $0 } }
}
