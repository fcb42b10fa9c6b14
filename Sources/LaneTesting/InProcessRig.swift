public import LaneCore
import Profiles
public import RigFirmware

/// A simulated rig served over Modbus TCP on 127.0.0.1, on a port the system picks, in the test's
/// own process. Stop it with ``stop()`` at the end of the test.
///
/// ```swift
/// let rig = try InProcessRig(kind: "brake", scenario: .weakRearBrake)
/// defer { rig.stop() }
/// let client = try ModbusClient(.init(transport: .tcp(host: "127.0.0.1", port: rig.port)))
/// ```
public final class InProcessRig: Sendable {
    public let rig: SimulatedRig
    public let server: RigServer
    public var port: Int { server.port }
    public var map: RegisterMap { rig.map }

    /// - Parameters:
    ///   - kind: `brake`, `headlamp`, `exhaust`, or a register map file path.
    ///   - unitID: the unit id the rig answers.
    public init(
        kind: String, scenario: VehicleScenario = .soundCar, fault: RigFault = .none, seed: UInt64 = 1, unitID: UInt8 = 1,
        filePath: String = #filePath
    ) throws {
        let path = kind.hasSuffix(".yaml") ? kind : try Repository(filePath: filePath).mapFile(kind)
        let map = try RegisterMapLoader.load(path: path)
        rig = SimulatedRig(id: RigID("test.\(map.kind.rawValue)"), map: map, scenario: scenario, fault: fault, seed: seed)
        server = try RigServer(transport: .tcp(host: "127.0.0.1", port: 0), rigs: [unitID: rig])
        server.start()
    }

    public func stop() { server.stop() }
}
