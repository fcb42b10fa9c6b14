/// One line of rigsim's control channel (stdin), parsed. See `docs/simulated-rigs.md`.
///
/// ```
/// list                                  rigs, models, endpoints, scenario and fault
/// scenario <rig|lane|*> <name>          put a new vehicle at the rig(s)
/// fault <rig|lane|*> <name> [arg]       none, no_reply, slow_replies <ms>, exception_replies <code>,
///                                       dropped_connection, garbage_bytes
/// status <rig|lane|*>                   every channel's engineering value
/// pedal <rig> <0…1|auto>                brake tester: hold the pedal, or give it back to the script
/// warm <rig>                            exhaust analyser: end the warm-up now
/// leak <rig> on|off                     exhaust analyser: make the probe leak (leak checks fail)
/// engine <rig> <script|auto>            exhaust analyser: two_speed_idle, free_acceleration, asm
/// help
/// ```
/// A selector is a rig id (`L1.brake`), a lane (`L1`: all its rigs) or `*`.
public enum ControlCommand: Sendable {
    case help
    case list
    case scenario(String, VehicleScenario)
    case fault(String, RigFault)
    case status(String)
    case model(String, ModelChange)

    /// A change to one kind of model.
    public enum ModelChange: Sendable {
        case pedal(Double?)
        case warm
        case leak(Bool)
        case engine(EngineScript?)

        var verb: String {
            switch self {
            case .pedal: "pedal"
            case .warm: "warm"
            case .leak: "leak"
            case .engine: "engine"
            }
        }

        /// Applies the change; false when the model is of another kind.
        @discardableResult
        public func apply(to model: inout AnyRigModel) -> Bool {
            switch (self, model) {
            case (.pedal(let travel), .brake(var brake)):
                brake.setPedal(travel)
                model = .brake(brake)
            case (.warm, .exhaust(var exhaust)):
                exhaust.finishWarmUp()
                model = .exhaust(exhaust)
            case (.leak(let leaking), .exhaust(var exhaust)):
                exhaust.probeLeaking = leaking
                model = .exhaust(exhaust)
            case (.engine(let script), .exhaust(var exhaust)):
                exhaust.script = script
                model = .exhaust(exhaust)
            default:
                return false
            }
            return true
        }
    }

    public static let helpText = """
        list | scenario <rig|lane|*> <name> | fault <rig|lane|*> <name> [arg] | status <rig|lane|*>
        pedal <rig> <0..1|auto> | warm <rig> | leak <rig> on|off | engine <rig> <script|auto> | help
        scenarios: \(VehicleScenario.names.joined(separator: ", "))
        faults: \(RigFault.names.joined(separator: ", "))
        engine scripts: \(EngineScript.all.map(\.name).joined(separator: ", "))
        """

    /// Parses a line; nil for a blank line or a `#` comment.
    public init?(parsing line: String) throws(ControlError) {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let verb = words.first, !verb.hasPrefix("#") else { return nil }
        func argument(_ index: Int, _ what: String) throws(ControlError) -> String {
            guard index < words.count else { throw ControlError("\(verb): missing \(what) (try help)") }
            return words[index]
        }
        switch verb {
        case "help": self = .help
        case "list", "rigs": self = .list
        case "scenario":
            let name = try argument(2, "scenario name")
            guard let scenario = VehicleScenario.named(name) else {
                throw ControlError("unknown scenario \(name) (known: \(VehicleScenario.names.joined(separator: ", ")))")
            }
            self = .scenario(try argument(1, "rig"), scenario)
        case "fault":
            let name = try argument(2, "fault name")
            guard let fault = RigFault(name: name, argument: words.count > 3 ? words[3] : nil) else {
                throw ControlError("bad fault \(words.dropFirst(2).joined(separator: " ")) (known: \(RigFault.names.joined(separator: ", ")))")
            }
            self = .fault(try argument(1, "rig"), fault)
        case "status": self = .status(words.count > 1 ? words[1] : "*")
        case "pedal":
            let value = try argument(2, "pedal travel 0..1 or auto")
            if value == "auto" {
                self = .model(try argument(1, "rig"), .pedal(nil))
            } else if let travel = Double(value), (0...1).contains(travel) {
                self = .model(try argument(1, "rig"), .pedal(travel))
            } else {
                throw ControlError("pedal travel must be 0..1 or auto, not \(value)")
            }
        case "warm": self = .model(try argument(1, "rig"), .warm)
        case "leak":
            let value = try argument(2, "on or off")
            guard value == "on" || value == "off" else { throw ControlError("leak takes on or off, not \(value)") }
            self = .model(try argument(1, "rig"), .leak(value == "on"))
        case "engine":
            let name = try argument(2, "engine script")
            if name == "auto" {
                self = .model(try argument(1, "rig"), .engine(nil))
            } else if let script = EngineScript.all.first(where: { $0.name == name }) {
                self = .model(try argument(1, "rig"), .engine(script))
            } else {
                throw ControlError("unknown engine script \(name) (known: \(EngineScript.all.map(\.name).joined(separator: ", ")))")
            }
        default:
            throw ControlError("unknown command \(verb) (try help)")
        }
    }
}

/// A control line or simulation set-up that cannot be carried out.
public struct ControlError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
