import LaneCore

/// The GB 7258-2017 vehicle classes that pick brake and lamp limits (`standards.md` §1.2, §2.1).
public enum CNVehicleClass: String, Sendable, Hashable, CaseIterable {
    /// 乘用车: passenger vehicle with at most 9 seats.
    case passengerCar = "passenger_car"
    /// Other vehicle with max total mass ≤ 3500 kg (not trailer, not special-purpose).
    case light = "light_le_3500kg"
    /// Articulated bus / trolleybus, road train (汽车列车).
    case articulated
    /// Bus (passenger vehicle, > 9 seats) with max total mass > 3500 kg.
    case heavyBus = "bus_gt_3500kg"
    case trailer
    /// Trucks, tractors, special-purpose vehicles … (the "other vehicles" row).
    case other
    /// Special-purpose vehicle (专项作业车) with max total mass ≤ 1.2 × curb mass.
    case specialLight = "special_purpose_le_1_2_curb"
    /// 三轮汽车 (N11).
    case threeWheeled = "three_wheeled_car"
    /// Ordinary motorcycle (M10, M11, M13, M14, M15, M20, M21).
    case motorcycle
    /// 轻便摩托车 (M12, M22).
    case moped
    /// Wheeled tractor (T1x/T2x); brakes judged as "other vehicles".
    case tractor

    /// The position of the class in `allCases` (tables indexed by class).
    var ordinal: Int {
        switch self {
        case .passengerCar: 0
        case .light: 1
        case .articulated: 2
        case .heavyBus: 3
        case .trailer: 4
        case .other: 5
        case .specialLight: 6
        case .threeWheeled: 7
        case .motorcycle: 8
        case .moped: 9
        case .tractor: 10
        }
    }

    /// The classes indexed by `ordinal` (the synthesized `allCases` builds an array per call).
    static let byOrdinal: [CNVehicleClass] = allCases

    /// Chinese name for tables and explanations.
    public var chinese: String {
        switch self {
        case .passengerCar: "乘用车"
        case .light: "总质量≤3500kg的其他汽车"
        case .articulated: "铰接客车、铰接式无轨电车、汽车列车"
        case .heavyBus: "总质量>3500kg的客车"
        case .trailer: "挂车"
        case .other: "其他汽车"
        case .specialLight: "总质量≤整备质量1.2倍的专项作业车"
        case .threeWheeled: "三轮汽车"
        case .motorcycle: "普通摩托车"
        case .moped: "轻便摩托车"
        case .tractor: "拖拉机运输机组"
        }
    }
}

/// The classes a vehicle may be in, given what is known, and the vehicle fields that would
/// narrow them down. An item is judged when its limit is the same in every candidate class.
struct CNClassResolution {
    /// The candidate classes, one bit per class `ordinal` (a set, not an array: judging a case
    /// allocates nothing for it).
    struct Candidates {
        var bits: UInt16
        static let none = Candidates(bits: 0)
        static let all = Candidates(bits: UInt16((1 << CNVehicleClass.allCases.count) - 1))
        init(bits: UInt16) { self.bits = bits }
        init(_ a: CNVehicleClass) { bits = 1 << a.ordinal }
        init(_ a: CNVehicleClass, _ b: CNVehicleClass) { bits = 1 << a.ordinal | 1 << b.ordinal }
        var isEmpty: Bool { bits == 0 }
    }
    var candidates: Candidates
    var unknownFields: [String]

    /// The value `f` gives for every candidate, or nil when they disagree (or there is none).
    func uniform<T: Equatable>(_ f: (CNVehicleClass) -> T) -> T? {
        var rest = candidates.bits
        guard rest != 0 else { return nil }
        let value = f(CNVehicleClass.byOrdinal[rest.trailingZeroBitCount])
        rest &= rest - 1
        while rest != 0 {
            if f(CNVehicleClass.byOrdinal[rest.trailingZeroBitCount]) != value { return nil }
            rest &= rest - 1
        }
        return value
    }

    /// Decides the class from the type code (GA 24.4), else the UN/ECE category, else the
    /// passenger-car flag; see `docs/rules.md` "Vehicle class".
    init(_ vehicle: Vehicle) {
        candidates = .none
        unknownFields = []
        if vehicle.combination == true {
            candidates = Candidates(.articulated)
            return
        }
        let total = vehicle.maxTotalMassKg
        if let code = vehicle.typeCode?.uppercased(), let letter = code.first {
            let second = code.dropFirst().first
            switch letter {
            case "B", "G": candidates = Candidates(.trailer)
            case "N": candidates = Candidates(.threeWheeled)
            case "M": candidates = Candidates((code == "M12" || code == "M22") ? .moped : .motorcycle)
            case "T": candidates = Candidates(.tractor)
            case "K":
                if code == "K14" || code == "K24" {  // 大型/中型铰接客车
                    candidates = Candidates(.articulated)
                } else {
                    let smallOrMicro = second == "3" || second == "4"  // K3x/K4x: at most 9 seats
                    let passengerCar = vehicle.passengerCar ?? vehicle.seats.map { $0 <= 9 } ?? smallOrMicro
                    if passengerCar { candidates = Candidates(.passengerCar) } else { byMass(total, heavy: .heavyBus) }
                }
            case "D": byMass(total, heavy: .heavyBus)
            case "Z":
                if let total, let curb = vehicle.curbMassKg {
                    candidates = Candidates(total <= 1.2 * curb ? .specialLight : .other)
                } else {
                    candidates = Candidates(.specialLight, .other)
                    if total == nil { unknownFields.append("vehicle.max_total_mass_kg") }
                    if vehicle.curbMassKg == nil { unknownFields.append("vehicle.curb_mass_kg") }
                }
            default: byMass(total, heavy: .other)
            }
            return
        }
        if let category = vehicle.category.map(normalizedCategory) {
            switch category {
            case "M1":
                if vehicle.passengerCar == false { byMass(total, heavy: .heavyBus) } else { candidates = Candidates(.passengerCar) }
            case "M2", "M3": byMass(total, heavy: .heavyBus)
            case "N1", "N2", "N3": byMass(total, heavy: .other)
            case "O1", "O2", "O3", "O4": candidates = Candidates(.trailer)
            case "L1", "L2", "L6": candidates = Candidates(.moped)
            case "L3", "L4", "L5", "L7": candidates = Candidates(.motorcycle)
            default: break
            }
            if !candidates.isEmpty { return }
        }
        if vehicle.passengerCar == true {
            candidates = Candidates(.passengerCar)
            return
        }
        candidates = .all
        unknownFields = ["vehicle.type_code"]
    }

    private mutating func byMass(_ total: Double?, heavy: CNVehicleClass) {
        if let total {
            candidates = Candidates(total <= 3500 ? .light : heavy)
        } else {
            candidates = Candidates(.light, heavy)
            unknownFields.append("vehicle.max_total_mass_kg")
        }
    }
}

/// `l3e` → `L3`, `m1` → `M1`.
func normalizedCategory(_ category: String) -> String {
    var text = category.uppercased()
    if text.hasPrefix("L"), text.hasSuffix("E") { text.removeLast() }
    return text
}
