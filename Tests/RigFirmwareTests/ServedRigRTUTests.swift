import LaneCore
import LaneTesting
import Modbus
import Profiles
import RigFirmware
import Testing

/// A simulated rig served over Modbus RTU on one end of a socat pseudo-terminal pair, read from the other.
@Suite(
    .serialized, .timeLimit(.minutes(5)),
    .enabled(if: SerialPair.socatPath != nil, "socat is not installed (apt install socat)"))
struct ServedRigRTUTests {
    @Test func brakeRigAnswersOverRTUWithItsUnitIDAndTakesCommands() async throws {
        let pair = try SerialPair()
        defer { pair.close() }
        // This task plays the controller and may stall on a loaded machine for longer than the firmware's communication
        // watchdog, which would stop the rollers it started: off here (CommsWatchdogTests and ServedRigTests test it).
        let map = try {
            var map = try RegisterMapLoader.load(path: Repository().mapFile("brake"))
            map.settings["comms_watchdog_seconds"] = nil
            return map
        }()
        let rig = SimulatedRig(id: "rtu.brake", map: map, scenario: .soundCar, seed: 3)
        // Nobody brakes: the rollers stay at speed (no slip stop) however late this task reads.
        rig.withModel { ControlCommand.ModelChange.pedal(0).apply(to: &$0) }
        let server = try RigServer(
            transport: .rtu(SerialLineSettings(device: pair.first, baud: 19200, parity: .even)), rigs: [7: rig])
        server.start()
        defer { server.stop() }
        let link = try ModbusLink(
            ModbusClientConfiguration(
                transport: .rtu(SerialLine(device: pair.second, baudRate: 19200, parity: .even)),
                responseTimeout: .seconds(1), defaultUnitID: 7))
        defer { link.shutdown() }
        #expect(try await link.perform { try $0.readDiscreteInputs(address: 2, count: 1) } == [true])
        try await link.perform { try $0.writeCoil(address: map.command("rollers_run")!.address, value: true) }
        var state = 0.0
        for _ in 0..<100 {
            state = try await link.perform { try $0.readValue(.input, address: 10, type: .u16) }
            if state == 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(state == 2)  // roller_state: at speed
        let load = try await link.perform { try $0.readValue(.input, address: 4, type: .f32, order: .cdab) }
        #expect(abs(load - 401.5) < 3)
    }
}
