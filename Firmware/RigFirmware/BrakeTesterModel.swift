/// A roller brake tester (LC-RB3000 map): rollers spin up, the scale weighs the axle on the rollers,
/// the forces show drag, then follow the scripted pedal up to a peak; a wheel slips when its force
/// exceeds its grip (μ × wheel load), and the rollers stop when told, or by themselves on slip when the
/// map's `auto_stop_on_slip` is 1. After a run the vehicle drives the next axle onto the rollers.
public struct BrakeTesterModel: RigModel {
    /// Firmware settings (from the map's `settings`).
    public struct Settings: Sendable {
        public var autoStopOnSlip = true
        public var slipThresholdPercent = 20.0
        public var rollerSpeed = 2.5
        public var spinUp = 1.5
        public var coastDown = 1.0
        public var scaleSettle = 0.8
        public var scaleZero = 1.0
        public var forceNoise = 0.6
        /// Seconds from the rollers stopping after a run to the next axle being on the rollers.
        public var axleChange = 3.0

        public init() {}

        /// Settings from a register map's `settings`, defaults for the keys it does not give.
        public init(_ settings: [String: Double]) {
            autoStopOnSlip = (settings["auto_stop_on_slip"] ?? 1) != 0
            slipThresholdPercent = settings["slip_threshold_percent"] ?? slipThresholdPercent
            rollerSpeed = settings["roller_speed_kmh"] ?? rollerSpeed
            spinUp = settings["spin_up_seconds"] ?? spinUp
            coastDown = settings["coast_down_seconds"] ?? coastDown
            scaleSettle = settings["scale_settle_seconds"] ?? scaleSettle
            scaleZero = settings["scale_zero_seconds"] ?? scaleZero
            forceNoise = settings["force_noise_dan"] ?? forceNoise
        }
    }

    /// Roller state as the map's `roller_state` reports it.
    public enum RollerState: Int, Sendable {
        case stopped = 0, spinningUp = 1, atSpeed = 2, coastingDown = 3
    }

    /// Fault word bits.
    public enum Fault {
        public static let startRefused: UInt16 = 1 << 0
        public static let stoppedOnSlip: UInt16 = 1 << 1
        public static let overRange: UInt16 = 1 << 2
        public static let zeroRefused: UInt16 = 1 << 3
        /// The rollers were stopped by the communication watchdog: the controller fell silent while they ran.
        public static let stoppedControllerSilent: UInt16 = 1 << 4
    }

    public let settings: Settings
    private var random: SeededRandom
    private var stepper = Stepper(maximumStep: 0.002)
    public private(set) var scenario: VehicleScenario = .none

    // State, all in seconds / daN / km/h.
    /// Index of the axle on the rollers, nil when none.
    public private(set) var axleIndex: Int?
    private var axleArrived = 0.0
    private var nextAxleAt: Double?
    public private(set) var rollerState = RollerState.stopped
    private var runCommand = false
    private var speed = 0.0
    private var atSpeedSince: Double?
    private var braked = false
    private var pedalOverride: Double?
    private var pedal = 0.0
    private var rightPedal = 0.0
    private var pedalHistory: [(Double, Double)] = []
    private var forces = (left: 0.0, right: 0.0)
    private var slips = (left: 0.0, right: 0.0)
    private var slipping = (left: false, right: false)
    private var loads = (left: 0.0, right: 0.0)
    private var zeroOffset = (left: 1.5, right: 1.2)
    private var zeroingUntil: Double?
    public private(set) var faultWord: UInt16 = 0
    private var noise = (left: 0.0, right: 0.0, loadLeft: 0.0, loadRight: 0.0)

    public init(settings: Settings = Settings(), seed: UInt64 = 1) {
        self.settings = settings
        self.random = SeededRandom(seed: seed)
    }

    public mutating func load(_ scenario: VehicleScenario) {
        self.scenario = scenario
        axleIndex = scenario.axles.isEmpty ? nil : 0
        axleArrived = stepper.now
        nextAxleAt = nil
        braked = false
    }

