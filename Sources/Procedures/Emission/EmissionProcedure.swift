public import LaneCore

/// The emission station as a pure state machine: analyser warm-up, zero and leak check, oil
/// temperature check, then gasoline two-speed idle (high idle 2500 ± 200 rpm averaged over 30 s,
/// then idle) or diesel free acceleration (purges, then measured accelerations, each one's peak
/// opacity), or on a lane with a chassis dynamometer the ASM test (ASM5025 then ASM2540: hold
/// each mode's speed and load windows, then average the gases over the sampling window).
public struct EmissionProcedure: Sendable {
    enum Phase: Sendable, Equatable {
        case notStarted, warmingUp, zeroing, leakCheck, oilCheck, awaitingProbe
        case highIdleStabilise, highIdleMeasure, idleStabilise, idleMeasure
        case idleBaseline, awaitingAcceleration, accelerating
        case asmStabilise, asmMeasure
        case awaitingRepeat, finished
    }

    struct Window: Sendable {
        var start: MonotonicInstant?
        var co = 0.0, hc = 0.0, lambda = 0.0, rpm = 0.0, count = 0
        mutating func add(_ v: [Double], _ ch: EmissionChannels) {
            co += v[ch.co]
            hc += v[ch.hc]
            lambda += v[ch.lambda]
            rpm += v[ch.rpm]
            count += 1
        }
    }

    public let rig: RigID
    public let configuration: EmissionConfiguration
    let channels: EmissionChannels
    /// The dynamometer and NO channels (ASM only).
    let asmChannels: ASMChannels?
    let ranges: RangeGuard
    var prompts: PromptIssuer
    var sequence = SequenceTracker()
    var phase = Phase.notStarted
    var deadline = MonotonicInstant(nanoseconds: .max)
    var sawBusy = false
    var promptedWait = false
    var nonGood = 0
    var samplingCommanded = false
    /// Whether a non-zero dynamometer load was written and not yet set back to 0.
    var dynamometerLoaded = false
    var quality = DataQuality()
    var window = Window()
    var figures: [String: Double] = [:]
    var oilAtStart = 0.0
    var idleRPM = 0.0
    var peaks: [Double] = []
    var peak = 0.0
    var asmMode = 0
    var asmWindow = ASMWindow()

    /// - Throws: ``ProcedureSetupError`` when the map lacks a channel or command the station needs.
    public init(rig: RigID, map: RegisterMap, configuration: EmissionConfiguration) throws(ProcedureSetupError) {
        self.rig = rig
        self.configuration = configuration
        channels = try EmissionChannels(map: map, rig: rig)
        var used: [Int]
        switch configuration.method {
        case .twoSpeedIdle: used = [channels.co, channels.hc, channels.lambda, channels.rpm, channels.oil]
        case .freeAcceleration: used = [channels.rpm, channels.opacity, channels.oil]
        case .asm: used = [channels.co, channels.hc, channels.oil]
        }
        if configuration.method == .asm {
            guard let asm = configuration.asm, !asm.modes.isEmpty else {
                throw ProcedureSetupError(
                    rig: rig, model: map.model, missing: "ASM modes in the configuration (the vehicle's reference mass sets the dynamometer load)")
            }
            let dyno = try ASMChannels(map: map, rig: rig)
            asmChannels = dyno
            used += [dyno.no, dyno.speed, dyno.load]
        } else {
            asmChannels = nil
        }
        ranges = RangeGuard(map: map, channels: used)
        prompts = PromptIssuer(station: .emission, rig: rig)
    }

    public var isFinished: Bool { phase == .finished }

    var totalAccelerations: Int { configuration.purgeAccelerations + configuration.measuredAccelerations }

    public mutating func begin(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        guard phase == .notStarted else { return }
        enter(.warmingUp, at: time, timeout: configuration.warmUpTimeout)
    }

    /// The operator abandons the station: the sample pump is stopped.
    public mutating func cancel(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        if samplingCommanded { command("sampling", 0, into: &actions) }
        unloadDynamometer(into: &actions)
        phase = .finished
    }

    public mutating func acknowledge(_ ack: PromptAcknowledgement, into actions: inout [ProcedureAction]) {
        guard prompts.accept(ack) else { return }
        switch phase {
        case .awaitingProbe:
            command("sampling", 1, into: &actions)
            quality = DataQuality()
            figures = [:]
            peaks = []
            if configuration.method == .asm {
                startASMMode(0, at: ack.time, into: &actions)
            } else if configuration.method == .twoSpeedIdle {
                _ = prompts.issue(
                    "请加速至70%额定转速运转30秒，然后保持高怠速2500转/分", "Run at 70 % of rated speed for 30 s, then hold high idle at 2500 rpm",
                    at: ack.time, into: &actions)
                enter(.highIdleStabilise, at: ack.time, timeout: configuration.phaseTimeout)
            } else {
                _ = prompts.issue("请保持怠速", "Keep the engine idling", at: ack.time, into: &actions)
                enter(.idleBaseline, at: ack.time, timeout: configuration.phaseTimeout)
            }
        case .awaitingRepeat:
            enter(.warmingUp, at: ack.time, timeout: configuration.warmUpTimeout)
        default:
            break
        }
    }

    mutating func enter(_ phase: Phase, at time: MonotonicInstant, timeout: Duration) {
        self.phase = phase
        deadline = time + timeout
        sawBusy = false
        promptedWait = false
        window = Window()
    }

    mutating func command(_ name: String, _ value: Double, into actions: inout [ProcedureAction]) {
        actions.append(.command(RigCommand(rig: rig, name: name, value: value)))
        if name == "sampling" { samplingCommanded = value != 0 }
        if name == ASMChannels.setpoint { dynamometerLoaded = value != 0 }
    }

    /// True while the samples feed a figure: the averaging windows, the idle baseline and the
    /// accelerations. (Preconditioning and stabilisation samples are not behind any figure.)
    var measuringWindow: Bool {
        switch phase {
        case .highIdleMeasure, .idleMeasure, .idleBaseline, .awaitingAcceleration, .accelerating, .asmMeasure: true
        default: false
        }
    }

    public mutating func handle(_ sample: Sample, into actions: inout [ProcedureAction]) {
        let lost = sequence.lost(before: sample)
        let sampleQuality = ranges.quality(of: sample)
        if measuringWindow { quality.record(sample, lost: lost, quality: sampleQuality) }
        let time = sample.time
        switch phase {
        case .notStarted, .finished, .awaitingRepeat: return
        default: break
        }
        if time > deadline {
            abort(zh: "超时（\(phase)）", en: "timed out (\(phase))", at: time, into: &actions)
            return
        }
        guard sampleQuality == .good else {
            nonGood += 1
            if nonGood >= configuration.faultSamples, phase != .awaitingProbe {
                abort(
                    zh: "分析仪无有效数据（\(sampleQuality.rawValue)）", en: "the analyser gives no valid data (\(sampleQuality.rawValue))",
                    at: time, into: &actions)
            }
            return
        }
        nonGood = 0
        step(sample.values, at: time, into: &actions)
    }
}
