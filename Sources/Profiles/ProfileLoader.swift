import Foundation
public import LaneCore

/// Loads a lane profile (`LaneProfiles/*.yaml`) and every register map it names, and refuses a
/// broken one with the file, line and reason (``ProfileError``).
///
/// ```swift
/// let profile = try ProfileLoader(scenarios: VehicleScenario.names).load(path: "LaneProfiles/demo-station.yaml")
/// ```
public struct ProfileLoader: Sendable {
    /// Scenario names a rig's `simulation.scenario` may use; nil accepts any name.
    public var scenarios: [String]?
    /// Fault names a rig's `simulation.fault` may use; nil accepts any name.
    public var faults: [String]?

    /// Accepted poll periods in milliseconds.
    public static let pollPeriodRange = 5...10_000
    /// Accepted response timeouts in milliseconds.
    public static let responseTimeoutRange = 10...10_000
    /// Accepted byte timeouts in milliseconds.
    public static let byteTimeoutRange = 1...1_000
    /// Baud rates a serial line may use.
    /// Allowed `deadline_tolerance_ms`, milliseconds (and never more than the rig's poll period).
    public static let deadlineToleranceRange = 1...10_000
    public static let baudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]

    public init(scenarios: [String]? = nil, faults: [String]? = nil) {
        self.scenarios = scenarios
        self.faults = faults
    }

    static let topKeys = ["station", "ruleset", "rig_models", "rig_defaults", "lanes", "drivers"]
    static let timingKeys = [
        "poll_period_ms", "response_timeout_ms", "byte_timeout_ms", "realtime_priority", "deadline_tolerance_ms",
    ]
    static let rigKeys = ["id", "model", "transport", "unit_id", "simulation"] + timingKeys

    /// Loads and validates the profile at `path` and the register maps it names (paths relative to
    /// the profile's folder).
    public func load(path: String) throws(ProfileError) -> LaneProfile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ProfileError(file: path, line: 0, column: 0, reason: .cannotRead(error.localizedDescription))
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try parse(text, file: path, folder: folder.isEmpty ? "." : folder)
    }

    /// Parses and validates profile text; `folder` resolves relative register map paths.
    public func parse(_ text: String, file: String, folder: String) throws(ProfileError) -> LaneProfile {
        let root = try YAMLNode.parse(text, file: file)
        let top = try root.mapping(allowed: Self.topKeys)
        let station = try top.required("station").mapping(allowed: ["name", "name_en"])
        let maps = try registerMaps(try top.required("rig_models"), folder: folder)
        let defaults = try top["rig_defaults"].map { node throws(ProfileError) in
            try Timing(node.mapping(allowed: Self.timingKeys), fallback: .standard)
        } ?? .standard

        var context = Context()
        var lanes: [Lane] = []
        for laneNode in try top.required("lanes").list() {
            lanes.append(try lane(laneNode, maps: maps, defaults: defaults, context: &context))
        }
        var drivers: [Driver] = []
        var driverLines: [DriverID: Int] = [:]
        for node in try top.required("drivers").list() {
            let fields = try node.mapping(allowed: ["id", "name_zh", "name_en"])
            let idNode = try fields.required("id")
            let id = DriverID(try idNode.string())
            if let first = driverLines[id] {
                throw idNode.error(.duplicateID(kind: "driver", id: id.rawValue, firstLine: first))
            }
            driverLines[id] = idNode.line
            drivers.append(
                Driver(id: id, nameZh: try fields.required("name_zh").string(), nameEn: try fields.required("name_en").string()))
        }
        return LaneProfile(
            stationName: try station.required("name").string(), stationNameEn: try station["name_en"]?.string(),
            ruleset: try top.required("ruleset").string(), lanes: lanes, drivers: drivers, source: file)
    }

    /// Ids and links seen so far, for duplicate checks.
    struct Context {
        var laneLines: [LaneID: Int] = [:]
        var rigLines: [RigID: Int] = [:]
        /// link key → unit id → rig id
        var unitIDs: [String: [Int: RigID]] = [:]
        var serialLines: [String: (SerialLineSettings, RigID)] = [:]
    }

    struct LoadedMap {
        let path: String
        let map: RegisterMap
    }

    func registerMaps(_ node: YAMLNode, folder: String) throws(ProfileError) -> [String: LoadedMap] {
        var maps: [String: LoadedMap] = [:]
        for (key, value) in try node.pairs() {
            let model = try key.string()
            let relative = try value.string()
            let path =
                relative.hasPrefix("/")
                ? relative : URL(fileURLWithPath: folder).appendingPathComponent(relative).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: path) else {
                throw value.error(.missingRegisterMap(model: model, path: path))
            }
            let map = try RegisterMapLoader.load(path: path)
            guard map.model == model else {
                throw value.error(.mapModelMismatch(mapModel: map.model, profileModel: model))
            }
            maps[model] = LoadedMap(path: path, map: map)
        }
        return maps
    }

    func lane(
        _ node: YAMLNode, maps: [String: LoadedMap], defaults: Timing, context: inout Context
    ) throws(ProfileError) -> Lane {
        let fields = try node.mapping(allowed: ["id", "name", "vehicle_categories", "stations"])
        let idNode = try fields.required("id")
        let id = LaneID(try idNode.string())
        if let first = context.laneLines[id] {
            throw idNode.error(.duplicateID(kind: "lane", id: id.rawValue, firstLine: first))
        }
        context.laneLines[id] = idNode.line
        var categories: [String] = []
        for category in try fields.required("vehicle_categories").list() { categories.append(try category.string()) }
        var stations: [Station] = []
        for stationNode in try fields.required("stations").list() {
            let stationFields = try stationNode.mapping(allowed: ["kind", "rig", "dynamometer"])
            let kindNode = try stationFields.required("kind")
            let kind = try kindNode.enum(StationKind.self)
            if stations.contains(where: { $0.kind == kind }) {
                throw kindNode.error(.duplicateStation(kind, lane: id.rawValue))
            }
            let rig = try rig(
                try stationFields.required("rig"), kind: kind, maps: maps, defaults: defaults, context: &context)
            var dynamometer = false
            if let dynamometerNode = stationFields["dynamometer"] {
                dynamometer = try dynamometerNode.bool()
                // Only the emission station drives a vehicle on a chassis dynamometer (ASM).
                if dynamometer, kind != .emission {
                    throw dynamometerNode.error(.dynamometerNotOnEmission(kind, lane: id.rawValue))
                }
            }
            stations.append(Station(kind: kind, rig: rig, dynamometer: dynamometer))
        }
        return Lane(id: id, name: try fields.required("name").string(), vehicleCategories: categories, stations: stations)
    }

    func rig(
        _ node: YAMLNode, kind: StationKind, maps: [String: LoadedMap], defaults: Timing, context: inout Context
    ) throws(ProfileError) -> StationRig {
        let fields = try node.mapping(allowed: Self.rigKeys)
        let idNode = try fields.required("id")
        let id = RigID(try idNode.string())
        if let first = context.rigLines[id] {
            throw idNode.error(.duplicateID(kind: "rig", id: id.rawValue, firstLine: first))
        }
        context.rigLines[id] = idNode.line

        let modelNode = try fields.required("model")
        let model = try modelNode.string()
        guard let loaded = maps[model] else {
            throw modelNode.error(.unknownRigModel(model, known: maps.keys.sorted()))
        }
        guard loaded.map.kind == kind.rigKind else {
            throw modelNode.error(.wrongRigKind(station: kind, needs: kind.rigKind, got: loaded.map.kind))
        }
        let transportNode = try fields.required("transport")
        let transport = try Self.transport(transportNode)
        let unitNode = try fields.required("unit_id")
        let unitID: Int
        switch transport {
        case .tcp: unitID = try unitNode.int(in: 0...255)
        case .rtu: unitID = try unitNode.int(in: 1...247)
        }
        if case .rtu(let line) = transport {
            if let (existing, owner) = context.serialLines[line.device], existing != line {
                throw transportNode.error(.serialSettingsDiffer(device: line.device, rig: owner.rawValue))
            }
            context.serialLines[line.device] = (line, id)
        }
        let link = transport.linkKey
        if !link.isEmpty {
            if let owner = context.unitIDs[link]?[unitID] {
                throw unitNode.error(.unitIDInUse(unitID: unitID, link: link, rig: owner.rawValue))
            }
            context.unitIDs[link, default: [:]][unitID] = id
        }
        let timing = try Timing(fields, fallback: defaults)
        var simulation: StationRig.Simulation?
        if let simNode = fields["simulation"] {
            simulation = try self.simulation(simNode)
        }
        return StationRig(
            id: id, model: model, mapFile: loaded.path, map: loaded.map, transport: transport, unitID: unitID,
            pollPeriod: .milliseconds(timing.pollPeriodMs), responseTimeout: .milliseconds(timing.responseTimeoutMs),
            byteTimeout: .milliseconds(timing.byteTimeoutMs), realtimePriority: timing.realtimePriority,
            deadlineTolerance: timing.deadlineToleranceMs.map { .milliseconds($0) }, simulation: simulation)
    }

    func simulation(_ node: YAMLNode) throws(ProfileError) -> StationRig.Simulation {
        let fields = try node.mapping(allowed: ["scenario", "fault", "seed"])
        let scenarioNode = try fields.required("scenario")
        let scenario = try scenarioNode.string()
        if let scenarios, !scenarios.contains(scenario) {
            throw scenarioNode.error(.unknownScenario(scenario, known: scenarios))
        }
        var fault = "none"
        if let faultNode = fields["fault"] {
            fault = try faultNode.string()
            if let faults, !faults.contains(fault) { throw faultNode.error(.unknownFault(fault, known: faults)) }
        }
        let seed = try fields["seed"]?.int(in: 0...Int.max) ?? 1
        return StationRig.Simulation(scenario: scenario, fault: fault, seed: UInt64(seed))
    }

    static func transport(_ node: YAMLNode) throws(ProfileError) -> Transport {
        let fields = try node.mapping(
            allowed: ["type", "host", "port", "device", "baud", "parity", "data_bits", "stop_bits"])
        let typeNode = try fields.required("type")
        switch try typeNode.string() {
        case "tcp":
            for key in ["device", "baud", "parity", "data_bits", "stop_bits"] {
                if let extra = fields[key] { throw extra.error(.badTransport("\(key) does not apply to tcp")) }
            }
            let hostNode = try fields.required("host")
            let host = try hostNode.string()
            if host.isEmpty || host.contains(" ") {
                throw hostNode.error(.badTransport("host \"\(host)\" is not a host name or address"))
            }
            let port = try fields.required("port").int(in: 0...65535)
            return .tcp(host: host, port: port)
        case "rtu":
            for key in ["host", "port"] {
                if let extra = fields[key] { throw extra.error(.badTransport("\(key) does not apply to rtu")) }
            }
            let deviceNode = try fields.required("device")
            let device = try deviceNode.string()
            guard device.hasPrefix("/") else {
                throw deviceNode.error(.badTransport("device \"\(device)\" must be an absolute path (/dev/ttyUSB0)"))
            }
            let baudNode = try fields.required("baud")
            let baud = try baudNode.int()
            guard baudRates.contains(baud) else {
                throw baudNode.error(
                    .badTransport("baud \(baud) is not one of \(baudRates.map(String.init).joined(separator: ", "))"))
            }
            let parity = try fields["parity"]?.enum(SerialLineSettings.Parity.self) ?? .even
            let dataBits = try fields["data_bits"]?.int(in: 5...8) ?? 8
            let stopBits = try fields["stop_bits"]?.int(in: 1...2) ?? 1
            return .rtu(SerialLineSettings(device: device, baud: baud, parity: parity, dataBits: dataBits, stopBits: stopBits))
        case let other:
            throw typeNode.error(.badTransport("type \"\(other)\" is neither tcp nor rtu"))
        }
    }
}

