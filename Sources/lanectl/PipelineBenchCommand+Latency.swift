import Foundation
import LaneCore
import Modbus
import Procedures
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension PipelineBenchCommand {
    /// How a verdict travels from the call that handled its last sample to its subscriber.
    enum Delivery: String, CaseIterable, Sendable {
        /// Baseline: no hub, no events; the handled input's start time yielded into a bare
        /// `AsyncStream<ContinuousClock.Instant>` read by a task (the cheapest task hop there is).
        case bareStream = "baseline: bare AsyncStream yield → task receive"
        /// `PipelineHub.subscribe()`: the events through the hub to an `AsyncStream` read by a task.
        case hubStream = "hub → AsyncStream subscriber task"
        /// `PipelineHub.subscribe(synchronously:)`: a handler on the publishing thread.
        case hubSynchronous = "hub → synchronous subscriber (on the publishing thread)"
    }

    /// One delivery's timings, in verdict order.
    struct LatencyRun: Sendable {
        /// Start of the `handle` call that produced each verdict.
        var started: [ContinuousClock.Instant] = []
        /// When that call returned (the publish begins).
        var published: [ContinuousClock.Instant] = []
        var arrived: [ContinuousClock.Instant] = []
        var slipToStop: [Duration] = []

        var latencies: [Duration] { zip(started, arrived).map { $1 - $0 } }
        /// Publish → arrival: the hop alone, without the pipeline's own work.
        var hops: [Duration] { zip(published, arrived).map { $1 - $0 } }
        var handled: [Duration] { zip(started, published).map { $1 - $0 } }

        mutating func append(_ other: LatencyRun) {
            started += other.started
            published += other.published
            arrived += other.arrived
            slipToStop += other.slipToStop
        }
    }

    /// Latency from the last sample of an item to its verdict at a subscriber, for each ``Delivery``,
    /// measured in the same run: inspections replayed one input at a time on a dedicated thread (as a
    /// link poller's consumer would call `handle`), rounds of the deliveries interleaved so the
    /// machine's load drifts over all of them alike.
    func latency(file: InspectionRecording, inputs: [PipelineInput]) async throws {
        let rounds = 3
        let perRound = max(1, passes / rounds)
        var runs: [Delivery: LatencyRun] = [:]
        for _ in 0..<rounds {
            for delivery in Delivery.allCases {
                let run = try await measureDelivery(delivery, file: file, inputs: inputs, passes: perRound)
                runs[delivery, default: LatencyRun()].append(run)
            }
        }
        let gap = verdictGapUs > 0 ? "a \(verdictGapUs) µs pause after each verdict" : "verdicts back to back"
        print("last sample → verdict at a subscriber: \(rounds) rounds × \(perRound) inspections per delivery, producer on its own thread, \(gap)")
        let baseline = runs[.bareStream] ?? LatencyRun()
        for delivery in Delivery.allCases {
            guard let run = runs[delivery] else { continue }
            let isTarget = delivery != .bareStream
            report("  \(delivery.rawValue)", run.latencies, target: isTarget ? "p99 < 1 ms" : nil, limit: isTarget ? .milliseconds(1) : nil)
            if delivery != .hubSynchronous {
                report("    of which the hop (publish → receive)", run.hops, target: nil, limit: nil)
            }
            if delivery != .bareStream {
                print(ratioLine(run.latencies, over: baseline.latencies))
            }
        }
        var handled: [Duration] = []
        var slipToStop: [Duration] = []
        for run in runs.values {
            handled += run.handled
            slipToStop += run.slipToStop
        }
        report("  handle() returned (the synchronous part, all deliveries)", handled, target: nil, limit: nil)
        report("slip sample → stop-rollers command returned", slipToStop, target: nil, limit: nil)
        guard slipRuns > 0 else { return }
        let period = Duration.milliseconds(10)
        let slips = try await slipLatencies(runs: slipRuns, period: period)
        report(
            "slip sample → stop-rollers write at the simulated rig (Modbus TCP loopback, 10 ms poll)", slips,
            target: "p99 ≤ one poll period + one round trip (≈ 11 ms)", limit: period + .milliseconds(1))
    }

    /// p50 and p99 of `values` divided by those of the baseline.
    func ratioLine(_ values: [Duration], over baseline: [Duration]) -> String {
        func quantile(_ v: [Duration], _ q: Double) -> Double {
            let sorted = v.sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))].seconds
        }
        return String(
            format: "    / baseline: p50 %.2f×  p99 %.2f×", quantile(values, 0.5) / quantile(baseline, 0.5),
            quantile(values, 0.99) / quantile(baseline, 0.99))
    }

    /// Replays `passes` inspections on a dedicated thread and delivers each verdict the given way.
    func measureDelivery(
        _ delivery: Delivery, file: InspectionRecording, inputs: [PipelineInput], passes: Int
    ) async throws -> LatencyRun {
        let clock = ContinuousClock()
        let expected = try file.replay().verdicts.count * passes
        let hub = PipelineHub()
        let (bare, bareContinuation) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
        let arrivals = InstantLog(capacity: expected)
        var receiver: Task<[ContinuousClock.Instant], Never>?
        switch delivery {
        case .bareStream:
            receiver = Task.detached {
                var arrived: [ContinuousClock.Instant] = []
                arrived.reserveCapacity(expected)
                for await _ in bare {
                    arrived.append(clock.now)
                    if arrived.count == expected { break }
                }
                return arrived
            }
        case .hubStream:
            let stream = hub.subscribe()
            receiver = Task.detached {
                var arrived: [ContinuousClock.Instant] = []
                arrived.reserveCapacity(expected)
                for await event in stream {
                    if case .verdict = event {
                        arrived.append(clock.now)
                        if arrived.count == expected { break }
                    }
                }
                return arrived
            }
        case .hubSynchronous:
            hub.subscribe(synchronously: { events in
                let now = clock.now
                for case .verdict in events { arrivals.append(now) }
            })
        }
        let gap = verdictGapUs
        let producer = Mutex<OSThread?>(nil)
        let produced: LatencyRun = try await withCheckedThrowingContinuation { continuation in
            let thread = OSThread(name: "bench-pipeline") {
                do {
                    var run = LatencyRun()
                    run.started.reserveCapacity(expected)
                    run.published.reserveCapacity(expected)
                    var events: [PipelineEvent] = []
                    for _ in 0..<passes {
                        var pipeline = try file.makePipeline()
                        for input in inputs {
                            events.removeAll(keepingCapacity: true)
                            let start = clock.now
                            pipeline.handle(input, into: &events)
                            if events.isEmpty { continue }
                            let returned = clock.now
                            var verdicts = 0
                            for event in events {
                                switch event {
                                case .verdict: verdicts += 1
                                case .command(let command) where command.name == "rollers_run" && command.value == 0:
                                    if case .sample = input { run.slipToStop.append(returned - start) }
                                default: break
                                }
                            }
                            for _ in 0..<verdicts {
                                run.started.append(start)
                                run.published.append(returned)
                            }
                            switch delivery {
                            case .bareStream: for _ in 0..<verdicts { bareContinuation.yield(start) }
                            case .hubStream, .hubSynchronous: hub.publish(events)
                            }
                            if verdicts > 0, gap > 0 { usleep(UInt32(gap)) }
                        }
                    }
                    continuation.resume(returning: run)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            producer.withLock { $0 = thread }
        }
        producer.withLock { $0 }?.join()
        var run = produced
        if let receiver {
            run.arrived = await receiver.value
        } else {
            run.arrived = arrivals.times
        }
        bareContinuation.finish()
        hub.finish()
        return run
    }
}

/// Arrival times recorded by a synchronous subscriber.
final class InstantLog: Sendable {
    private let log: Mutex<[ContinuousClock.Instant]>

    init(capacity: Int) {
        var times: [ContinuousClock.Instant] = []
        times.reserveCapacity(capacity)
        log = Mutex(times)
    }

    func append(_ time: ContinuousClock.Instant) { log.withLock { $0.append(time) } }
    var times: [ContinuousClock.Instant] { log.withLock { $0 } }
}
