import Foundation
import InspectionRules
import LaneCore
import LaneTesting
import Logging
import Modbus
import Procedures
import RigFirmware
import Rigs
import Synchronization
import Testing

/// The brake station end to end: a simulated rig served over Modbus TCP on loopback, the `Rigs`
/// poller reading it, the pipeline judging, and the stop command written back on slip.
@Suite(.serialized)
struct EndToEndTests {
    struct Outcome {
        var events: [PipelineEvent]
        /// Sample time of the first slip sample, and monotonic time the stop write reached the rig.
        var slipSample: UInt64?
        var stopWrite: UInt64?
        /// Both the rig's server thread and the poll thread ran under SCHED_FIFO.
        var realTime = false
    }

    /// Runs one axle of `scenario` against a served rig whose firmware does not stop on slip by
    /// itself (so the stop must come from the pipeline).
    static func runAxle(_ scenario: VehicleScenario) async throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("procedures-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let mapText = try String(contentsOf: Fixtures.root.appendingPathComponent("Firmware/maps/lc-rb3000-brake.yaml"), encoding: .utf8)
        let mapPath = folder.appendingPathComponent("brake-no-auto-stop.yaml")
        try mapText.replacingOccurrences(of: "auto_stop_on_slip: 1", with: "auto_stop_on_slip: 0")
            .write(to: mapPath, atomically: true, encoding: .utf8)

        // SCHED_FIFO where the process may (root in CI): 100 Hz over loopback beside a busy parallel suite.
        let rig = try InProcessRig(kind: mapPath.path, scenario: scenario, realTimePriority: 60)
        defer { rig.stop() }
        let writes = Mutex<[(UInt64, ModbusServer.Write, [UInt16])]>([])
        let modbus = rig.server.server
        modbus.setWriteHandler { write in
            let now = monotonicNanoseconds()
            let values: [UInt16] = modbus.withTables(unit: write.unitID) { tables in
                (write.address..<(write.address + write.count)).map { address in
                    write.table == .coil ? (tables.bit(.coil, address) ? 1 : 0) : tables.register(.holding, address)
                }
            }
            writes.withLock { $0.append((now, write, values)) }
            rig.rig.write(table: write.table, address: write.address, values: values, at: rig.server.elapsed)
        }

        let id = RigID("L1.brake")
        var configuration = BrakeConfiguration(axles: 1, map: rig.map)
        configuration.parkingAxle = nil
        let pipeline = InspectionPipeline(
            ruleset: .cnGB7258, vehicle: Fixtures.car,
            brake: try BrakeProcedure(rig: id, map: rig.map, configuration: configuration))
        let live = LivePipeline(pipeline: pipeline)
        let events = live.hub.subscribe()
        let (samples, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(1000))
        let poller = LinkPoller(
            configuration: LinkConfiguration(
                name: "L1.brake", transport: .tcp(host: "127.0.0.1", port: rig.port),
                rigs: [Rigs.RigConfiguration(rig: id, unitID: 1, map: rig.map)], period: .milliseconds(10),
                responseTimeout: .milliseconds(500), deadlineTolerance: .milliseconds(250), realTimePriority: 50),
            samples: continuation, logger: Logger(label: "test"))
        poller.start()
        let slipLeft = rig.map.channelIndex("slip_left")!
        let slipRight = rig.map.channelIndex("slip_right")!
        var slipSample: UInt64?
        let start = monotonicNanoseconds()
        _ = live.handle(.start(MonotonicInstant(nanoseconds: start)))
        for await sample in samples {
            // An aborted run waits for the driver; give up after 40 s of sample time (items incomplete).
            if sample.time.nanoseconds > start + 40_000_000_000 {
                for command in live.handle(.finish(sample.time)) { try poller.submit(command) }
                break
            }
            if slipSample == nil, sample.quality == .good, sample.values[slipLeft] + sample.values[slipRight] > 0 {
                slipSample = sample.time.nanoseconds
            }
            for command in live.handle(.sample(sample)) { try poller.submit(command) }
            if live.isFinished { break }
        }
        let stats = poller.statistics()
        let realTime = stats.realTime.granted && rig.server.server.statistics.realTime
        print("link: missed \(stats.missedDeadlines) skipped \(stats.skippedCycles) cycles \(stats.cycles) cycleTime max \(stats.cycleTime.max) p99 \(stats.cycleTime.p99) periodError max \(stats.periodError.max) rt \(realTime)")
        await poller.stop()
        live.hub.finish()
        var collected: [PipelineEvent] = []
        for await event in events { collected.append(event) }
        let stop = writes.withLock { $0.first { $0.1.table == .coil && $0.1.address == 0 && $0.2 == [0] }?.0 }
        return Outcome(events: collected, slipSample: slipSample, stopWrite: stop, realTime: realTime)
    }

