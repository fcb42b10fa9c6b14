public import LaneCore
import Synchronization

/// A simulated rig: a physics model, the register image its map makes of it, and the fault it shows.
/// Thread-safe: the Modbus server's thread reads and writes it while tests and the control channel
/// change its scenario and fault.
///
/// Time is injected: every call takes the time since the rig started, so tests step it by hand and
/// the server passes the monotonic clock.
///
/// **Communication watchdog.** A map whose `settings` give `comms_watchdog_seconds` arms it on the first
/// request the rig hears (``heard(at:)``, called by ``RigServer`` for every request it answers): when the
/// controller then stays silent that long, the model makes itself safe (``RigModel/controllerSilent()``:
/// rollers stopped, dynamometer unloaded) at exactly that moment of its physics, and the watchdog waits for
/// the next request. A rig stepped by hand, never heard, never trips.
public final class SimulatedRig: Sendable {
    public let id: RigID
    public let map: RegisterMap
    /// Silence from the controller after which the firmware makes itself safe; nil: no watchdog.
    public let commsWatchdog: Duration?
    private let state: Mutex<State>

    struct State {
        var model: AnyRigModel
        var image: RegisterImage
        var fault: RigFault
        var scenario: VehicleScenario
        var now: Duration = .zero
        /// When the controller was last heard; nil before the first request and after the watchdog tripped.
        var lastHeard: Duration?
        /// How many times the watchdog made the rig safe (it expired with something running).
        var watchdogTrips = 0
    }

    /// - Parameters:
    ///   - scenario: the vehicle at the rig at start.
    ///   - seed: seed of the measurement noise.
    public init(id: RigID, map: RegisterMap, scenario: VehicleScenario = .soundCar, fault: RigFault = .none, seed: UInt64 = 1) {
        self.id = id
        self.map = map
        commsWatchdog = map.settings["comms_watchdog_seconds"].flatMap { $0 > 0 ? .milliseconds(Int64(($0 * 1000).rounded())) : nil }
        var model = AnyRigModel(map: map, seed: seed)
        model.withModel { $0.load(scenario) }
        var image = RegisterImage(map: map)
        model.withModel { model in
            image.store(model.readings(), map: map)
            image.storeCommands(model.commandStates, map: map)
        }
        state = Mutex(State(model: model, image: image, fault: fault, scenario: scenario))
    }

    /// The fault the rig shows now.
    public var fault: RigFault {
        get { state.withLock { $0.fault } }
    }

    public func setFault(_ fault: RigFault) { state.withLock { $0.fault = fault } }

    /// The scenario the rig is simulating.
    public var scenario: VehicleScenario { state.withLock { $0.scenario } }

    /// Puts a new vehicle at the rig (the brake tester starts again at the first axle).
    public func load(_ scenario: VehicleScenario) {
        state.withLock { state in
            state.scenario = scenario
            state.model.withModel { $0.load(scenario) }
        }
    }

    /// Advances the physics to `time` and returns the register image at that time.
    public func image(at time: Duration) -> RegisterImage {
        state.withLock { state in
            refresh(&state, to: time)
            return state.image
        }
    }

    /// The engineering values of every channel at `time`.
    public func readings(at time: Duration) -> [String: Double] {
        state.withLock { state in
            advance(&state, to: time)
            return state.model.withModel { $0.readings() }
        }
    }

    /// The controller's request reached the rig at `time` (the server calls this for every request the rig answers,
    /// reads and writes alike): the physics is advanced to `time` (a watchdog that expired before it trips at its
    /// moment), then the watchdog starts over. The register image is left to the reply's own ``image(at:)``.
    public func heard(at time: Duration) {
        state.withLock { state in
            advance(&state, to: time)
            state.lastHeard = max(state.lastHeard ?? time, time)
        }
    }

    /// How many times the communication watchdog made the rig safe.
    public var watchdogTrips: Int { state.withLock { $0.watchdogTrips } }

    /// A client wrote `values` to `table` from `address`: update the image and apply the commands
    /// the map places there. Returns the names of the commands applied.
    @discardableResult
    public func write(table: RegisterTable, address: Int, values: [UInt16], at time: Duration) -> [String] {
        state.withLock { state in
            refresh(&state, to: time)
            switch table {
            case .coil:
                for (offset, value) in values.enumerated() where address + offset < state.image.coils.count {
                    state.image.coils[address + offset] = value != 0
                }
            case .holding:
                for (offset, value) in values.enumerated() where address + offset < state.image.holdingRegisters.count {
                    state.image.holdingRegisters[address + offset] = value
                }
            default:
                return []
            }
            let commands = state.image.commands(writtenAt: address, count: values.count, table: table, map: map)
            state.model.withModel { model in
                for command in commands { model.apply(command: command.name, value: command.value) }
            }
            refresh(&state, to: time)
            return commands.map(\.name)
        }
    }

    /// Applies a command by name (engineering value), as a client's write would.
    public func command(_ name: String, value: Double, at time: Duration) {
        state.withLock { state in
            refresh(&state, to: time)
            state.model.withModel { $0.apply(command: name, value: value) }
            refresh(&state, to: time)
        }
    }

    /// Runs `body` on the brake, headlamp or exhaust model (model-specific controls).
    public func withModel<R>(_ body: (inout AnyRigModel) -> R) -> R {
        state.withLock { body(&$0.model) }
    }

    /// Advances the physics to `time`; a watchdog that expires on the way makes the model safe at its moment.
    private func advance(_ state: inout State, to time: Duration) {
        if let commsWatchdog, let last = state.lastHeard, time - last > commsWatchdog {
            let trip = last + commsWatchdog
            if trip > state.now {
                state.model.withModel { $0.advance(to: trip) }
                state.now = trip
            }
            if state.model.withModel({ $0.controllerSilent() }) { state.watchdogTrips += 1 }
            state.lastHeard = nil
        }
        if time > state.now {
            state.model.withModel { $0.advance(to: time) }
            state.now = time
        }
    }

    private func refresh(_ state: inout State, to time: Duration) {
        advance(&state, to: time)
        let image = state.model.withModel { model in
            var image = state.image
            image.store(model.readings(), map: map)
            image.storeCommands(model.commandStates, map: map)
            return image
        }
        state.image = image
    }
}
