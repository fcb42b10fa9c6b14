public import LaneCore
public import Modbus

/// Serves simulated rigs over Modbus (TCP, or RTU on a serial device): one ``ModbusServer`` per
/// physical link, each rig on it under its own unit id.
///
/// Before every request the rig's physics is advanced to the current monotonic time and its register
/// image copied into the server's tables, so each reply carries values of the moment it was asked for;
/// every write reaches the rig's firmware model (a command) right after it is answered. The rig's
/// ``RigFault`` decides, per request, whether it is answered at all; every request it answers is one the rig
/// heard (``SimulatedRig/heard(at:)``, its communication watchdog).
public final class RigServer: Sendable {
    /// The rigs on this link, by unit id.
    public let rigs: [UInt8: SimulatedRig]
    /// The underlying Modbus server (statistics, port).
    public let server: ModbusServer
    private let origin: ContinuousClock.Instant

    /// The TCP port clients connect to (the one the system chose for port 0); 0 on RTU.
    public var port: Int { server.port }

    /// Opens the link now (listening socket or serial device); serve with ``start()`` or ``run()``.
    public init(transport: Transport, rigs: [UInt8: SimulatedRig]) throws {
        var units: [UInt8: ModbusServer.Layout] = [:]
        for (unit, rig) in rigs { units[unit] = ModbusServer.Layout(covering: rig.map) }
        switch transport {
        case .tcp(let host, let port):
            server = try ModbusServer(host: host, port: port, units: units)
        case .rtu(let line):
            let parity: SerialLine.Parity =
                switch line.parity {
                case .none: .none
                case .even: .even
                case .odd: .odd
                }
            server = try ModbusServer(
                serial: SerialLine(
                    device: line.device, baudRate: line.baud, parity: parity, dataBits: line.dataBits,
                    stopBits: line.stopBits),
                units: units)
        }
        self.rigs = rigs
        origin = .now
        for unit in rigs.keys { push(unit: unit) }
        let garbage: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x07, 0xFF, 0x42, 0x13]
        server.setFaultHandler { [weak self] request in
            guard let self, let rig = self.rigs[request.unitID] else { return .none }
            // A request the firmware answers is one it heard (its communication watchdog starts over); one lost to
            // a fault on the link (no reply, dropped, garbled) is not.
            switch rig.fault {
            case .none:
                rig.heard(at: self.elapsed)
                self.push(unit: request.unitID)
                return .none
            case .slowReplies(let delay):
                rig.heard(at: self.elapsed)
                self.push(unit: request.unitID)
                return .delay(delay)
            case .noReply: return .noReply
            case .exceptionReplies(let code):
                rig.heard(at: self.elapsed)
                return .exception(ModbusExceptionCode(rawValue: code))
            case .droppedConnection: return .dropConnection
            case .garbageBytes: return .garbage(garbage)
            }
        }
        server.setWriteHandler { [weak self] write in
            guard let self, let rig = self.rigs[write.unitID] else { return }
            let values: [UInt16] = self.server.withTables(unit: write.unitID) { tables in
                (write.address..<(write.address + write.count)).map { address in
                    write.table == .coil
                        ? (tables.bit(.coil, address) ? 1 : 0) : tables.register(.holding, address)
                }
            }
            rig.write(table: write.table, address: write.address, values: values, at: self.elapsed)
            self.push(unit: write.unitID)
        }
    }

    /// Time since the server was created: the rigs' clock.
    public var elapsed: Duration { ContinuousClock.now - origin }

    /// Advances the rig on `unit` to now and copies its image into the server's tables.
    private func push(unit: UInt8) {
        guard let rig = rigs[unit] else { return }
        let image = rig.image(at: elapsed)
        server.withTables(unit: unit) { tables in
            for (address, bit) in image.coils.enumerated() where tables.contains(.coil, address) {
                tables.setBit(.coil, address, bit)
            }
            for (address, bit) in image.discreteInputs.enumerated() where tables.contains(.discreteInput, address) {
                tables.setBit(.discreteInput, address, bit)
            }
            for (address, word) in image.holdingRegisters.enumerated() where tables.contains(.holding, address) {
                tables.setRegister(.holding, address, word)
            }
            for (address, word) in image.inputRegisters.enumerated() where tables.contains(.input, address) {
                tables.setRegister(.input, address, word)
            }
        }
    }

    /// Starts serving on the server's own thread.
    /// - Parameter realTimePriority: Run that thread under `SCHED_FIFO` at this priority (1–99) when the
    ///   process may (root or `CAP_SYS_NICE`); otherwise normal scheduling.
    public func start(realTimePriority: Int? = nil) { server.start(realTimePriority: realTimePriority) }

    /// Stops serving and closes every connection.
    public func stop() { server.stop() }

    /// Serves until the task is cancelled.
    public func run() async { await server.run() }
}