    /// Overrides the scripted pedal with a fixed travel 0…1, or gives it back to the script (nil).
    public mutating func setPedal(_ travel: Double?) { pedalOverride = travel.map { min(max($0, 0), 1) } }

    public mutating func apply(command name: String, value: Double) {
        switch name {
        case "rollers_run":
            if value != 0 {
                guard axleIndex != nil else {
                    faultWord |= Fault.startRefused
                    runCommand = false
                    return
                }
                faultWord &= ~(Fault.startRefused | Fault.stoppedOnSlip | Fault.stoppedControllerSilent)
                if !runCommand { braked = false }
                runCommand = true
            } else {
                runCommand = false
            }
        case "scale_zero" where value != 0:
            if axleIndex != nil {
                faultWord |= Fault.zeroRefused
            } else {
                faultWord &= ~Fault.zeroRefused
                zeroingUntil = stepper.now + settings.scaleZero
            }
        default:
            break
        }
    }

    /// The controller fell silent: running rollers stop (coast down) and the fault word says why; a new run
    /// command clears the flag.
    public mutating func controllerSilent() -> Bool {
        guard runCommand else { return false }
        runCommand = false
        faultWord |= Fault.stoppedControllerSilent
        return true
    }

    public var commandStates: [String: Double] {
        ["rollers_run": runCommand ? 1 : 0, "scale_zero": zeroingUntil == nil ? 0 : 1]
    }

    public mutating func advance(to time: Duration) {
        var stepper = self.stepper
        stepper.advance(to: time.secondsValue) { dt, now in step(dt, now) }
        self.stepper = stepper
    }

    private var axle: VehicleScenario.Axle? { axleIndex.map { scenario.axles[$0] } }

    private mutating func step(_ dt: Double, _ now: Double) {
        // The vehicle moves on after a finished run.
        if let at = nextAxleAt, now >= at {
            nextAxleAt = nil
            braked = false
            if let index = axleIndex, index + 1 < scenario.axles.count {
                axleIndex = index + 1
                axleArrived = now
            } else {
                axleIndex = nil
            }
        }
        if let until = zeroingUntil, now >= until {
            zeroingUntil = nil
            zeroOffset = (0, 0)
        }

        // Rollers.
        switch rollerState {
        case .stopped:
            if runCommand { rollerState = .spinningUp }
        case .spinningUp, .atSpeed:
            if !runCommand {
                rollerState = .coastingDown
            } else {
                speed = min(settings.rollerSpeed, speed + settings.rollerSpeed * dt / settings.spinUp)
                if speed >= settings.rollerSpeed, rollerState == .spinningUp {
                    rollerState = .atSpeed
                    atSpeedSince = now
                }
            }
        case .coastingDown:
            if runCommand { rollerState = .spinningUp }
            speed = max(0, speed - settings.rollerSpeed * dt / settings.coastDown)
            if speed == 0 {
                rollerState = .stopped
                atSpeedSince = nil
                if braked, axleIndex != nil { nextAxleAt = now + settings.axleChange }
            }
        }
        if rollerState != .atSpeed { atSpeedSince = rollerState == .spinningUp ? nil : atSpeedSince }

        // Pedal: scripted from the moment the rollers reached speed, unless overridden. The driver
        // does not notice an automatic stop, so the script goes on while the rollers coast down
        // (and a locked wheel stays locked until they stop).
        if let override = pedalOverride {
            pedal = override
        } else if let since = atSpeedSince, rollerState == .atSpeed || rollerState == .coastingDown, axle != nil {
            pedal = scenario.pedal.travel(at: now - since)
        } else {
            pedal = 0
        }
        if pedal > 0 { braked = true }
        pedalHistory.append((now, pedal))
        let lag = axle?.rightLag ?? 0
        while let first = pedalHistory.first, first.0 < now - lag - 0.01 { pedalHistory.removeFirst() }
        rightPedal = lag > 0 ? (pedalHistory.first { $0.0 >= now - lag }?.1 ?? pedal) : pedal

        // Scale: readings settle toward the wheel loads of the axle on the rollers.
        let target = axle.map { ($0.loadLeft, $0.loadRight) } ?? (0, 0)
        let tau = settings.scaleSettle / 3
        loads.left = firstOrder(loads.left, toward: target.0, dt: dt, tau: tau)
        loads.right = firstOrder(loads.right, toward: target.1, dt: dt, tau: tau)

        // Forces and slip.
        let turning = speed / settings.rollerSpeed  // 0…1: force needs turning rollers
        if let axle, turning > 0 {
            (forces.left, slips.left, slipping.left) = wheel(
                demand: axle.dragLeft + axle.capacityLeft * pedal, load: axle.loadLeft, grip: axle.grip,
                slipping: slipping.left, slip: slips.left, dt: dt)
            (forces.right, slips.right, slipping.right) = wheel(
                demand: axle.dragRight + axle.capacityRight * rightPedal, load: axle.loadRight, grip: axle.grip,
                slipping: slipping.right, slip: slips.right, dt: dt)
            forces.left *= turning
            forces.right *= turning
        } else {
            forces = (0, 0)
            slips = (0, 0)
            slipping = (false, false)
        }
        if settings.autoStopOnSlip, runCommand, slipFlag.left || slipFlag.right {
            runCommand = false
            faultWord |= Fault.stoppedOnSlip
        }
    }

