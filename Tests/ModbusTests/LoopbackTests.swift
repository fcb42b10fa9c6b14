import LaneCore
import Modbus
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Our client against our server over real loopback sockets.
@Suite(.timeLimit(.minutes(5)))
struct LoopbackTests {
    static let layout = ModbusServer.Layout(
        coils: 0..<16, discreteInputs: 100..<116, holdingRegisters: 0..<64, inputRegisters: 200..<264)

    func makeServer(units: [UInt8: ModbusServer.Layout] = [1: layout]) throws -> ModbusServer {
        let server = try ModbusServer(units: units)
        server.start()
        return server
    }

    func configuration(_ server: ModbusServer, timeout: Duration = .seconds(2)) -> ModbusClientConfiguration {
        ModbusClientConfiguration(transport: server.transport, responseTimeout: timeout)
    }

    @Test func readsEveryTableTheServerHolds() async throws {
        let server = try makeServer()
        defer { server.stop() }
        server.withTables(unit: 1) { t in
            t.setBit(.coil, 3, true)
            t.setBit(.discreteInput, 101, true)
            t.setRegister(.holding, 5, 4242)
            t.setRegister(.input, 210, 777)
        }
        let link = try ModbusLink(configuration(server))
        defer { link.shutdown() }
        let coils = try await link.perform { try $0.readCoils(address: 0, count: 5) }
        let inputs = try await link.perform { try $0.readDiscreteInputs(address: 100, count: 3) }
        let holding = try await link.perform { try $0.readHoldingRegisters(address: 4, count: 3) }
        let input = try await link.perform { try $0.readInputRegisters(address: 209, count: 2) }
        #expect(coils == [false, false, false, true, false])
        #expect(inputs == [false, true, false])
        #expect(holding == [0, 4242, 0])
        #expect(input == [0, 777])
    }

