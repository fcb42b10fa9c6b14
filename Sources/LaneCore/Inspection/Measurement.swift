/// A left/right brake-force curve with the time of every point, as the brake tester sampled it.
public struct ForceCurve: Hashable, Sendable, Codable {
    /// Nanoseconds since the first point (the rollers reaching speed).
    public var offsets: [UInt64] = []
    public var left: [Double] = []
    public var right: [Double] = []
    /// Index of the first point after the driver was prompted to brake.
    public var brakeStart: Int = 0

    public init() {}

    /// Mean sampling period in milliseconds, or nil with fewer than two points.
    public var meanPeriodMs: Double? {
        guard let last = offsets.last, offsets.count > 1 else { return nil }
        return Double(last) / 1e6 / Double(offsets.count - 1)
    }
}

/// One roller brake run: the service brake of an axle, or the parking brake on its axle. Forces and
/// loads in daN.
public struct BrakeRunMeasurement: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case service, parking }

    public var kind: Kind
    /// Axle number, 1 = front.
    public var axle: Int
    public var loadLeft: Double
    public var loadRight: Double
    public var dragLeft: Double
    public var dragRight: Double
    public var peakLeft: Double
    public var peakRight: Double
    /// Largest simultaneous |left − right| from the brake prompt up to the earlier of the two peaks.
    public var maxRiseDifference: Double
    public var lockedLeft: Bool
    public var lockedRight: Bool
    public var curve: ForceCurve
    /// Every sample from the start of weighing (service) or spin-up (parking) to the end of the run.
    public var quality: DataQuality
    public var started: MonotonicInstant
    /// Time of the last sample the run used.
    public var ended: MonotonicInstant

    public init(
        kind: Kind, axle: Int, loadLeft: Double, loadRight: Double, dragLeft: Double, dragRight: Double,
        peakLeft: Double, peakRight: Double, maxRiseDifference: Double, lockedLeft: Bool, lockedRight: Bool,
        curve: ForceCurve, quality: DataQuality, started: MonotonicInstant, ended: MonotonicInstant
    ) {
        self.kind = kind
        self.axle = axle
        self.loadLeft = loadLeft
        self.loadRight = loadRight
        self.dragLeft = dragLeft
        self.dragRight = dragRight
        self.peakLeft = peakLeft
        self.peakRight = peakRight
        self.maxRiseDifference = maxRiseDifference
        self.lockedLeft = lockedLeft
        self.lockedRight = lockedRight
        self.curve = curve
        self.quality = quality
        self.started = started
        self.ended = ended
    }
}

/// Both beams of one headlamp.
public struct HeadlampMeasurement: Hashable, Sendable, Codable {
    public enum Side: String, Hashable, Sendable, Codable, CaseIterable { case left, right }

    public var side: Side
    public var lowIntensityCd: Double
    /// Cut-off height at 10 m as a fraction of the lamp centre height.
    public var lowVerticalH: Double
    /// mm at 10 m, positive to the right.
    public var lowHorizontalMm: Double
    public var highIntensityCd: Double
    public var highVerticalH: Double
    public var highHorizontalMm: Double
    public var centreHeightMm: Double
    public var quality: DataQuality
    public var ended: MonotonicInstant

    public init(
        side: Side, lowIntensityCd: Double, lowVerticalH: Double, lowHorizontalMm: Double, highIntensityCd: Double,
        highVerticalH: Double, highHorizontalMm: Double, centreHeightMm: Double, quality: DataQuality,
        ended: MonotonicInstant
    ) {
        self.side = side
        self.lowIntensityCd = lowIntensityCd
        self.lowVerticalH = lowVerticalH
        self.lowHorizontalMm = lowHorizontalMm
        self.highIntensityCd = highIntensityCd
        self.highVerticalH = highVerticalH
        self.highHorizontalMm = highHorizontalMm
        self.centreHeightMm = centreHeightMm
        self.quality = quality
        self.ended = ended
    }
}

/// An exhaust emission test as measured.
public struct EmissionMeasurement: Hashable, Sendable, Codable {
    public enum Method: String, Hashable, Sendable, Codable {
        case twoSpeedIdle = "two_speed_idle"
        case freeAcceleration = "free_acceleration"
        /// Acceleration simulation mode on a chassis dynamometer (ASM5025, then ASM2540).
        case asm
    }

    public var method: Method
    /// Averaged figures by the rule engine's JSON names (`high_idle_co_pct`, `idle_rpm` …).
    public var figures: [String: Double]
    /// Peak opacity k (m⁻¹) of each measured free acceleration, in order.
    public var opacityReadings: [Double]
    /// Peak opacity of each purge acceleration (kept as evidence; not judged).
    public var purgeReadings: [Double]
    /// Oil temperature when sampling started, °C.
    public var oilTemperatureC: Double
    public var quality: DataQuality
    public var ended: MonotonicInstant

    public init(
        method: Method, figures: [String: Double], opacityReadings: [Double], purgeReadings: [Double],
        oilTemperatureC: Double, quality: DataQuality, ended: MonotonicInstant
    ) {
        self.method = method
        self.figures = figures
        self.opacityReadings = opacityReadings
        self.purgeReadings = purgeReadings
        self.oilTemperatureC = oilTemperatureC
        self.quality = quality
        self.ended = ended
    }
}

/// A measurement a station procedure completed.
public enum InspectionMeasurement: Hashable, Sendable, Codable {
    case brake(BrakeRunMeasurement)
    case headlamp(HeadlampMeasurement)
    case emission(EmissionMeasurement)

    /// The data-quality ledger of the samples behind it.
    public var quality: DataQuality {
        switch self {
        case .brake(let m): m.quality
        case .headlamp(let m): m.quality
        case .emission(let m): m.quality
        }
    }

    /// Time of the last sample it used.
    public var ended: MonotonicInstant {
        switch self {
        case .brake(let m): m.ended
        case .headlamp(let m): m.ended
        case .emission(let m): m.ended
        }
    }
}
