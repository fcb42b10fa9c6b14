/// A five-gas exhaust analyser with an opacimeter (LC-EA500 map): it warms up, zeroes and leak-checks
/// in set times, and once sampling its readings follow the gas at the probe with a first-order lag
/// (T90); the engine follows the scenario's script from the moment sampling starts, and rpm and oil
/// temperature follow the engine. For ASM the chassis dynamometer behind the analyser follows the
/// script's road speed and absorbs the load the controller wrote to `dyno_load_setpoint_kw`
/// (the script's own load when none was written); NO at the probe rises with the absorbed power.
/// Without a forced script (``script``), the simulated driver follows the ASM prompts: each new
/// non-zero load set point is the controller moving to the next mode (25 km/h, then 40 km/h), which
/// the driver reaches after a reaction time; a set point of 0 ends the drive (see ``ASMDriver``).
public struct ExhaustAnalyserModel: RigModel {
    public struct Settings: Sendable {
        public var warmup = 30.0
        public var zero = 5.0
        public var leakCheck = 6.0
        public var t90 = 4.5
        public var opacityResponse = 0.5
        public var opacimeterLength = 0.43

        public init() {}

        public init(_ settings: [String: Double]) {
            warmup = settings["warmup_seconds"] ?? warmup
            zero = settings["zero_seconds"] ?? zero
            leakCheck = settings["leak_check_seconds"] ?? leakCheck
            t90 = settings["t90_seconds"] ?? t90
            opacityResponse = settings["opacity_response_seconds"] ?? opacityResponse
            opacimeterLength = settings["opacimeter_length_m"] ?? opacimeterLength
        }
    }

    public enum Fault {
        public static let notWarm: UInt16 = 1 << 0
        public static let leakCheckFailed: UInt16 = 1 << 1
        public static let busy: UInt16 = 1 << 2
        /// The dynamometer was unloaded by the communication watchdog: the controller fell silent under load.
        public static let unloadedControllerSilent: UInt16 = 1 << 3
    }

    public let settings: Settings
    private var random: SeededRandom
    private var stepper = Stepper(maximumStep: 0.01)
    public private(set) var scenario: VehicleScenario = .none
    private var warmUntil: Double
    private var zeroUntil: Double?
    private var zeroDone = false
    private var leakUntil: Double?
    private var leakResult: Bool?
    /// True makes the next leak checks fail (a cracked probe hose).
    public var probeLeaking = false
    private var samplingSince: Double?
    /// Overrides the scenario's engine script (control channel), nil for the scenario's own.
    public var script: EngineScript?
    private var faultWord: UInt16 = 0

    // Displayed (lagged) values.
    private var shown = VehicleScenario.Gas.ambient
    private var drift = VehicleScenario.Gas(co: 0.03, co2: 0.1, hc: 12, no: 5, o2: -0.2)
    private var rpm = 0.0
    private var oil = 20.0
    private var opacity = 0.0
    private var dyno = (speed: 0.0, load: 0.0)
    /// The power the controller asked the dynamometer to absorb, kW (0: none written).
    private var dynoSetpoint = 0.0
    /// The driver on the dynamometer while the controller runs an ASM test (no forced script).
    public private(set) var asmDriver: ASMDriver?

    public init(settings: Settings = Settings(), seed: UInt64 = 1) {
        self.settings = settings
        self.random = SeededRandom(seed: seed)
        warmUntil = settings.warmup
    }

    public mutating func load(_ scenario: VehicleScenario) {
        self.scenario = scenario
        samplingSince = nil
        asmDriver = nil  // a new vehicle: nobody is driving an ASM mode yet
        rpm = scenario.engine?.idleRPM ?? 0
        oil = scenario.engine?.oilStart ?? 20
    }

    /// Ends the warm-up now (tests, and the control channel's `warm`).
    public mutating func finishWarmUp() { warmUntil = stepper.now }

    public var isWarm: Bool { stepper.now >= warmUntil }