    @Test func writesReachTheTablesAndTheWriteHandler() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let (writes, continuation) = AsyncStream.makeStream(of: ModbusServer.Write.self)
        server.setWriteHandler { continuation.yield($0) }
        let link = try ModbusLink(configuration(server))
        defer { link.shutdown() }
        try await link.perform { client in
            try client.writeCoil(address: 2, value: true)
            try client.writeCoils(address: 8, values: [true, false, true])
            try client.writeRegister(address: 10, value: 0xBEEF)
            try client.writeRegisters(address: 20, values: [1, 2, 3])
        }
        var iterator = writes.makeAsyncIterator()
        #expect(await iterator.next() == .init(unitID: 1, table: .coil, address: 2, count: 1))
        #expect(await iterator.next() == .init(unitID: 1, table: .coil, address: 8, count: 3))
        #expect(await iterator.next() == .init(unitID: 1, table: .holding, address: 10, count: 1))
        #expect(await iterator.next() == .init(unitID: 1, table: .holding, address: 20, count: 3))
        server.withTables(unit: 1) { t in
            #expect(t.bit(.coil, 2))
            #expect([8, 9, 10].map { t.bit(.coil, $0) } == [true, false, true])
            #expect(t.register(.holding, 10) == 0xBEEF)
            #expect([20, 21, 22].map { t.register(.holding, $0) } == [1, 2, 3])
        }
    }

    static let typedCases: [(ValueType, Double)] = [
        (.u16, 65535), (.u16, 0), (.i16, -32768), (.i16, 1234), (.u32, 4_000_000_000), (.u32, 70000),
        (.i32, -2_000_000_000), (.i32, 123_456), (.f32, -1.5), (.f32, 3.25e6),
    ]

    @Test(arguments: WordOrder.allCases)
    func everyTypeRoundTripsInEveryWordOrder(order: WordOrder) async throws {
        let server = try makeServer()
        defer { server.stop() }
        let link = try ModbusLink(configuration(server))
        defer { link.shutdown() }
        for (index, (type, value)) in Self.typedCases.enumerated() {
            let address = index * 2
            try await link.perform { try $0.writeValue(value, to: .holding, address: address, type: type, order: order) }
            let back = try await link.perform { try $0.readValue(.holding, address: address, type: type, order: order) }
            #expect(back == value, "\(type) \(order)")
            let serverSide = server.withTables(unit: 1) { $0.value(.holding, address, type: type, order: order) }
            #expect(serverSide == value, "\(type) \(order) as the server decodes it")
        }
    }

    @Test func exceptionRepliesBecomeErrorsThatNameTheRegisters() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let link = try ModbusLink(configuration(server))
        defer { link.shutdown() }
        let error = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 60, count: 10) }
        }
        #expect(error?.code == .illegalDataAddress)
        #expect(error?.code.exceptionCode == 0x02)
        #expect(error?.unitID == 1)
        #expect(error?.function == .readHoldingRegisters)
        #expect(error?.address == 60 && error?.count == 10)
        #expect(error?.description.contains("registers 60…69") == true)

        server.setFaultHandler { $0.address == 7 ? .exception(.serverDeviceBusy) : .none }
        let busy = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 7, count: 1) }
        }
        #expect(busy?.code == .serverDeviceBusy)
        // The link is still usable after exceptions.
        let ok = try await link.perform { try $0.readHoldingRegisters(address: 0, count: 1) }
        #expect(ok == [0])
    }

    @Test func aRigThatDoesNotAnswerTimesOutAndTheNextReplyIsNotConfused() async throws {
        let server = try makeServer()
        defer { server.stop() }
        server.withTables(unit: 1) { $0.setRegister(.holding, 1, 11) }
        server.setFaultHandler { $0.address == 0 ? .noReply : .none }
        let link = try ModbusLink(configuration(server, timeout: .milliseconds(100)))
        defer { link.shutdown() }
        let error = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 0, count: 1) }
        }
        #expect(error?.code == .timedOut)
        let value = try await link.perform { try $0.readHoldingRegisters(address: 1, count: 1) }
        #expect(value == [11])
    }

    @Test func aDelayedReplyLongerThanTheTimeoutIsDiscarded() async throws {
        let server = try makeServer()
        defer { server.stop() }
        server.withTables(unit: 1) { t in
            t.setRegister(.holding, 0, 100)
            t.setRegister(.holding, 1, 101)
        }
        server.setFaultHandler { $0.address == 0 ? .delay(.milliseconds(300)) : .none }
        let link = try ModbusLink(configuration(server, timeout: .milliseconds(100)))
        defer { link.shutdown() }
        await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 0, count: 1) }
        }
        // Ask again until the late reply has arrived: every answer must be the one asked for.
        for _ in 0..<6 {
            if let value = try? await link.perform({ try $0.readHoldingRegisters(address: 1, count: 1) }) {
                #expect(value == [101])
            }
            try await Task.sleep(for: .milliseconds(60))
        }
    }

    @Test func reconnectsAfterTheServerDropsTheConnection() async throws {
        let server = try makeServer()
        defer { server.stop() }
        server.withTables(unit: 1) { $0.setRegister(.holding, 2, 22) }
        let link = try ModbusLink(configuration(server))
        defer { link.shutdown() }
        #expect(try await link.perform { try $0.readHoldingRegisters(address: 2, count: 1) } == [22])
        server.setFaultHandler { _ in .dropConnection }
        let error = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 2, count: 1) }
        }
        #expect(error?.code.isLinkFailure == true)
        server.setFaultHandler(nil)
        #expect(try await link.perform { try $0.readHoldingRegisters(address: 2, count: 1) } == [22])
        #expect(try await link.perform { $0.reconnects } == 1)
        #expect(server.statistics.connectionsAccepted == 2)
    }

    @Test func garbageRepliesAreReportedAndTheLinkRecovers() async throws {
        let server = try makeServer()
        defer { server.stop() }
        server.withTables(unit: 1) { $0.setRegister(.holding, 3, 33) }
        server.setFaultHandler { $0.address == 0 ? .garbage([0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01, 0x02, 0x03, 0x04]) : .none }
        let link = try ModbusLink(configuration(server, timeout: .milliseconds(200)))
        defer { link.shutdown() }
        let error = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 0, count: 1) }
        }
        #expect(error.map { $0.code.isProtocolFailure || $0.code == .timedOut } == true)
        #expect(try await link.perform { try $0.readHoldingRegisters(address: 3, count: 1) } == [33])
    }

    @Test func oneServerAnswersSeveralUnitIdsAndRefusesOthers() async throws {
        let server = try makeServer(units: [1: Self.layout, 7: Self.layout])
        defer { server.stop() }
        server.withTables(unit: 1) { $0.setRegister(.holding, 0, 1) }
        server.withTables(unit: 7) { $0.setRegister(.holding, 0, 7) }
        let link = try ModbusLink(configuration(server))
        defer { link.shutdown() }
        #expect(try await link.perform { try $0.readHoldingRegisters(unit: 1, address: 0, count: 1) } == [1])
        #expect(try await link.perform { try $0.readHoldingRegisters(unit: 7, address: 0, count: 1) } == [7])
        let error = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(unit: 9, address: 0, count: 1) }
        }
        #expect(error?.code == .gatewayTargetFailedToRespond)
        #expect(error?.unitID == 9)
    }

    @Test func manyClientsAreServedAtOnceAndAStalledOneDoesNotBlockThem() async throws {
        let server = try makeServer()
        defer { server.stop() }
        server.withTables(unit: 1) { t in for a in 0..<8 { t.setRegister(.holding, a, UInt16(100 + a)) } }
        // A client that sends the first bytes of a request and then nothing.
        let stalled = openStalledConnection(port: server.port)
        defer { close(stalled) }
        let links = try (0..<4).map { _ in try ModbusLink(configuration(server)) }
        defer { for link in links { link.shutdown() } }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, link) in links.enumerated() {
                group.addTask {
                    var correct = 0
                    for i in 0..<100 {
                        let address = (index + i) % 8
                        let value = try await link.perform { try $0.readHoldingRegisters(address: address, count: 1) }
                        if value == [UInt16(100 + address)] { correct += 1 }
                    }
                    return correct
                }
            }
            var total = 0
            for try await correct in group { total += correct }
            #expect(total == 400)
        }
        #expect(server.statistics.connectionsAccepted == 5)
    }

    @Test func aClosedPortIsRefusedAndTheClientBacksOff() async throws {
        let server = try makeServer()
        let transport = server.transport
        server.stop()
        _ = consume server  // closes the listening socket
        let link = try ModbusLink(ModbusClientConfiguration(
            transport: transport, responseTimeout: .milliseconds(200),
            reconnect: ReconnectPolicy(initialDelay: .seconds(120), maximumDelay: .seconds(120))))
        // A back-off far longer than any stall of a loaded test machine: the second call falls inside it.
        defer { link.shutdown() }
        let first = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 0, count: 1) }
        }
        #expect(first?.code == .connectionRefused)
        let second = await #expect(throws: ModbusError.self) {
            try await link.perform { try $0.readHoldingRegisters(address: 0, count: 1) }
        }
        #expect(second?.code == .notConnected)
    }
}

/// Connects to 127.0.0.1:port and sends three bytes of an MBAP header, then stays silent.
func openStalledConnection(port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    let partial: [UInt8] = [0x00, 0x01, 0x00]
    _ = send(fd, partial, partial.count, 0)
    return fd
}
