/// A headlamp tester (LC-HL200 map): "measure left/right lamp" finds the lamp, measures the selected
/// beam (or low then high) while the reading settles with noise, then latches the result and raises
/// the beam's ready flag; the command coil clears itself when the lamp is done.
public struct HeadlampTesterModel: RigModel {
    public struct Settings: Sendable {
        public var settle = 2.5
        public var intensityNoisePercent = 1.0
        public var aimNoiseH = 0.004
        public var aimNoiseMm = 6.0

        public init() {}

        public init(_ settings: [String: Double]) {
            settle = settings["settle_seconds"] ?? settle
            intensityNoisePercent = settings["intensity_noise_percent"] ?? intensityNoisePercent
            aimNoiseH = settings["aim_noise_h"] ?? aimNoiseH
            aimNoiseMm = settings["aim_noise_mm"] ?? aimNoiseMm
        }
    }

    public enum Side: String, Sendable, CaseIterable { case left, right }
    public enum BeamKind: String, Sendable, CaseIterable { case low, high }

    public enum Fault {
        public static let noLamp: UInt16 = 1 << 0
        public static let busy: UInt16 = 1 << 1
    }

    public let settings: Settings
    private var random: SeededRandom
    private var now = 0.0
    public private(set) var scenario: VehicleScenario = .none
    /// 0 low, 1 high, 2 low then high.
    public private(set) var beamSelect = 0
    private var measuring: (side: Side, beams: [BeamKind], started: Double)?
    /// Latched results by "left_low" etc.
    private var results: [String: VehicleScenario.Beam] = [:]
    private var centreHeights: [Side: Double] = [:]
    private var faultWord: UInt16 = 0

    public init(settings: Settings = Settings(), seed: UInt64 = 1) {
        self.settings = settings
        self.random = SeededRandom(seed: seed)
    }

    public mutating func load(_ scenario: VehicleScenario) {
        self.scenario = scenario
        results = [:]
        centreHeights = [:]
        measuring = nil
        faultWord = 0
    }

    public mutating func apply(command name: String, value: Double) {
        switch name {
        case "beam_select":
            beamSelect = min(max(Int(value.rounded()), 0), 2)
        case "measure_left" where value != 0, "measure_right" where value != 0:
            let side: Side = name == "measure_left" ? .left : .right
            guard measuring == nil else {
                faultWord |= Fault.busy
                return
            }
            guard lamp(side) != nil else {
                faultWord |= Fault.noLamp
                return
            }
            faultWord = 0
            let beams: [BeamKind] = beamSelect == 0 ? [.low] : beamSelect == 1 ? [.high] : [.low, .high]
            for beam in beams { results["\(side.rawValue)_\(beam.rawValue)"] = nil }
            measuring = (side, beams, now)
        default:
            break
        }
    }

    public var commandStates: [String: Double] {
        [
            "measure_left": measuring?.side == .left ? 1 : 0, "measure_right": measuring?.side == .right ? 1 : 0,
            "beam_select": Double(beamSelect),
        ]
    }

    private func lamp(_ side: Side) -> VehicleScenario.Lamp? {
        scenario.lamps.map { side == .left ? $0.left : $0.right }
    }

    public mutating func advance(to time: Duration) {
        let t = time.secondsValue
        guard t > now else { return }
        now = t
        // Finish every beam whose settle time has passed (possibly several after a long gap).
        while let current = measuring, let lamp = lamp(current.side), now - current.started >= settings.settle {
            centreHeights[current.side] = lamp.centreHeight
            let beam = current.beams[0]
            results["\(current.side.rawValue)_\(beam.rawValue)"] = noisy(beam == .low ? lamp.low : lamp.high, amplitude: 1)
            let rest = Array(current.beams.dropFirst())
            measuring = rest.isEmpty ? nil : (current.side, rest, current.started + settings.settle)
        }
        if let current = measuring, lamp(current.side) == nil { measuring = nil }
    }

    private mutating func noisy(_ beam: VehicleScenario.Beam, amplitude: Double) -> VehicleScenario.Beam {
        VehicleScenario.Beam(
            intensity: max(0, beam.intensity * (1 + amplitude * random.gaussian(sigma: settings.intensityNoisePercent / 100))),
            verticalH: beam.verticalH + amplitude * random.gaussian(sigma: settings.aimNoiseH),
            horizontalMm: beam.horizontalMm + amplitude * random.gaussian(sigma: settings.aimNoiseMm))
    }

    public mutating func readings() -> [String: Double] {
        var values: [String: Double] = [:]
        for side in Side.allCases {
            for beam in BeamKind.allCases {
                let key = "\(side.rawValue)_\(beam.rawValue)"
                var shown = results[key]
                // The beam under measurement shows live readings whose noise shrinks as the head settles.
                if let current = measuring, current.side == side, current.beams.first == beam, let lamp = lamp(side) {
                    let progress = min(1, (now - current.started) / settings.settle)
                    shown = noisy(beam == .low ? lamp.low : lamp.high, amplitude: 1 + 6 * (1 - progress))
                }
                values["\(key)_intensity"] = shown?.intensity ?? 0
                values["\(key)_vertical_h"] = shown?.verticalH ?? 0
                values["\(key)_horizontal_mm"] = shown?.horizontalMm ?? 0
                values["\(key)_ready"] = results[key] != nil ? 1 : 0
            }
            let height = centreHeights[side] ?? (measuring?.side == side ? lamp(side)?.centreHeight : nil)
            values["\(side.rawValue)_centre_height_mm"] = height ?? 0
        }
        values["measuring"] = measuring != nil ? 1 : 0
        values["vehicle_present"] = scenario.lamps != nil ? 1 : 0
        values["beam_selected"] = Double(beamSelect)
        values["fault_word"] = Double(faultWord)
        values["heartbeat"] = Double(UInt32(truncatingIfNeeded: Int64(now * 1000)))
        return values
    }
}
