import Foundation
import InspectionRules
import LaneCore
import Logging
import Modbus
import Procedures
import Profiles
import RigFirmware
import Rigs
import Synchronization

extension PipelineBenchCommand {
    /// Slip sample → stop-rollers write reaching a simulated brake tester served over Modbus TCP on
    /// loopback and read by the `Rigs` poller. The rig's own stop on slip is switched off, so the
    /// stop must come from the pipeline. Returns the latencies (sample time of the first slip
    /// sample to the moment the rig's server handled the write, same monotonic clock).
    func slipLatencies(runs: Int, period: Duration) async throws -> [Duration] {
        var map = try RegisterMapLoader.load(path: "Firmware/maps/lc-rb3000-brake.yaml")
        map.settings["auto_stop_on_slip"] = 0
        var scenario = VehicleScenario.soundCar
        scenario.pedal.delay = 1.2
        scenario.pedal.rise = 0.6
        let id = RigID("bench.brake")
        let rig = SimulatedRig(id: id, map: map, scenario: scenario, seed: 7)
        let server = try RigServer(transport: .tcp(host: "127.0.0.1", port: 0), rigs: [1: rig])
        let stopWrites = Mutex<[UInt64]>([])
        let modbus = server.server
        modbus.setWriteHandler { write in
            let now = monotonicNanoseconds()
            let values: [UInt16] = modbus.withTables(unit: write.unitID) { tables in
                (write.address..<(write.address + write.count)).map { address in
                    write.table == .coil ? (tables.bit(.coil, address) ? 1 : 0) : tables.register(.holding, address)
                }
            }
            if write.table == .coil, write.address == 0, values == [0] { stopWrites.withLock { $0.append(now) } }
            rig.write(table: write.table, address: write.address, values: values, at: server.elapsed)
        }
        server.start()
        defer { server.stop() }
        let (samples, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(1000))
        let poller = LinkPoller(
            configuration: LinkConfiguration(
                name: "bench", transport: .tcp(host: "127.0.0.1", port: server.port),
                rigs: [Rigs.RigConfiguration(rig: id, unitID: 1, map: map)], period: period, responseTimeout: .milliseconds(200)),
            samples: continuation, logger: Logger(label: "bench"))
        poller.start()
        var configuration = BrakeConfiguration(axles: 1, map: map)
        configuration.parkingAxle = nil
        configuration.weighWindow = .milliseconds(300)
        configuration.dragSettle = .milliseconds(200)
        configuration.dragWindow = .milliseconds(500)
        let slipLeft = map.channelIndex("slip_left")!
        let slipRight = map.channelIndex("slip_right")!
        var latencies: [Duration] = []
        var iterator = samples.makeAsyncIterator()
        for _ in 0..<runs {
            rig.load(scenario)
            var pipeline = InspectionPipeline(
                ruleset: .cnGB7258, vehicle: Vehicle(plate: "BENCH"),
                brake: try BrakeProcedure(rig: id, map: map, configuration: configuration))
            var events: [PipelineEvent] = []
            pipeline.handle(.start(MonotonicInstant(nanoseconds: monotonicNanoseconds())), into: &events)
            var slipAt: UInt64?
            let writesBefore = stopWrites.withLock { $0.count }
            while let sample = await iterator.next() {
                events.removeAll(keepingCapacity: true)
                pipeline.handle(.sample(sample), into: &events)
                var stops = false
                for case .command(let command) in events {
                    try poller.submit(command)
                    if command.name == "rollers_run", command.value == 0 { stops = true }
                }
                // The slip sample the procedure answered with the stop command.
                if stops, slipAt == nil, sample.values[slipLeft] + sample.values[slipRight] > 0 { slipAt = sample.time.nanoseconds }
                if events.contains(where: { if case .measured = $0 { true } else { false } }) || pipeline.isFinished { break }
                if events.contains(where: { if case .aborted = $0 { true } else { false } }) { break }
            }
            // Wait for the write to reach the rig (one poll cycle at most), then for the rollers to stop.
            for _ in 0..<100 where stopWrites.withLock({ $0.count }) == writesBefore { try await Task.sleep(for: .milliseconds(5)) }
            if let slipAt, let write = stopWrites.withLock({ $0.count > writesBefore ? $0[writesBefore] : nil }), write > slipAt {
                latencies.append(.nanoseconds(Int64(write - slipAt)))
            }
            try await Task.sleep(for: .milliseconds(1200))
        }
        await poller.stop()
        return latencies
    }
}
