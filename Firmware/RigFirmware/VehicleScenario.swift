/// The vehicle a simulated lane is testing: what its brakes, lamps and engine do. One scenario covers
/// all three stations, so a lane's rigs can share it; each rig uses its own part.
///
/// Built-in scenarios (``VehicleScenario/named(_:)``): `sound_car`, `weak_rear_brake`,
/// `pulling_front_axle`, `dim_lamp`, `misaimed_lamp`, `rich_mixture`, `smoky_diesel`, and `none`
/// (no vehicle at the rig). See `docs/simulated-rigs.md`.
public struct VehicleScenario: Hashable, Sendable {
    public var name: String
    /// Axles front to back; empty means no vehicle.
    public var axles: [Axle]
    public var pedal: Pedal
    /// Left and right headlamp; nil means no vehicle in front of the headlamp tester.
    public var lamps: LampPair?
    /// Nil means no engine at the probe.
    public var engine: Engine?

    /// One axle on the rollers.
    public struct Axle: Hashable, Sendable {
        /// Static wheel loads, daN.
        public var loadLeft: Double
        public var loadRight: Double
        /// Brake force each wheel reaches at full pedal if the tyre grips, daN.
        public var capacityLeft: Double
        public var capacityRight: Double
        /// Force with the pedal released (binding brakes, bearings), daN.
        public var dragLeft: Double
        public var dragRight: Double
        /// Tyre-to-roller friction coefficient μ: a wheel slips when its force exceeds μ × wheel load.
        public var grip: Double
        /// Seconds by which the right wheel's force lags the left (a sticking caliper); 0 for none.
        public var rightLag: Double

        public init(
            loadLeft: Double, loadRight: Double, capacityLeft: Double, capacityRight: Double, dragLeft: Double = 6,
            dragRight: Double = 6, grip: Double = 0.7, rightLag: Double = 0
        ) {
            self.loadLeft = loadLeft
            self.loadRight = loadRight
            self.capacityLeft = capacityLeft
            self.capacityRight = capacityRight
            self.dragLeft = dragLeft
            self.dragRight = dragRight
            self.grip = grip
            self.rightLag = rightLag
        }
    }

    /// How the (simulated) driver works the pedal once the rollers are at speed.
    public struct Pedal: Hashable, Sendable {
        /// Seconds at speed with the pedal released (the drag measurement) before pressing.
        public var delay: Double = 3
        /// Seconds from released to fully pressed (a linear ramp).
        public var rise: Double = 2.5
        /// Seconds held fully pressed.
        public var hold: Double = 1.5
        /// Seconds to release.
        public var release: Double = 0.8
        /// Force on the pedal meter when fully pressed, N.
        public var maxForce: Double = 450

        public init() {}

        /// Pedal travel 0…1 at `t` seconds after the rollers reached speed.
        public func travel(at t: Double) -> Double {
            let pressing = t - delay
            if pressing <= 0 { return 0 }
            if pressing < rise { return pressing / rise }
            if pressing < rise + hold { return 1 }
            let releasing = pressing - rise - hold
            return releasing < release ? 1 - releasing / release : 0
        }

        /// Seconds after reaching speed when the pedal is released again.
        public var end: Double { delay + rise + hold + release }
    }

    /// The two headlamps of a vehicle.
    public struct LampPair: Hashable, Sendable {
        public var left: Lamp
        public var right: Lamp
        public init(left: Lamp, right: Lamp) {
            self.left = left
            self.right = right
        }
    }

    /// One headlamp.
    public struct Lamp: Hashable, Sendable {
        /// Lamp centre height H, mm.
        public var centreHeight: Double
        public var low: Beam
        public var high: Beam

        public init(centreHeight: Double, low: Beam, high: Beam) {
            self.centreHeight = centreHeight
            self.low = low
            self.high = high
        }
    }

    /// One beam of a headlamp as the tester should find it.
    public struct Beam: Hashable, Sendable {
        /// Luminous intensity, cd.
        public var intensity: Double
        /// Cut-off (low) or hot-spot (high) height at 10 m as a ratio of H.
        public var verticalH: Double
        /// Horizontal offset at 10 m, mm, positive to the right.
        public var horizontalMm: Double

        public init(intensity: Double, verticalH: Double, horizontalMm: Double) {
            self.intensity = intensity
            self.verticalH = verticalH
            self.horizontalMm = horizontalMm
        }
    }

    /// The engine and its exhaust.
    public struct Engine: Hashable, Sendable {
        public enum Fuel: String, Hashable, Sendable { case gasoline, diesel }
        public var fuel: Fuel
        public var idleRPM: Double
        /// High idle (gasoline two-speed idle) or governed maximum (diesel free acceleration).
        public var highRPM: Double
        /// Exhaust at idle and at high idle; the gas in between is interpolated by rpm.
        public var idleGas: Gas
        public var highGas: Gas
        /// Opacity k (m⁻¹) at idle and at the top of a free acceleration.
        public var baseOpacity: Double
        public var peakOpacity: Double
        /// Oil temperature when the test starts, °C.
        public var oilStart: Double
        /// What the (simulated) driver does once sampling starts.
        public var script: EngineScript

