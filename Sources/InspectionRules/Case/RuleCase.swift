public import LaneCore

/// A measured figure as it arrived: not measured at this station, expected but without a value,
/// or a value.
///
/// `standards.md` §8: in a measurement section an **absent** field was not measured (the items
/// that need it are not judged and do not appear); a **null** field should have been measured
/// (the items that need it are `incomplete`, naming it).
public enum Reading<Value: Sendable & Hashable>: Sendable, Hashable {
    /// Not measured at this station (absent in JSON).
    case absent
    /// Should have been measured but has no value (`null` in JSON).
    case missing
    /// The measured value.
    case value(Value)

    /// The value, if there is one.
    public var value: Value? { if case .value(let value) = self { value } else { nil } }
    /// True when the field was absent (not measured).
    public var isAbsent: Bool { if case .absent = self { true } else { false } }
}

/// One vehicle to judge: the ruleset, the vehicle data and whatever was measured.
public struct RuleCase: Sendable, Hashable {
    /// The ruleset to judge against.
    public var ruleset: RulesetID
    /// The vehicle data (unknown fields are nil).
    public var vehicle: Vehicle
    /// The brake section, or nil when absent.
    public var brake: Reading<BrakeTest>
    /// The headlamp readings, or `.absent`.
    public var headlamps: Reading<[HeadlampReading]>
    /// The emission test, or `.absent`.
    public var emission: Reading<EmissionTest>

    /// Creates a case; sections default to not measured.
    public init(
        ruleset: RulesetID, vehicle: Vehicle, brake: Reading<BrakeTest> = .absent,
        headlamps: Reading<[HeadlampReading]> = .absent, emission: Reading<EmissionTest> = .absent
    ) {
        self.ruleset = ruleset
        self.vehicle = vehicle
        self.brake = brake
        self.headlamps = headlamps
        self.emission = emission
    }
}

/// The unit of every force and load in a brake section.
public enum ForceUnit: String, Sendable, Hashable, CaseIterable {
    case daN
    case N
    case kgf

    /// Standard gravity (CGPM 1901, ISO 80000-3): the definition of the kilogram-force.
    /// `standards.md` open question 3: we use 9.80665 m/s², not 9.8 or 9.81.
    public static let standardGravity = 9.80665

    /// Multiply a figure in this unit by this to get decanewtons.
    public var toDecanewtons: Double {
        switch self {
        case .daN: 1
        case .N: 0.1
        case .kgf: 0.980665  // standardGravity / 10, written exactly
        }
    }
}

/// A roller brake test of a whole vehicle.
public struct BrakeTest: Sendable, Hashable {
    /// Unit of every force and load below.
    public var unit: ForceUnit
    /// The axles in the order tested.
    public var axles: Reading<[BrakeAxle]>
    /// Sum of the parking brake forces.
    public var parkingTotal: Reading<Double>
    /// Vehicle weight as tested; defaults to the sum of the axle loads.
    public var testWeight: Reading<Double>

    /// Creates a brake test.
    public init(
        unit: ForceUnit = .daN, axles: Reading<[BrakeAxle]>, parkingTotal: Reading<Double> = .absent,
        testWeight: Reading<Double> = .absent
    ) {
        self.unit = unit
        self.axles = axles
        self.parkingTotal = parkingTotal
        self.testWeight = testWeight
    }
}

/// One axle's roller brake test.
public struct BrakeAxle: Sendable, Hashable {
    /// Front or rear of the vehicle's longitudinal centre.
    public enum Position: String, Sendable, Hashable, CaseIterable {
        case front, rear
    }

    /// Axle number as written in the case (1-based); defaults to its place in the list.
    public var index: Int?
    public var position: Position?
    public var steered: Bool?
    /// Wheels on the axle: 2, or 1 for a single-wheel (motorcycle) axle.
    public var wheels: Int
    /// Static axle load.
    public var load: Reading<Double>
    public var peakLeft: Reading<Double>
    public var peakRight: Reading<Double>
    /// Largest simultaneous |left − right| during the rise (up to the earlier peak).
    public var maxRiseDifference: Reading<Double>
    public var dragLeft: Reading<Double>
    public var dragRight: Reading<Double>
    public var lockedLeft: Bool?
    public var lockedRight: Bool?
    /// The sampled brake-force curve; when given it wins over the peaks.
    public var curve: Reading<BrakeCurve>

