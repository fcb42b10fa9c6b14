import LaneCore

/// Where a limit comes from (`standards.md` §0).
public enum SourceTag: String, Sendable, Hashable, CaseIterable {
    /// Read in the regulation or official manual.
    case standard = "V-std"
    /// Read in a real lane-software vendor's source code or data files.
    case vendor = "V-vendor"
    /// Read in a secondary web page quoting the rule.
    case secondary = "V-sec"
    /// Recalled, not verified: an operator must confirm it against the purchased text.
    case recalled = "R"

    /// True for limits an operator must confirm before release.
    public var needsConfirmation: Bool { self == .recalled }
}

/// GB 7258-2017 / GB 38900-2020 / GB 18285-2018 / GB 3847-2018 limits as data (`standards.md` §1–3).
public enum CNTables {
    /// One row of the roller service-brake table (unladen, %); nil = not judged.
    public struct BrakeRow: Sendable, Hashable {
        public var vehicleRate: Double?
        public var frontAxle: Double?
        public var rearAxle: Double?
        /// Imbalance judged (4+-wheel vehicles).
        public var imbalance: Bool
        /// Wheel drag judged (4+-wheel vehicles).
        public var drag: Bool
        /// Parking brake judged.
        public var parking: Bool
    }

    /// §1.2 (NH-STD `GetBrake_7258_2017`, V-vendor), roller column, unladen.
    public static let brake: [CNVehicleClass: BrakeRow] = [
        .passengerCar: BrakeRow(vehicleRate: 60, frontAxle: 60, rearAxle: 20, imbalance: true, drag: true, parking: true),
        .light: BrakeRow(vehicleRate: 60, frontAxle: 60, rearAxle: 20, imbalance: true, drag: true, parking: true),
        .articulated: BrakeRow(vehicleRate: 55, frontAxle: nil, rearAxle: nil, imbalance: true, drag: true, parking: true),
        .heavyBus: BrakeRow(vehicleRate: 60, frontAxle: 60, rearAxle: 40, imbalance: true, drag: true, parking: true),
        .trailer: BrakeRow(vehicleRate: 55, frontAxle: nil, rearAxle: 55, imbalance: true, drag: true, parking: true),
        .other: BrakeRow(vehicleRate: 60, frontAxle: 60, rearAxle: 50, imbalance: true, drag: true, parking: true),
        .specialLight: BrakeRow(vehicleRate: 50, frontAxle: 60, rearAxle: 50, imbalance: true, drag: true, parking: true),
        .threeWheeled: BrakeRow(vehicleRate: nil, frontAxle: nil, rearAxle: 60, imbalance: false, drag: false, parking: true),
        .motorcycle: BrakeRow(vehicleRate: nil, frontAxle: 60, rearAxle: 55, imbalance: false, drag: false, parking: false),
        .moped: BrakeRow(vehicleRate: nil, frontAxle: 60, rearAxle: 50, imbalance: false, drag: false, parking: false),
        .tractor: BrakeRow(vehicleRate: 60, frontAxle: 60, rearAxle: 50, imbalance: true, drag: true, parking: true),
    ]

    /// The `brake` row of `vehicleClass`, read from an array indexed by the class (no hashing on
    /// the judging path).
    static func brakeRow(_ vehicleClass: CNVehicleClass) -> BrakeRow? { brakeRows[vehicleClass.ordinal] }
    private static let brakeRows: [BrakeRow?] = CNVehicleClass.allCases.map { brake[$0] }

    /// §1.3 imbalance limits, % (new registration, in use).
    public struct Imbalance: Sendable {
        public var front: (new: Double, inUse: Double) = (20, 24)
        public var rearRatio: (new: Double, inUse: Double) = (24, 30)
        public var rearLoad: (new: Double, inUse: Double) = (8, 10)
        /// Below this axle rate a rear/other axle is judged in load form.
        public var switchAxleRate: Double = 60
    }
    public static let imbalance = Imbalance()
    /// §1.3 wheel drag, % of the axle load, each wheel.
    public static let dragMax = 10.0
    /// §1.3 parking: % of the vehicle weight; reduced when max total mass < factor × curb mass.
    public static let parking = (normal: 20.0, reduced: 15.0, massFactor: 1.2)