/// Poll timing of a rig, from the rig's own keys falling back to `rig_defaults`.
struct Timing {
    var pollPeriodMs: Int
    var responseTimeoutMs: Int
    var byteTimeoutMs: Int
    var realtimePriority: Int?
    /// nil: a quarter of the poll period (LinkConfiguration's default).
    var deadlineToleranceMs: Int?

    static let standard = Timing(pollPeriodMs: 100, responseTimeoutMs: 200, byteTimeoutMs: 50, realtimePriority: nil)

    init(pollPeriodMs: Int, responseTimeoutMs: Int, byteTimeoutMs: Int, realtimePriority: Int?, deadlineToleranceMs: Int? = nil) {
        self.pollPeriodMs = pollPeriodMs
        self.responseTimeoutMs = responseTimeoutMs
        self.byteTimeoutMs = byteTimeoutMs
        self.realtimePriority = realtimePriority
        self.deadlineToleranceMs = deadlineToleranceMs
    }

    init(_ fields: YAMLMapping, fallback: Timing) throws(ProfileError) {
        pollPeriodMs = try fields["poll_period_ms"]?.int(in: ProfileLoader.pollPeriodRange) ?? fallback.pollPeriodMs
        responseTimeoutMs =
            try fields["response_timeout_ms"]?.int(in: ProfileLoader.responseTimeoutRange)
            ?? fallback.responseTimeoutMs
        byteTimeoutMs = try fields["byte_timeout_ms"]?.int(in: ProfileLoader.byteTimeoutRange) ?? fallback.byteTimeoutMs
        if let node = fields["realtime_priority"] {
            let value = try node.int(in: 0...99)
            realtimePriority = value == 0 ? nil : value
        } else {
            realtimePriority = fallback.realtimePriority
        }
        let toleranceNode = fields["deadline_tolerance_ms"]
        deadlineToleranceMs = try toleranceNode?.int(in: ProfileLoader.deadlineToleranceRange) ?? fallback.deadlineToleranceMs
        // A sample later than a whole period is a skipped cycle (a gap), which the gate counts anyway; an
        // inherited tolerance that no longer fits this rig's shorter period is shortened to the period.
        if let tolerance = deadlineToleranceMs, tolerance > pollPeriodMs {
            if let toleranceNode {
                throw toleranceNode.error(.outOfRange(
                    key: "deadline_tolerance_ms", value: "\(tolerance)",
                    range: "1…\(pollPeriodMs), at most the poll period"))
            }
            deadlineToleranceMs = pollPeriodMs
        }
    }
}