        public init(
            fuel: Fuel, idleRPM: Double, highRPM: Double, idleGas: Gas, highGas: Gas, baseOpacity: Double = 0,
            peakOpacity: Double = 0, oilStart: Double = 82, script: EngineScript
        ) {
            self.fuel = fuel
            self.idleRPM = idleRPM
            self.highRPM = highRPM
            self.idleGas = idleGas
            self.highGas = highGas
            self.baseOpacity = baseOpacity
            self.peakOpacity = peakOpacity
            self.oilStart = oilStart
            self.script = script
        }
    }

    /// Exhaust composition.
    public struct Gas: Hashable, Sendable {
        public var co: Double  // %vol
        public var co2: Double  // %vol
        public var hc: Double  // ppm hexane
        public var no: Double  // ppm
        public var o2: Double  // %vol

        public init(co: Double, co2: Double, hc: Double, no: Double, o2: Double) {
            self.co = co
            self.co2 = co2
            self.hc = hc
            self.no = no
            self.o2 = o2
        }

        /// Ambient air at the probe.
        public static let ambient = Gas(co: 0, co2: 0.04, hc: 0, no: 0, o2: 20.9)
    }

    public init(name: String, axles: [Axle], pedal: Pedal = Pedal(), lamps: LampPair?, engine: Engine?) {
        self.name = name
        self.axles = axles
        self.pedal = pedal
        self.lamps = lamps
        self.engine = engine
    }
}

/// A driver's engine programme, as segments of target rpm (and dynamometer speed and load for ASM).
public struct EngineScript: Hashable, Sendable {
    public struct Segment: Hashable, Sendable {
        public var seconds: Double
        /// Target rpm as a fraction between idle (0) and high/governed rpm (1).
        public var throttle: Double
        /// Dynamometer road speed, km/h.
        public var dynoSpeed: Double
        /// Power the dynamometer absorbs, kW (when it does not follow the controller's set point).
        public var dynoLoad: Double
        /// True: the dynamometer absorbs the controller's `dyno_load_setpoint_kw` once one was written.
        public var followsSetpoint: Bool

        public init(seconds: Double, throttle: Double, dynoSpeed: Double = 0, dynoLoad: Double = 0, followsSetpoint: Bool = false) {
            self.seconds = seconds
            self.throttle = throttle
            self.dynoSpeed = dynoSpeed
            self.dynoLoad = dynoLoad
            self.followsSetpoint = followsSetpoint
        }
    }

    public var name: String
    public var segments: [Segment]
    /// Time constant of the engine speed following the throttle, s.
    public var rpmResponse: Double

    public init(name: String, segments: [Segment], rpmResponse: Double = 0.4) {
        self.name = name
        self.segments = segments
        self.rpmResponse = rpmResponse
    }

    /// The segment in force `t` seconds after sampling started (the last one holds).
    public func segment(at t: Double) -> Segment {
        var elapsed = 0.0
        for segment in segments {
            elapsed += segment.seconds
            if t < elapsed { return segment }
        }
        return segments.last ?? Segment(seconds: 0, throttle: 0)
    }

    /// Gasoline two-speed idle (GB 18285): 70 % of rated speed 30 s, high idle 45 s, idle 45 s.
    public static let twoSpeedIdle = EngineScript(
        name: "two_speed_idle",
        segments: [
            .init(seconds: 30, throttle: 1.3), .init(seconds: 45, throttle: 1), .init(seconds: 45, throttle: 0),
        ])
    /// Diesel free acceleration (GB 3847): idle, then three snaps to the governed speed, 3 s held, 8 s idle.
    public static let freeAcceleration = EngineScript(
        name: "free_acceleration",
        segments: [.init(seconds: 6, throttle: 0)]
            + Array(repeating: [.init(seconds: 3, throttle: 1), .init(seconds: 8, throttle: 0)], count: 3).flatMap { $0 },
        rpmResponse: 0.35)
    /// ASM on the dynamometer: idle, accelerate to 25 km/h and hold it 40 s at the ASM5025 load,
    /// then 40 km/h for 40 s at the ASM2540 load, then idle. The loads are the controller's set
    /// points once it writes them (9.5 and 7.6 kW, a 1300 kg car, otherwise).
    public static let asm5025 = EngineScript(
        name: "asm",
        segments: [
            .init(seconds: 5, throttle: 0), .init(seconds: 5, throttle: 0.4, dynoSpeed: 25, dynoLoad: 2),
            .init(seconds: 40, throttle: 0.4, dynoSpeed: 25, dynoLoad: 9.5, followsSetpoint: true),
            .init(seconds: 5, throttle: 0.55, dynoSpeed: 40, dynoLoad: 2),
            .init(seconds: 40, throttle: 0.55, dynoSpeed: 40, dynoLoad: 7.6, followsSetpoint: true),
            .init(seconds: 5, throttle: 0),
        ])

    /// Scripts by name, for the control channel.
    public static let all: [EngineScript] = [twoSpeedIdle, freeAcceleration, asm5025]
}