    /// Runs the axle until a run's samples pass the data-quality gate (at most `attempts` runs).
    ///
    /// On a loaded test machine the poll thread can run late; the gate then rightly judges the items
    /// `incomplete`. Every gated run is checked for exactly that (never a pass or fail on late data), and
    /// the verdict under test comes from the first clean run.
    /// Nil when every run was refused by the gate (a machine too loaded to poll at 100 Hz): the gate's
    /// contract was still checked on each, but there is no verdict to compare. A run the procedure aborted
    /// (the rollers not at speed in time, on a starved machine) is checked the same way: every item
    /// `incomplete`, then repeated. The rig's server thread and the poll thread ask for SCHED_FIFO (granted
    /// to root): without it most runs beside the parallel suite were gated; both block in the kernel when idle
    /// (see docs/modbus.md and ModbusTests' IdleThreadTests).
    static func runAxleUntilClean(_ scenario: VehicleScenario, attempts: Int = 5) async throws -> Outcome? {
        var realTime = true
        for _ in 0..<attempts {
            let outcome = try await runAxle(scenario)
            realTime = realTime && outcome.realTime
            if isCleanRun(outcome.events) { return outcome }
        }
        print("every one of \(attempts) runs was refused by the data-quality gate or aborted (machine too loaded; SCHED_FIFO \(realTime ? "granted" : "not granted")); verdict not compared")
        return nil
    }

    static func verdicts(_ outcome: Outcome) -> [String: ItemVerdict] {
        var result: [String: ItemVerdict] = [:]
        for case .verdict(let v) in outcome.events { result[v.item.id] = v.item.verdict }
        return result
    }

    @Test(.timeLimit(.minutes(8)))
    func soundFrontAxleOverLoopbackPassesAndTheSlipStopReachesTheRig() async throws {
        guard let outcome = try await Self.runAxleUntilClean(.soundCar) else { return }
        let verdicts = Self.verdicts(outcome)
        for case .verdict(let v) in outcome.events where v.qualityReason != nil { print("quality gate:", v.item.id, v.qualityReason!.en) }
        for case .aborted(let a) in outcome.events { print("aborted:", a.step, a.reason.en) }
        #expect(verdicts["brake.axle1.rate"] == .pass)
        #expect(verdicts["brake.axle1.imbalance"] == .pass)
        let slip = try #require(outcome.slipSample)
        let stop = try #require(outcome.stopWrite)
        // The procedure may react to the slip percentage a sample before the rig raises its slip flag,
        // so the stop can precede the flagged sample; its latency is measured by `lanectl bench pipeline`.
        print("slip-flag sample and stop-rollers write at the rig differ by \(Double(Int64(bitPattern: stop &- slip)) / 1e6) ms (poll period 10 ms)")
    }

    @Test(.timeLimit(.minutes(8)))
    func pullingFrontAxleOverLoopbackFailsTheImbalance() async throws {
        guard let outcome = try await Self.runAxleUntilClean(.pullingFrontAxle) else { return }
        #expect(Self.verdicts(outcome)["brake.axle1.imbalance"] == .fail)
    }
}