    public mutating func apply(command name: String, value: Double) {
        let now = stepper.now
        switch name {
        case "zero" where value != 0, "leak_check" where value != 0, "sampling" where value != 0:
            guard isWarm else {
                faultWord |= Fault.notWarm
                return
            }
            guard zeroUntil == nil, leakUntil == nil else {
                faultWord |= Fault.busy
                return
            }
            faultWord &= ~(Fault.notWarm | Fault.busy)
            switch name {
            case "zero":
                samplingSince = nil
                zeroUntil = now + settings.zero
                zeroDone = false
            case "leak_check":
                samplingSince = nil
                leakUntil = now + settings.leakCheck
                leakResult = nil
            default:
                if samplingSince == nil { samplingSince = now }
            }
        case "sampling":
            samplingSince = nil
        case "dyno_load_setpoint_kw":
            let setpoint = max(0, value)
            if setpoint > 0 { faultWord &= ~Fault.unloadedControllerSilent }
            if setpoint == 0 {
                asmDriver = nil
            } else if let driver = asmDriver {
                // A new load is the next mode (a repeated write of the same load is not).
                if setpoint != dynoSetpoint { asmDriver = driver.nextMode(at: now, from: dyno.speed) }
            } else {
                asmDriver = ASMDriver(mode: 0, since: now, fromSpeed: dyno.speed)
            }
            dynoSetpoint = setpoint
        default:
            break
        }
    }

    /// The controller fell silent: a loaded dynamometer is unloaded (the driver on it is no longer led through
    /// the ASM modes) and the fault word says why; the next load written clears the flag.
    public mutating func controllerSilent() -> Bool {
        guard dynoSetpoint > 0 else { return false }
        dynoSetpoint = 0
        asmDriver = nil
        faultWord |= Fault.unloadedControllerSilent
        return true
    }

    public var commandStates: [String: Double] {
        [
            "zero": zeroUntil != nil ? 1 : 0, "leak_check": leakUntil != nil ? 1 : 0, "sampling": samplingSince != nil ? 1 : 0,
            "dyno_load_setpoint_kw": dynoSetpoint,
        ]
    }

    public mutating func advance(to time: Duration) {
        var stepper = self.stepper
        stepper.advance(to: time.secondsValue) { dt, now in step(dt, now) }
        self.stepper = stepper
    }

    private var activeScript: EngineScript? { script ?? scenario.engine?.script }

    /// True while the prompt-following ASM driver drives (no forced script).
    private var driverDrives: Bool { script == nil && asmDriver != nil }

    /// Where the script (or the ASM driver) puts the throttle at `now`; idle before sampling.
    private func segment(at now: Double) -> EngineScript.Segment {
        if script == nil, let driver = asmDriver { return driver.segment(at: now) }
        guard let since = samplingSince, let script = activeScript else { return .init(seconds: 0, throttle: 0) }
        return script.segment(at: now - since)
    }