    /// Creates an axle with nothing measured.
    public init(index: Int? = nil, position: Position? = nil, wheels: Int = 2) {
        self.index = index
        self.position = position
        self.wheels = wheels
        load = .absent
        peakLeft = .absent
        peakRight = .absent
        maxRiseDifference = .absent
        dragLeft = .absent
        dragRight = .absent
        curve = .absent
    }
}

/// A sampled left/right brake-force curve (simultaneous samples).
public struct BrakeCurve: Sendable, Hashable {
    public var periodMs: Double?
    public var left: [Double]
    public var right: [Double]

    /// Creates a curve from simultaneous samples.
    public init(periodMs: Double? = nil, left: [Double], right: [Double]) {
        self.periodMs = periodMs
        self.left = left
        self.right = right
    }
}

/// One headlamp's readings.
public struct HeadlampReading: Sendable, Hashable {
    public enum Side: String, Sendable, Hashable, CaseIterable {
        case left, right
    }

    /// `main` (outer) or `aux` (inner lamp of a four-lamp system).
    public enum Lamp: String, Sendable, Hashable, CaseIterable {
        case main, aux
    }

    public var side: Side
    public var lamp: Lamp
    public var highBeamCd: Reading<Double>
    /// Low-beam cut-off height at 10 m as a fraction of the lamp centre height.
    public var lowBeamVerticalH: Reading<Double>
    /// Low-beam horizontal offset at 10 m, negative towards the vehicle's left.
    public var lowBeamHorizontalMm: Reading<Double>
    public var centreHeightMm: Reading<Double>

    /// Creates a lamp reading with nothing measured.
    public init(side: Side, lamp: Lamp = .main) {
        self.side = side
        self.lamp = lamp
        highBeamCd = .absent
        lowBeamVerticalH = .absent
        lowBeamHorizontalMm = .absent
        centreHeightMm = .absent
    }
}

/// An exhaust emission test.
public struct EmissionTest: Sendable, Hashable {
    /// The test method (`standards.md` §8).
    public enum Method: String, Sendable, Hashable, CaseIterable {
        case twoSpeedIdle = "two_speed_idle"
        case asm
        case vmas
        case freeAcceleration = "free_acceleration"
        case lugDown = "lug_down"
        case fastIdle = "fast_idle"
        case dieselOpacity = "diesel_opacity"
    }

    /// A scalar figure of an emission test, named as in the JSON.
    public enum Figure: String, Sendable, Hashable, CaseIterable {
        case idleCO = "idle_co_pct", idleHC = "idle_hc_ppm", idleRPM = "idle_rpm"
        case highIdleCO = "high_idle_co_pct", highIdleHC = "high_idle_hc_ppm"
        case highIdleLambda = "high_idle_lambda", highIdleRPM = "high_idle_rpm"
        case asm5025CO = "asm5025_co_pct", asm5025HC = "asm5025_hc_ppm", asm5025NO = "asm5025_no_ppm"
        case asm2540CO = "asm2540_co_pct", asm2540HC = "asm2540_hc_ppm", asm2540NO = "asm2540_no_ppm"
        case vmasCO = "co_g_km", vmasHC = "hc_g_km", vmasNOx = "nox_g_km"
        case k100 = "k100_m1", k80 = "k80_m1", nox80 = "nox80_ppm", maxWheelPower = "max_wheel_power_kw"
        case fastIdleCO = "fast_idle_co_pct", fastIdleHC = "fast_idle_hc_ppm"
        case fastIdleLambda = "fast_idle_lambda", fastIdleRPM = "fast_idle_rpm"

        // Hash and compare the case, not its raw string (the RawRepresentable defaults hash
        // the string, which showed up in profiles of judging).
        public func hash(into hasher: inout Hasher) { hasher.combine(unsafeBitCast(self, to: UInt8.self)) }
        public static func == (a: Self, b: Self) -> Bool {
            unsafeBitCast(a, to: UInt8.self) == unsafeBitCast(b, to: UInt8.self)
        }
    }

    public var method: Method
    /// Scalar figures; a figure not in the dictionary is absent.
    public var figures: [Figure: Reading<Double>]
    /// Opacity readings in m⁻¹, in order (CN: measured accelerations only; UK/EU: every one).
    public var opacityReadings: Reading<[Double]>

    /// Creates an emission test.
    public init(method: Method, figures: [Figure: Reading<Double>] = [:], opacityReadings: Reading<[Double]> = .absent)
    {
        self.method = method
        self.figures = figures
        self.opacityReadings = opacityReadings
    }

    /// The reading of `figure` (absent when not given).
    public subscript(figure: Figure) -> Reading<Double> { figures[figure] ?? .absent }
}
