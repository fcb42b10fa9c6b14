public import LaneCore

/// Every simulated rig of a lane profile, served over Modbus: rigs that share a link (the same TCP
/// endpoint or serial device) share one server under their unit ids; each rig on TCP port 0 gets a
/// port of its own. Answers the control channel's lines (``handle(_:)``).
public final class SimulatedStation: Sendable {
    /// One served rig: its configuration, simulation and where it listens.
    public struct Entry: Sendable {
        public let configuration: StationRig
        public let rig: SimulatedRig
        public let server: RigServer

        /// `tcp 127.0.0.1:40123` with the bound port, or the serial device.
        public var endpoint: String {
            switch configuration.transport {
            case .tcp(let host, _): "tcp \(host):\(server.port)"
            case .rtu(let line): "rtu \(line.device)"
            }
        }
    }

    /// The rigs in profile order.
    public let entries: [Entry]
    /// The servers, one per link.
    public let servers: [RigServer]

    /// Creates (but does not start) the servers for every rig of `profile`. Rigs without a
    /// `simulation` block start with `sound_car`.
    public init(profile: LaneProfile) throws {
        var groups: [(key: String, transport: Transport, rigs: [(StationRig, SimulatedRig)])] = []
        for configuration in profile.rigs {
            let simulation = configuration.simulation ?? .init(scenario: "sound_car")
            guard let scenario = VehicleScenario.named(simulation.scenario) else {
                throw ControlError("rig \(configuration.id): unknown scenario \(simulation.scenario)")
            }
            guard let fault = RigFault(name: simulation.fault) else {
                throw ControlError("rig \(configuration.id): unknown fault \(simulation.fault)")
            }
            let rig = SimulatedRig(
                id: configuration.id, map: configuration.map, scenario: scenario, fault: fault, seed: simulation.seed)
            let key = configuration.transport.linkKey
            if !key.isEmpty, let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].rigs.append((configuration, rig))
            } else {
                groups.append((key, configuration.transport, [(configuration, rig)]))
            }
        }
        var entries: [Entry] = []
        var servers: [RigServer] = []
        for group in groups {
            var units: [UInt8: SimulatedRig] = [:]
            for (configuration, rig) in group.rigs { units[UInt8(configuration.unitID)] = rig }
            let server = try RigServer(transport: group.transport, rigs: units)
            servers.append(server)
            for (configuration, rig) in group.rigs {
                entries.append(Entry(configuration: configuration, rig: rig, server: server))
            }
        }
        self.entries = entries
        self.servers = servers
    }

    /// The rig with this id.
    public func rig(_ id: RigID) -> SimulatedRig? { entries.first { $0.configuration.id == id }?.rig }

    /// The TCP port of the rig with this id.
    public func port(of id: RigID) -> Int? { entries.first { $0.configuration.id == id }?.server.port }

    /// Starts every rig's server thread; with `realTimePriority`, under `SCHED_FIFO` where the process may (a
    /// simulated rig that answers late makes the station's 100 Hz samples late too).
    public func start(realTimePriority: Int? = nil) { servers.forEach { $0.start(realTimePriority: realTimePriority) } }
    public func stop() { servers.forEach { $0.stop() } }

    /// Serves until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { await server.run() } }
        }
    }

    /// Carries out one control line (see ``ControlCommand``) and returns the answer line(s).
    public func handle(_ line: String) -> String {
        do {
            guard let command = try ControlCommand(parsing: line) else { return "" }
            return try execute(command)
        } catch {
            return "error: \(error.message)"
        }
    }

    func targets(_ selector: String) throws(ControlError) -> [Entry] {
        if selector == "*" || selector == "all" { return entries }
        let matched = entries.filter {
            $0.configuration.id.rawValue == selector || $0.configuration.id.rawValue.hasPrefix(selector + ".")
        }
        guard !matched.isEmpty else {
            throw ControlError("no rig \(selector) (rigs: \(entries.map(\.configuration.id.rawValue).joined(separator: ", ")))")
        }
        return matched
    }

    func execute(_ command: ControlCommand) throws(ControlError) -> String {
        switch command {
        case .help:
            return ControlCommand.helpText
        case .list:
            return entries.map { entry in
                let c = entry.configuration
                return "\(c.id) \(c.model) \(entry.endpoint) unit \(c.unitID) scenario \(entry.rig.scenario.name) fault \(entry.rig.fault)"
            }.joined(separator: "\n")
        case .scenario(let selector, let scenario):
            let rigs = try targets(selector)
            for entry in rigs { entry.rig.load(scenario) }
            return "ok \(rigs.count) rig(s) now \(scenario.name)"
        case .fault(let selector, let fault):
            let rigs = try targets(selector)
            for entry in rigs { entry.rig.setFault(fault) }
            return "ok \(rigs.count) rig(s) fault \(fault)"
        case .status(let selector):
            return try targets(selector).map { entry in
                let readings = entry.rig.readings(at: entry.server.elapsed)
                let values = entry.configuration.map.channels.map { channel in
                    "\(channel.name)=\(Self.format(readings[channel.name] ?? 0))"
                }
                return "\(entry.configuration.id) \(values.joined(separator: " "))"
            }.joined(separator: "\n")
        case .model(let selector, let change):
            let rigs = try targets(selector)
            var applied = 0
            for entry in rigs {
                let elapsed = entry.server.elapsed
                _ = entry.rig.readings(at: elapsed)  // bring the model to now first
                if entry.rig.withModel({ change.apply(to: &$0) }) { applied += 1 }
            }
            guard applied > 0 else { throw ControlError("\(change.verb) does not apply to \(selector)") }
            return "ok \(applied) rig(s)"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String((value * 1000).rounded() / 1000)
    }
}