    private mutating func step(_ dt: Double, _ now: Double) {
        if let until = zeroUntil, now >= until {
            zeroUntil = nil
            zeroDone = true
            drift = VehicleScenario.Gas(co: 0, co2: 0, hc: 0, no: 0, o2: 0)
        }
        if let until = leakUntil, now >= until {
            leakUntil = nil
            leakResult = !probeLeaking
            if probeLeaking { faultWord |= Fault.leakCheckFailed } else { faultWord &= ~Fault.leakCheckFailed }
        }
        guard let engine = scenario.engine else {
            rpm = firstOrder(rpm, toward: 0, dt: dt, tau: 0.5)
            shown = lag(toward: .ambient, dt: dt)
            opacity = firstOrder(opacity, toward: 0, dt: dt, tau: settings.opacityResponse / 2.2)
            return
        }
        let segment = self.segment(at: now)
        let targetRPM = engine.idleRPM + segment.throttle * (engine.highRPM - engine.idleRPM)
        rpm = firstOrder(rpm, toward: targetRPM, dt: dt, tau: activeScript?.rpmResponse ?? 0.4)
        let fraction = min(max((rpm - engine.idleRPM) / (engine.highRPM - engine.idleRPM), 0), 1)
        oil = firstOrder(oil, toward: 85 + 12 * fraction, dt: dt, tau: 90)
        let load: Double
        if driverDrives {
            dyno.speed = firstOrder(dyno.speed, toward: segment.dynoSpeed, dt: dt, tau: ASMDriver.speedResponse)
            // The power absorption unit cannot absorb its power at walking pace: it reaches the set
            // point from `ASMDriver.fullLoadSpeed` on.
            load = dynoSetpoint * min(1, dyno.speed / ASMDriver.fullLoadSpeed)
        } else {
            dyno.speed = firstOrder(dyno.speed, toward: segment.dynoSpeed, dt: dt, tau: 0.8)
            load = segment.followsSetpoint && dynoSetpoint > 0 ? dynoSetpoint : segment.dynoLoad
        }
        dyno.load = firstOrder(dyno.load, toward: load, dt: dt, tau: 0.8)

        let sampling = samplingSince != nil && zeroUntil == nil && leakUntil == nil
        var probe = sampling ? mix(engine.idleGas, engine.highGas, fraction) : .ambient
        // Combustion under load is hotter: NO rises with the power the dynamometer absorbs.
        if sampling { probe.no += Self.noPerKilowatt * dyno.load }
        shown = lag(toward: probe, dt: dt)
        // Smoke appears as the diesel accelerates and clears at idle.
        let smoke = engine.baseOpacity + (engine.peakOpacity - engine.baseOpacity) * fraction
        // A Bessel-like opacimeter: first order with a time constant giving the stated response.
        opacity = firstOrder(opacity, toward: sampling ? smoke : 0, dt: dt, tau: settings.opacityResponse / 2.2)
    }

    /// NO added at the probe per kW absorbed by the dynamometer, ppm (a simulation choice).
    public static let noPerKilowatt = 25.0

    /// First-order response with the bench's T90: τ = T90 / ln 10.
    private func lag(toward target: VehicleScenario.Gas, dt: Double) -> VehicleScenario.Gas {
        let tau = settings.t90 / 2.302585093
        return VehicleScenario.Gas(
            co: firstOrder(shown.co, toward: target.co, dt: dt, tau: tau),
            co2: firstOrder(shown.co2, toward: target.co2, dt: dt, tau: tau),
            hc: firstOrder(shown.hc, toward: target.hc, dt: dt, tau: tau),
            no: firstOrder(shown.no, toward: target.no, dt: dt, tau: tau),
            o2: firstOrder(shown.o2, toward: target.o2, dt: dt, tau: tau))
    }

    private func mix(_ a: VehicleScenario.Gas, _ b: VehicleScenario.Gas, _ f: Double) -> VehicleScenario.Gas {
        VehicleScenario.Gas(
            co: a.co + (b.co - a.co) * f, co2: a.co2 + (b.co2 - a.co2) * f, hc: a.hc + (b.hc - a.hc) * f,
            no: a.no + (b.no - a.no) * f, o2: a.o2 + (b.o2 - a.o2) * f)
    }

    /// Brettschneider's lambda (gasoline: H/C 1.7261, O/C 0.0175; HC as n-hexane, 6 carbons), or 0
    /// when there is no exhaust at the probe.
    public static func lambda(_ gas: VehicleScenario.Gas) -> Double {
        let co = max(gas.co, 0), co2 = max(gas.co2, 0), o2 = max(gas.o2, 0)
        let hc = max(gas.hc, 0) * 1e-4, no = max(gas.no, 0) * 1e-4
        guard co + co2 >= 1 else { return 0 }
        let hcv = 1.7261, ocv = 0.0175
        let numerator = co2 + co / 2 + o2 + no / 2 + (hcv / 4 * 3.5 / (3.5 + co / co2) - ocv / 2) * (co2 + co)
        let denominator = (1 + hcv / 4 - ocv / 2) * (co2 + co + 6 * hc)
        return numerator / denominator
    }

