import LaneCore
import LaneTesting
import Modbus
import Testing

/// Modbus RTU between our client and our server over a socat pseudo-terminal pair.
@Suite(.timeLimit(.minutes(5)), .enabled(if: SerialPair.socatPath != nil, "socat is not installed (apt install socat)"))
struct RTUTests {
    static let layout = ModbusServer.Layout(coils: 0..<8, discreteInputs: 0..<8, holdingRegisters: 0..<16, inputRegisters: 0..<16)

    @Test func readsAndWritesEveryTableOverASerialLine() async throws {
        let pair = try SerialPair()
        defer { pair.close() }
        let server = try ModbusServer(serial: SerialLine(device: pair.first, baudRate: 115200), units: [3: Self.layout])
        server.start()
        defer { server.stop() }
        server.withTables(unit: 3) { t in
            t.setBit(.discreteInput, 1, true)
            t.setRegister(.input, 4, 4444)
            try! t.setValue(-12.5, .holding, 6, type: .f32, order: .cdab)
        }
        let link = try ModbusLink(ModbusClientConfiguration(
            transport: .rtu(SerialLine(device: pair.second, baudRate: 115200)), responseTimeout: .seconds(1),
            defaultUnitID: 3))
        defer { link.shutdown() }
        try await link.perform { client in
            try client.writeCoil(address: 5, value: true)
            try client.writeValue(-7, to: .holding, address: 0, type: .i32, order: .dcba)
        }
        #expect(try await link.perform { try $0.readCoils(address: 4, count: 2) } == [false, true])
        #expect(try await link.perform { try $0.readDiscreteInputs(address: 0, count: 2) } == [false, true])
        #expect(try await link.perform { try $0.readInputRegisters(address: 4, count: 1) } == [4444])
        #expect(try await link.perform { try $0.readValue(.holding, address: 6, type: .f32, order: .cdab) } == -12.5)
        #expect(try await link.perform { try $0.readValue(.holding, address: 0, type: .i32, order: .dcba) } == -7)
    }

    @Test func oneSerialLineCarriesSeveralUnitIds() async throws {
        let pair = try SerialPair()
        defer { pair.close() }
        let server = try ModbusServer(serial: SerialLine(device: pair.first), units: [1: Self.layout, 2: Self.layout])
        server.start()
        defer { server.stop() }
        server.withTables(unit: 1) { $0.setRegister(.holding, 0, 100) }
        server.withTables(unit: 2) { $0.setRegister(.holding, 0, 200) }
        let link = try ModbusLink(ModbusClientConfiguration(
            transport: .rtu(SerialLine(device: pair.second)), responseTimeout: .milliseconds(300)))
        defer { link.shutdown() }
        for _ in 0..<3 {
            #expect(try await link.perform { try $0.readHoldingRegisters(unit: 2, address: 0, count: 1) } == [200])
            #expect(try await link.perform { try $0.readHoldingRegisters(unit: 1, address: 0, count: 1) } == [100])
        }
        // Nobody on the bus answers unit 9.
        let error = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(unit: 9, address: 0, count: 1) }
        }
        #expect(error?.code == .timedOut)
        #expect(error?.link.hasPrefix("rtu ") == true)
    }

    @Test func exceptionsAndGarbageOnTheLineAreErrorsNotCrashes() async throws {
        let pair = try SerialPair()
        defer { pair.close() }
        let server = try ModbusServer(serial: SerialLine(device: pair.first), units: [1: Self.layout])
        server.start()
        defer { server.stop() }
        server.setFaultHandler { request in
            switch request.address {
            case 1: .exception(.illegalDataValue)
            case 2: .garbage([0x01, 0x03, 0x02, 0xFF])
            default: .none
            }
        }
        let link = try ModbusLink(ModbusClientConfiguration(
            transport: .rtu(SerialLine(device: pair.second)), responseTimeout: .milliseconds(300),
            byteTimeout: .milliseconds(50)))
        defer { link.shutdown() }
        let exception = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 1, count: 1) }
        }
        #expect(exception?.code == .illegalDataValue)
        await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 2, count: 1) }
        }
        #expect(try await link.perform { try $0.readHoldingRegisters(address: 3, count: 1) } == [0])
    }
}
