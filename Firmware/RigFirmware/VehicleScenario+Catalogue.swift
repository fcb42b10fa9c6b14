extension VehicleScenario {
    /// Names of the built-in scenarios, for the control channel, profiles and docs.
    public static let names = catalogue.map(\.name)

    /// The built-in scenario with this name, or nil.
    public static func named(_ name: String) -> VehicleScenario? { catalogue.first { $0.name == name } }

    /// Every built-in scenario. Figures are chosen so that `sound_car` passes GB 7258 and each other
    /// scenario fails exactly the item its name says (see docs/simulated-rigs.md for the arithmetic).
    public static let catalogue: [VehicleScenario] = [
        none, soundCar, weakRearBrake, pullingFrontAxle, dimLamp, misaimedLamp, richMixture, smokyDiesel,
    ]

    /// No vehicle at the rigs.
    public static let none = VehicleScenario(name: "none", axles: [], lamps: nil, engine: nil)

    /// A 1400 kg passenger car in good order. Front wheels reach their grip (0.7 × 400 daN = 280 daN)
    /// and slip; rear wheels reach 180 daN each. Vehicle brake rate (2 × 280 + 2 × 180) / 1400 = 66 %.
    public static let soundCar = VehicleScenario(
        name: "sound_car",
        axles: [
            Axle(loadLeft: 400, loadRight: 400, capacityLeft: 330, capacityRight: 325, dragLeft: 8, dragRight: 7),
            Axle(loadLeft: 300, loadRight: 300, capacityLeft: 180, capacityRight: 176, dragLeft: 6, dragRight: 5),
        ],
        lamps: LampPair(left: soundLamp, right: soundLamp),
        engine: soundGasoline)

    /// Rear brakes reach 60 and 45 daN: vehicle rate (560 + 105) / 1400 = 47.5 % < 60 %.
    public static let weakRearBrake = soundCar.with(name: "weak_rear_brake") {
        $0.axles[1].capacityLeft = 60
        $0.axles[1].capacityRight = 45
    }

    /// The right front brake reaches only 190 daN and lags: imbalance over the rise about 40 % > 20 %.
    public static let pullingFrontAxle = soundCar.with(name: "pulling_front_axle") {
        $0.axles[0].capacityRight = 190
        $0.axles[0].rightLag = 0.3
    }

    /// The right high beam gives 9 500 cd (< 15 000 cd in use, 18 000 cd new, two-lamp system).
    public static let dimLamp = soundCar.with(name: "dim_lamp") { $0.lamps?.right.high.intensity = 9_500 }

    /// The left low beam cut-off sits at 0.96 H (limit 0.70 … 0.90 H) and 420 mm to the right (limit 350 mm).
    public static let misaimedLamp = soundCar.with(name: "misaimed_lamp") {
        $0.lamps?.left.low.verticalH = 0.96
        $0.lamps?.left.low.horizontalMm = 420
    }

    /// Idle CO 2.8 %, HC 380 ppm, λ ≈ 0.92: fails two-speed idle limits (CO 0.6 %, HC 80 ppm, λ 0.97…1.03, limit set a).
    public static let richMixture = soundCar.with(name: "rich_mixture") {
        $0.engine?.idleGas = Gas(co: 2.8, co2: 12.8, hc: 380, no: 40, o2: 0.3)
        $0.engine?.highGas = Gas(co: 2.2, co2: 13.1, hc: 260, no: 60, o2: 0.3)
    }

    /// A diesel van whose free accelerations peak at k = 3.2 m⁻¹ (limit 1.2 m⁻¹, set a).
    public static let smokyDiesel = soundCar.with(name: "smoky_diesel") {
        $0.engine = Engine(
            fuel: .diesel, idleRPM: 800, highRPM: 4_400,
            idleGas: Gas(co: 0.03, co2: 2.5, hc: 15, no: 250, o2: 17.5),
            highGas: Gas(co: 0.08, co2: 7.0, hc: 30, no: 600, o2: 11.0),
            baseOpacity: 0.15, peakOpacity: 3.2, oilStart: 84, script: .freeAcceleration)
    }

    static let soundLamp = Lamp(
        centreHeight: 700,
        low: Beam(intensity: 850, verticalH: 0.80, horizontalMm: -30),
        high: Beam(intensity: 22_000, verticalH: 0.90, horizontalMm: 20))

    static let soundGasoline = Engine(
        fuel: .gasoline, idleRPM: 750, highRPM: 2_500,
        idleGas: Gas(co: 0.10, co2: 14.6, hc: 40, no: 60, o2: 0.4),
        highGas: Gas(co: 0.05, co2: 14.9, hc: 25, no: 80, o2: 0.3),
        oilStart: 82, script: .twoSpeedIdle)

    /// A copy with another name and some changes.
    public func with(name: String, _ change: (inout VehicleScenario) -> Void) -> VehicleScenario {
        var copy = self
        copy.name = name
        change(&copy)
        return copy
    }
}
