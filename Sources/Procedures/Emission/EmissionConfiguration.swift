public import LaneCore

/// How the emission station runs a vehicle. Times are judged on sample time.
public struct EmissionConfiguration: Hashable, Sendable, Codable {
    public var method: EmissionMeasurement.Method
    /// Lowest engine oil temperature at which the test may start, °C (GB 18285 / GB 3847: 80 °C).
    public var oilMinimumC = 80.0
    /// Two-speed idle: the high-idle set point and its tolerance (2500 ± 200 rpm).
    public var highIdleRPM = 2500.0
    public var highIdleToleranceRPM = 200.0
    /// Engine speed below which the engine is idling.
    public var idleMaximumRPM = 1100.0
    /// Time the engine must hold the speed window before measuring, then the averaging window.
    public var stabilise: Duration = .seconds(10)
    public var measureWindow: Duration = .seconds(30)
    /// Free acceleration: purges (not judged) and measured accelerations.
    public var purgeAccelerations = 3
    public var measuredAccelerations = 3
    /// An acceleration starts above this multiple of the idle speed and ends below `endFactor`.
    public var accelerationStartFactor = 1.5
    public var accelerationEndFactor = 1.15
    /// Time-outs.
    public var warmUpTimeout: Duration = .seconds(1200)
    public var checkTimeout: Duration = .seconds(30)
    public var oilTimeout: Duration = .seconds(900)
    public var driverTimeout: Duration = .seconds(300)
    public var phaseTimeout: Duration = .seconds(180)
    public var accelerationTimeout: Duration = .seconds(60)
    /// Consecutive samples that are not good before the test is aborted as a rig fault.
    public var faultSamples = 5
    /// ASM: the modes and their windows; nil for the other methods.
    public var asm: ASMConfiguration?

    public init(method: EmissionMeasurement.Method) { self.method = method }

    /// The method for a vehicle: free acceleration for diesel engines, two-speed idle otherwise.
    public init(vehicle: Vehicle) {
        switch vehicle.fuel {
        case .diesel, .hybridDiesel: self.init(method: .freeAcceleration)
        default: self.init(method: .twoSpeedIdle)
        }
    }

    /// The method for a vehicle at an emission station: ASM (ASM5025 then ASM2540) when the
    /// station has a chassis dynamometer and the vehicle is a spark-ignition vehicle (gasoline,
    /// gasoline hybrid, LPG, CNG: the GB 18285 scope) whose curb mass is known (the dynamometer
    /// load comes from the reference mass); otherwise as ``init(vehicle:)``.
    public init(vehicle: Vehicle, dynamometer: Bool) {
        guard dynamometer, let curb = vehicle.curbMassKg, curb > 0, Self.sparkIgnition(vehicle.fuel) else {
            self.init(vehicle: vehicle)
            return
        }
        self.init(method: .asm)
        asm = ASMConfiguration(referenceMassKg: ASMMode.referenceMassKg(curbMassKg: curb))
    }

    /// The method for a vehicle at `station` (its `dynamometer` flag from the lane profile).
    public init(vehicle: Vehicle, station: Station) {
        self.init(vehicle: vehicle, dynamometer: station.kind == .emission && station.dynamometer)
    }

    static func sparkIgnition(_ fuel: Vehicle.Fuel?) -> Bool {
        switch fuel {
        case .gasoline, .hybridGasoline, .lpg, .cng: true
        default: false
        }
    }
}

/// The analyser's channels, resolved to indices once.
struct EmissionChannels: Sendable {
    let co, hc, lambda, rpm, oil, opacity, warmingUp, zeroing, zeroDone, leakChecking, leakPassed, leakFailed: Int
    let faultWord: Int

    init(map: RegisterMap, rig: RigID) throws(ProcedureSetupError) {
        co = try map.requireChannel("co_pct", rig: rig)
        hc = try map.requireChannel("hc_ppm", rig: rig)
        lambda = try map.requireChannel("lambda", rig: rig)
        rpm = try map.requireChannel("engine_rpm", rig: rig)
        oil = try map.requireChannel("oil_temp_c", rig: rig)
        opacity = try map.requireChannel("opacity_k", rig: rig)
        warmingUp = try map.requireChannel("warming_up", rig: rig)
        zeroing = try map.requireChannel("zeroing", rig: rig)
        zeroDone = try map.requireChannel("zero_done", rig: rig)
        leakChecking = try map.requireChannel("leak_checking", rig: rig)
        leakPassed = try map.requireChannel("leak_check_passed", rig: rig)
        leakFailed = try map.requireChannel("leak_check_failed", rig: rig)
        faultWord = try map.requireChannel("fault_word", rig: rig)
        for command in ["zero", "leak_check", "sampling"] { try map.requireCommand(command, rig: rig) }
    }
}
