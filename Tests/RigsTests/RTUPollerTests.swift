import LaneCore
import LaneTesting
import Logging
import Modbus
import Rigs
import Testing

/// The same poller over Modbus RTU on a socat pseudo-terminal pair, two rigs on one line.
@Suite(.timeLimit(.minutes(5)), .enabled(if: SerialPair.socatPath != nil, "socat is not installed (apt install socat)"))
struct RTUPollerTests {
    @Test func pollsTwoRigsOnOneSerialLine() async throws {
        let pair = try SerialPair()
        defer { pair.close() }
        let map = RegisterMap(
            model: "m", kind: .headlampTester, version: "1",
            channels: [.init(name: "intensity", table: .input, address: 0, type: .u32, scale: 0.1, unit: "cd")],
            commands: [.init(name: "measure_left", table: .coil, address: 0)])
        let layout = ModbusServer.Layout(covering: map)
        let server = try ModbusServer(serial: SerialLine(device: pair.first, baudRate: 38400), units: [4: layout, 5: layout])
        server.withTables(unit: 4) { try! $0.setValue(250_000, .input, 0, type: .u32) }
        server.withTables(unit: 5) { try! $0.setValue(180_000, .input, 0, type: .u32) }
        server.start()
        defer { server.stop() }
        let configuration = LinkConfiguration(
            name: "rs485", transport: .rtu(SerialLine(device: pair.second, baudRate: 38400)),
            rigs: [RigConfiguration(rig: "left", unitID: 4, map: map), RigConfiguration(rig: "right", unitID: 5, map: map)],
            period: .milliseconds(200), responseTimeout: .milliseconds(100))
        let (stream, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(100))
        let poller = LinkPoller(configuration: configuration, samples: continuation, logger: Logger(label: "test"))
        poller.start()
        var values: [RigID: Double] = [:]
        for await sample in stream where sample.quality == .good {
            values[sample.rig] = sample.values[0]
            if values.count == 2 { break }
        }
        try poller.submit(RigCommand(rig: "right", name: "measure_left", value: 1))
        var written = false
        for _ in 0..<100 where !written {
            try await Task.sleep(for: .milliseconds(20))
            written = server.withTables(unit: 5) { $0.bit(.coil, 0) }
        }
        let statistics = poller.statistics()
        await poller.stop()
        #expect(values == ["left": 25_000, "right": 18_000])
        #expect(written, "command not written: \(statistics.rigs[1])")
    }
}