    public mutating func readings() -> [String: Double] {
        let now = stepper.now
        let warm = now >= warmUntil
        var gas = VehicleScenario.Gas(
            co: shown.co + drift.co + random.gaussian(sigma: 0.002), co2: shown.co2 + drift.co2 + random.gaussian(sigma: 0.01),
            hc: shown.hc + drift.hc + random.gaussian(sigma: 0.8), no: shown.no + drift.no + random.gaussian(sigma: 1),
            o2: shown.o2 + drift.o2 + random.gaussian(sigma: 0.01))
        if !warm { gas = VehicleScenario.Gas(co: 0, co2: 0, hc: 0, no: 0, o2: 0) }
        let k = max(0, opacity + (opacity > 0.01 ? random.gaussian(sigma: 0.01) : 0))
        return [
            "co_pct": max(0, gas.co), "co2_pct": max(0, gas.co2), "hc_ppm": max(0, gas.hc), "no_ppm": max(0, gas.no),
            "o2_pct": max(0, gas.o2), "lambda": warm ? min(Self.lambda(gas), 9.999) : 0,  // the display saturates
            "engine_rpm": max(0, rpm + (rpm > 0 ? random.gaussian(sigma: 5) : 0)), "oil_temp_c": oil,
            "opacity_k": k, "opacity_n_pct": 100 * (1 - _exp(-k * settings.opacimeterLength)),
            "dyno_speed_kmh": dyno.speed, "dyno_load_kw": dyno.load,
            "warmup_remaining_s": max(0, (warmUntil - now).rounded(.up)), "fault_word": Double(faultWord),
            "heartbeat": Double(UInt32(truncatingIfNeeded: Int64(now * 1000))),
            "warming_up": warm ? 0 : 1, "zeroing": zeroUntil != nil ? 1 : 0, "zero_done": zeroDone ? 1 : 0,
            "leak_checking": leakUntil != nil ? 1 : 0, "leak_check_passed": leakResult == true ? 1 : 0,
            "leak_check_failed": leakResult == false ? 1 : 0,
            "sampling": samplingSince != nil ? 1 : 0,
        ]
    }
}

/// The simulated driver of an ASM test on the chassis dynamometer, following the controller's
/// prompts rather than a clock: the controller writes each mode's load as it prompts the mode, so
/// a new load set point is the driver's cue to drive the next mode's speed (ASM5025: 25 km/h,
/// then ASM2540: 40 km/h, GB 18285 order). The driver reacts after ``reaction`` seconds and the
/// road speed settles with time constant ``speedResponse``; the drive ends when the load is set
/// back to 0 (test done, aborted or cancelled) and the car comes back to idle.
public struct ASMDriver: Hashable, Sendable {
    /// Road speed of each mode, in the order the controller runs them, km/h.
    public static let modeSpeeds = [25.0, 40.0]
    /// Throttle (fraction between idle and high idle rpm) that holds each mode's speed under load.
    public static let modeThrottles = [0.4, 0.55]
    /// Seconds from the prompt (the set point write) to the driver's foot moving.
    public static let reaction = 1.0
    /// Time constant of the road speed following the driver's target, s.
    public static let speedResponse = 1.2
    /// Road speed from which the dynamometer absorbs its whole set point, km/h.
    public static let fullLoadSpeed = 10.0

    /// Index into ``modeSpeeds`` of the mode being driven.
    public var mode: Int
    /// Model time of the prompt, s.
    public var since: Double
    /// The speed being held when the prompt came (the previous mode's, or 0).
    public var fromSpeed: Double

    /// The mode after this one, prompted at `time`.
    func nextMode(at time: Double, from speed: Double) -> ASMDriver {
        ASMDriver(mode: mode + 1, since: time, fromSpeed: speed)
    }

    /// What the driver does at `time`: the previous target until the reaction time has passed.
    func segment(at time: Double) -> EngineScript.Segment {
        let index = min(mode, Self.modeSpeeds.count - 1)
        guard time - since >= Self.reaction else {
            let previous = mode == 0 ? 0 : Self.modeThrottles[min(mode - 1, Self.modeThrottles.count - 1)]
            return EngineScript.Segment(seconds: 0, throttle: previous, dynoSpeed: fromSpeed)
        }
        return EngineScript.Segment(seconds: 0, throttle: Self.modeThrottles[index], dynoSpeed: Self.modeSpeeds[index])
    }
}