    /// One wheel on its roller: the force it takes and its slip.
    private func wheel(
        demand: Double, load: Double, grip: Double, slipping: Bool, slip: Double, dt: Double
    ) -> (Double, Double, Bool) {
        let limit = grip * load
        let sliding = 0.85 * limit
        var slipping = slipping
        if !slipping, demand > limit { slipping = true }
        if slipping, demand < sliding { slipping = false }
        if slipping {
            // The wheel decelerates toward lock; force drops to sliding friction.
            return (sliding, min(100, slip + 250 * dt), true)
        }
        // Creep: a rolling tyre slips a little in proportion to the force it transmits.
        let creep = limit > 0 ? 3 * demand / limit : 0
        return (demand, max(creep, slip - 250 * dt), false)
    }

    private var slipFlag: (left: Bool, right: Bool) {
        (slips.left >= settings.slipThresholdPercent, slips.right >= settings.slipThresholdPercent)
    }

    public mutating func readings() -> [String: Double] {
        let noisy = rollerState != .stopped && axle != nil
        let fl = max(0, forces.left + (noisy ? random.gaussian(sigma: settings.forceNoise) : 0))
        let fr = max(0, forces.right + (noisy ? random.gaussian(sigma: settings.forceNoise) : 0))
        let ll = max(0, loads.left + zeroOffset.left + random.gaussian(sigma: 0.2))
        let lr = max(0, loads.right + zeroOffset.right + random.gaussian(sigma: 0.2))
        let settled = axle != nil && stepper.now - axleArrived >= settings.scaleSettle
        var fault = faultWord
        if fl > 3000 || fr > 3000 { fault |= Fault.overRange }
        let inDrag = rollerState == .atSpeed && pedal == 0 && !braked && (atSpeedSince.map { stepper.now - $0 >= 1 } ?? false)
        return [
            "force_left": min(fl, 6553), "force_right": min(fr, 6553),
            "slip_left_pct": slips.left, "slip_right_pct": slips.right,
            "load_left": ll, "load_right": lr, "axle_load": ll + lr,
            "roller_state": Double(rollerState.rawValue), "roller_speed": speed,
            "fault_word": Double(fault),
            "pedal_force": pedal * scenario.pedal.maxForce,
            "heartbeat": Double(UInt32(truncatingIfNeeded: Int64(stepper.now * 1000))),
            "slip_left": slipFlag.left ? 1 : 0, "slip_right": slipFlag.right ? 1 : 0,
            "vehicle_on_rollers": axle != nil ? 1 : 0,
            "ready": rollerState == .atSpeed && settled ? 1 : 0,
            "drag_phase": inDrag ? 1 : 0,
            "scale_zeroing": zeroingUntil != nil ? 1 : 0,
            "rollers_running": runCommand ? 1 : 0,
        ]
    }
}
