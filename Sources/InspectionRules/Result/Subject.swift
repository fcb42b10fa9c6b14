/// What a ``RuleItem`` judges, with enough detail to name it in English and Chinese.
public enum Subject: Sendable, Hashable {
    case axleRate(axle: Int, position: BrakeAxle.Position)
    case axleImbalance(axle: Int, position: BrakeAxle.Position)
    case drag(axle: Int, side: HeadlampReading.Side)
    case serviceRate
    case parkingRate
    case highBeam(side: HeadlampReading.Side, lamp: HeadlampReading.Lamp)
    case lowBeamVertical(side: HeadlampReading.Side, lamp: HeadlampReading.Lamp)
    case lowBeamHorizontal(side: HeadlampReading.Side, lamp: HeadlampReading.Lamp)
    case aim(side: HeadlampReading.Side, lamp: HeadlampReading.Lamp)
    case totalHighBeam
    case emission(EmissionItem)
    /// A whole measurement section given as null.
    case section(String)
}

/// The judged emission figures (`standards.md` §8 item ids).
public enum EmissionItem: String, Sendable, Hashable, CaseIterable {
    case idleCO = "emission.idle.co", idleHC = "emission.idle.hc"
    case highIdleCO = "emission.high_idle.co", highIdleHC = "emission.high_idle.hc"
    case highIdleLambda = "emission.high_idle.lambda"
    case asm5025CO = "emission.asm5025.co", asm5025HC = "emission.asm5025.hc", asm5025NO = "emission.asm5025.no"
    case asm2540CO = "emission.asm2540.co", asm2540HC = "emission.asm2540.hc", asm2540NO = "emission.asm2540.no"
    case vmasCO = "emission.vmas.co", vmasHC = "emission.vmas.hc", vmasNOx = "emission.vmas.nox"
    case freeAcceleration = "emission.free_acceleration.opacity"
    case lugDownK100 = "emission.lug_down.k100", lugDownK80 = "emission.lug_down.k80"
    case lugDownNOx80 = "emission.lug_down.nox80", lugDownPower = "emission.lug_down.power"
    case fastIdleCO = "emission.fast_idle.co", fastIdleHC = "emission.fast_idle.hc"
    case fastIdleLambda = "emission.fast_idle.lambda"
    case dieselOpacity = "emission.diesel_opacity"

    /// The item id.
    public var id: String { rawValue }

    var names: (en: String, zh: String) {
        switch self {
        case .idleCO: ("idle CO", "怠速CO")
        case .idleHC: ("idle HC", "怠速HC")
        case .highIdleCO: ("high-idle CO", "高怠速CO")
        case .highIdleHC: ("high-idle HC", "高怠速HC")
        case .highIdleLambda: ("high-idle λ", "高怠速过量空气系数λ")
        case .asm5025CO: ("ASM5025 CO", "ASM5025工况CO")
        case .asm5025HC: ("ASM5025 HC", "ASM5025工况HC")
        case .asm5025NO: ("ASM5025 NO", "ASM5025工况NO")
        case .asm2540CO: ("ASM2540 CO", "ASM2540工况CO")
        case .asm2540HC: ("ASM2540 HC", "ASM2540工况HC")
        case .asm2540NO: ("ASM2540 NO", "ASM2540工况NO")
        case .vmasCO: ("VMAS CO", "简易瞬态工况CO")
        case .vmasHC: ("VMAS HC", "简易瞬态工况HC")
        case .vmasNOx: ("VMAS NOx", "简易瞬态工况NOx")
        case .freeAcceleration: ("free-acceleration opacity", "自由加速烟度")
        case .lugDownK100: ("lug-down opacity at 100 % VelMaxHP", "加载减速100%点光吸收系数")
        case .lugDownK80: ("lug-down opacity at 80 % VelMaxHP", "加载减速80%点光吸收系数")
        case .lugDownNOx80: ("lug-down NOx at 80 % VelMaxHP", "加载减速80%点NOx")
        case .lugDownPower: ("lug-down maximum wheel power", "加载减速最大轮边功率")
        case .fastIdleCO: ("fast-idle CO", "快怠速CO")
        case .fastIdleHC: ("fast-idle HC", "快怠速HC")
        case .fastIdleLambda: ("fast-idle λ", "快怠速λ")
        case .dieselOpacity: ("diesel smoke opacity", "柴油车烟度")
        }
    }
}

/// A qualifier of an item's limit or verdict, rendered in the explanation's parentheses.
public enum Note: Sendable, Hashable {
    /// Shared note lists (one array for every item that carries them: no allocation per item).
    static let inUseNotes: [Note] = [.inUseLimit]
    static let newRegistrationNotes: [Note] = [.newRegistrationLimit]
    static let inUseFourLampNotes: [Note] = [.inUseLimit, .fourLampLimit]
    static let newRegistrationFourLampNotes: [Note] = [.newRegistrationLimit, .fourLampLimit]
    static let inUseMainPairNotes: [Note] = [.inUseLimit, .pairRule(.main)]
    static let inUseAuxPairNotes: [Note] = [.inUseLimit, .pairRule(.aux)]
    static let newRegistrationMainPairNotes: [Note] = [.newRegistrationLimit, .pairRule(.main)]
    static let newRegistrationAuxPairNotes: [Note] = [.newRegistrationLimit, .pairRule(.aux)]

    /// `[phase, .pairRule(pair)]`, shared for the two use phases (no allocation per lamp).
    static func pairNotes(phase: Note, pair: HeadlampReading.Lamp) -> [Note] {
        switch (phase, pair) {
        case (.inUseLimit, .main): inUseMainPairNotes
        case (.inUseLimit, .aux): inUseAuxPairNotes
        case (.newRegistrationLimit, .main): newRegistrationMainPairNotes
        case (.newRegistrationLimit, .aux): newRegistrationAuxPairNotes
        default: [phase, .pairRule(pair)]
        }
    }

    case newRegistrationLimit
    case inUseLimit
    /// CN rear-axle imbalance judged as difference / axle load (axle rate below 60 %).
    case loadForm
    /// CN imbalance judged as difference / larger peak.
    case ratioForm
    /// CN parking: 15 % because the maximum total mass is below 1.2 × the curb mass.
    case parkingReducedForMass
    /// CN parking: the masses are unknown, so the documented default 20 % applies.
    case parkingMassUnknown
    /// CN four-lamp system passed because this pair of lamps meets the two-lamp limit.
    case pairRule(HeadlampReading.Lamp)
    case fourLampLimit
    /// CN: the sum of the high beams is over 430 000 cd, so every lamp fails.
    case totalCapExceeded
    /// UK/EU: more than half of the wheels locked, so the efficiency requirement is met.
    case wheelsLocked
    /// UK/EU: the lower wheel locked, so its effort is not an imbalance defect.
    case lowerWheelLocked
    /// UK/EU: below half of the requirement.
    case belowHalfRequirement
    case plateValue
    case firstReadingWithin60Percent
    case meanOfFirstThree
    /// Mean of readings `start`…`start+2` (1-based).
    case meanOfThree(start: Int)
    case lowestMeanOfThree(start: Int)
    /// CN free acceleration: mean of the last three of `count` measured readings.
    case lastThreeOf(Int)
    case singleWheelAxle
    case notJudgedForVehicle
    case notInRuleset
    case exemptFromParking
    /// A plain reason, English and Chinese.
    case reason(en: String, zh: String)
}
