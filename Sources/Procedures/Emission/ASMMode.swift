/// One steady-state mode of the acceleration simulation mode test (ASM, GB 18285-2018): the
/// vehicle is held at a road speed on the chassis dynamometer while the dynamometer absorbs a set
/// power, and the gases are averaged over a sampling window.
public struct ASMMode: Hashable, Sendable, Codable {
    /// `5025` or `2540`: the prefix of the figures (`asm5025_co_pct` …) and of the rule items.
    public var name: String
    /// Road speed on the rollers, km/h (ASM5025: 25, ASM2540: 40).
    public var speedKmh: Double
    /// Half-width of the speed window, km/h.
    public var speedToleranceKmh: Double
    /// Power the dynamometer absorbs (the set point written to the rig), kW.
    public var loadKW: Double
    /// Half-width of the load window, percent of `loadKW`.
    public var loadTolerancePercent: Double

    public init(name: String, speedKmh: Double, speedToleranceKmh: Double = 2, loadKW: Double, loadTolerancePercent: Double = 5) {
        self.name = name
        self.speedKmh = speedKmh
        self.speedToleranceKmh = speedToleranceKmh
        self.loadKW = loadKW
        self.loadTolerancePercent = loadTolerancePercent
    }

    /// Whether a dynamometer reading lies inside this mode's speed and load windows.
    public func contains(speedKmh speed: Double, loadKW load: Double) -> Bool {
        abs(speed - speedKmh) <= speedToleranceKmh + 1e-9
            && abs(load - loadKW) <= loadKW * loadTolerancePercent / 100 + 1e-9
    }

    /// The vehicle's reference mass: curb mass + 100 kg (GB 18352 / GB 18285 convention, recalled).
    public static func referenceMassKg(curbMassKg: Double) -> Double { curbMassKg + 100 }

    /// ASM5025: 25 km/h, the dynamometer absorbing RM / 148 kW (50 % of the power needed to
    /// accelerate the vehicle at 1.475 m/s² at 25 km/h; the divisor is recalled, not verified).
    public static func asm5025(referenceMassKg: Double) -> ASMMode {
        ASMMode(name: "5025", speedKmh: 25, loadKW: referenceMassKg / 148)
    }

    /// ASM2540: 40 km/h, RM / 185 kW (25 % of that power; recalled, not verified).
    public static func asm2540(referenceMassKg: Double) -> ASMMode {
        ASMMode(name: "2540", speedKmh: 40, loadKW: referenceMassKg / 185)
    }
}