    /// §2.1 high-beam minimum, cd: (1-lamp, 2-lamp, 4-lamp) for new registration and in use.
    public struct IntensityRow: Sendable, Hashable {
        public var new: [Double?]
        public var inUse: [Double?]
        func limit(_ phase: Vehicle.UsePhase, lamps: Int) -> Double? {
            let row = phase == .newRegistration ? new : inUse
            switch lamps {
            case 1: return row[0] ?? row[1]
            case 4: return row[2] ?? row[1]
            default: return row[1] ?? row[0]
            }
        }
    }
    /// Lamp classes of §2.1.
    public enum LampClass: String, Sendable, Hashable, CaseIterable {
        case carFast = "car_ge_70kmh", carSlow = "car_lt_70kmh", threeWheeled = "three_wheeled_car"
        case motorcycle, moped, tractorOver18kW = "tractor_gt_18kw", tractorUpTo18kW = "tractor_le_18kw"
    }
    public static let highBeam: [LampClass: IntensityRow] = [
        .carFast: IntensityRow(new: [nil, 18000, 15000], inUse: [nil, 15000, 12000]),
        .carSlow: IntensityRow(new: [nil, 10000, 8000], inUse: [nil, 8000, 6000]),
        .threeWheeled: IntensityRow(new: [8000, 6000, nil], inUse: [6000, 5000, nil]),
        .motorcycle: IntensityRow(new: [10000, 8000, nil], inUse: [8000, 6000, nil]),
        .moped: IntensityRow(new: [4000, 3000, nil], inUse: [3000, 2500, nil]),
        .tractorOver18kW: IntensityRow(new: [8000, 8000, 8000], inUse: [6000, 6000, 6000]),
        .tractorUpTo18kW: IntensityRow(new: [6000, 6000, 6000], inUse: [5000, 5000, 5000]),
    ]
    /// The `highBeam` row of `lampClass`, from an array indexed by the class (the dictionary
    /// hashed the raw string on every case).
    static func highBeamRow(_ lampClass: LampClass) -> IntensityRow {
        let ordinal =
            switch lampClass {
            case .carFast: 0
            case .carSlow: 1
            case .threeWheeled: 2
            case .motorcycle: 3
            case .moped: 4
            case .tractorOver18kW: 5
            case .tractorUpTo18kW: 6
            }
        return highBeamRows[ordinal]
    }
    private static let highBeamRows: [IntensityRow] = LampClass.allCases.map { highBeam[$0]! }
    /// §2.1 cap on the sum of all high beams, cd (V-vendor; clause unknown).
    public static let highBeamTotalMax = 430_000.0
    /// §2.2 low-beam cut-off height, fraction of H.
    public static let lowBeamVertical = (passengerCar: Limit(min: 0.70, max: 0.90), others: Limit(min: 0.60, max: 0.80))
    /// §2.2 low-beam horizontal offset, mm (left ≤ 170, right ≤ 350).
    public static let lowBeamHorizontal = Limit(min: -170, max: 350)

    /// §3.1/3.2 emission limits per limit set.
    public struct EmissionSet: Sendable, Hashable {
        public var idleCO: Double, idleHC: Double, highIdleCO: Double, highIdleHC: Double
        public var lambda: Limit
        public var asm5025: [Double]  // CO %, HC ppm, NO ppm
        public var asm2540: [Double]
        public var vmas: [Double]  // CO, HC, NOx g/km
        public var freeAcceleration: Double  // m⁻¹
        public var lugDownK: Double  // m⁻¹
        public var lugDownNOx: Double  // ppm
        public var tag: SourceTag
    }
    public static let emissionSets: [String: EmissionSet] = [
        "a": EmissionSet(
            idleCO: 0.6, idleHC: 80, highIdleCO: 0.3, highIdleHC: 50, lambda: Limit(min: 0.95, max: 1.05),
            asm5025: [0.50, 90, 700], asm2540: [0.40, 80, 650], vmas: [8.0, 1.6, 1.3], freeAcceleration: 1.2,
            lugDownK: 1.2, lugDownNOx: 1500, tag: .vendor),
        "b": EmissionSet(
            idleCO: 0.4, idleHC: 40, highIdleCO: 0.3, highIdleHC: 30, lambda: Limit(min: 0.95, max: 1.05),
            asm5025: [0.35, 47, 420], asm2540: [0.30, 44, 390], vmas: [5.0, 1.0, 0.7], freeAcceleration: 0.7,
            lugDownK: 0.7, lugDownNOx: 900, tag: .recalled),
    ]
    /// The limit set named `name` ("a", "b"), nil for any other name; compared, not hashed.
    static func emissionSet(_ name: String) -> EmissionSet? {
        switch name {
        case "a": emissionSetA
        case "b": emissionSetB
        default: nil
        }
    }
    private static let emissionSetA = emissionSets["a"]!
    private static let emissionSetB = emissionSets["b"]!
    /// GB 3847-2005 free acceleration, m⁻¹: naturally aspirated, turbocharged (V-vendor).
    public static let freeAcceleration2005 = (natural: 2.5, turbo: 3.0)
    /// Lug-down: minimum max wheel power as a fraction of rated engine power (R).
    public static let lugDownMinPowerFraction = 0.40
}
