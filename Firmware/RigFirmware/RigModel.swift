/// The physics of one rig model, stepped by injected time: no clock, no I/O, no randomness but a
/// seeded generator. A ``SimulatedRig`` wraps a model with a register image and serves it.
public protocol RigModel: Sendable {
    /// Advances the physics to `time`, measured from the model's start. Earlier times are ignored.
    mutating func advance(to time: Duration)
    /// Applies a write to a command of the rig's map (`"rollers_run"`, 1) at the current time.
    mutating func apply(command name: String, value: Double)
    /// The engineering value of every channel the model drives, by channel name. Mutating because
    /// each reading draws fresh measurement noise from the seeded generator.
    mutating func readings() -> [String: Double]
    /// Puts a new vehicle at the rig.
    mutating func load(_ scenario: VehicleScenario)
    /// Commands the firmware has cleared by itself (a one-shot coil that is done), by name → value.
    var commandStates: [String: Double] { get }
    /// The firmware's communication watchdog tripped at the current time: no request from the controller for the
    /// map's `comms_watchdog_seconds`. The model puts whatever moves under the controller's command in its safe
    /// state (rollers stopped, dynamometer unloaded) and flags it in its fault word. Returns whether there was
    /// anything to make safe; models with nothing under command ignore it.
    mutating func controllerSilent() -> Bool
}

extension RigModel {
    public mutating func controllerSilent() -> Bool { false }
}

/// Steps a model's continuous physics in slices of at most `maximumStep`, so the result does not
/// depend on how often it is polled.
struct Stepper: Sendable {
    var now: Double = 0
    let maximumStep: Double

    /// Calls `step(dt, t)` until `now` reaches `time` (seconds).
    mutating func advance(to time: Double, _ step: (Double, Double) -> Void) {
        while now < time {
            let dt = min(maximumStep, time - now)
            now += dt
            step(dt, now)
        }
    }
}

extension Duration {
    var secondsValue: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
