public import LaneCore

/// How the headlamp station runs a vehicle.
public struct HeadlampConfiguration: Hashable, Sendable, Codable {
    /// Lamps to measure, in order.
    public var sides: [HeadlampMeasurement.Side] = [.left, .right]
    /// A reading is stable when it stays within the tolerances for this long (and ≥ 3 samples).
    public var stableWindow: Duration = .milliseconds(300)
    public var intensityTolerancePercent = 1.0
    public var verticalTolerance = 0.005
    public var horizontalToleranceMm = 5.0
    /// Time allowed from the measure command to a stable reading.
    public var measureTimeout: Duration = .seconds(20)
    /// Time allowed for the driver to switch the beam and confirm.
    public var driverTimeout: Duration = .seconds(300)
    /// Consecutive samples that are not good before the lamp is aborted as a rig fault.
    public var faultSamples = 3

    public init() {}
}

/// The headlamp station as a pure state machine: per lamp, prompt low beam, measure it until the
/// reading is stable, prompt high beam, measure it; intensity and aim per lamp.
public struct HeadlampProcedure: Sendable {
    enum Beam: Int, Sendable { case low = 0, high = 1 }

    struct BeamChannels: Sendable {
        let intensity, vertical, horizontal, ready: Int
    }

    enum Phase: Sendable, Equatable {
        case notStarted
        case awaitingDriver
        case measuring
        case awaitingRepeat
        case finished
    }

    public let rig: RigID
    public let configuration: HeadlampConfiguration
    let beams: [HeadlampMeasurement.Side: [BeamChannels]]
    let centreHeight: [HeadlampMeasurement.Side: Int]
    let measuringChannel: Int
    let faultWord: Int
    let ranges: RangeGuard
    var prompts: PromptIssuer
    var sequence = SequenceTracker()
    var phase = Phase.notStarted
    var lampIndex = 0
    var beam = Beam.low
    var deadline = MonotonicInstant(nanoseconds: .max)
    var nonGood = 0
    var sawBusy = false
    var quality = DataQuality()
    var window: (start: MonotonicInstant, first: (Double, Double, Double), count: Int)?
    var low: (Double, Double, Double) = (0, 0, 0)

    /// - Throws: ``ProcedureSetupError`` when the map lacks a channel or command the station needs.
    public init(rig: RigID, map: RegisterMap, configuration: HeadlampConfiguration = .init()) throws(ProcedureSetupError) {
        self.rig = rig
        self.configuration = configuration
        var beams: [HeadlampMeasurement.Side: [BeamChannels]] = [:]
        var heights: [HeadlampMeasurement.Side: Int] = [:]
        for side in HeadlampMeasurement.Side.allCases {
            var list: [BeamChannels] = []
            for beam in ["low", "high"] {
                let prefix = "\(side.rawValue)_\(beam)"
                list.append(
                    BeamChannels(
                        intensity: try map.requireChannel(prefix + "_intensity", rig: rig),
                        vertical: try map.requireChannel(prefix + "_vertical_h", rig: rig),
                        horizontal: try map.requireChannel(prefix + "_horizontal_mm", rig: rig),
                        ready: try map.requireChannel(prefix + "_ready", rig: rig)))
            }
            beams[side] = list
            heights[side] = try map.requireChannel("\(side.rawValue)_centre_height_mm", rig: rig)
            try map.requireCommand("measure_\(side.rawValue)", rig: rig)
        }
        try map.requireCommand("beam_select", rig: rig)
        self.beams = beams
        centreHeight = heights
        measuringChannel = try map.requireChannel("measuring", rig: rig)
        faultWord = try map.requireChannel("fault_word", rig: rig)
        ranges = RangeGuard(
            map: map,
            channels: beams.values.flatMap { $0.flatMap { [$0.intensity, $0.vertical, $0.horizontal] } } + heights.values)
        prompts = PromptIssuer(station: .headlamp, rig: rig)
    }

    public var isFinished: Bool { phase == .finished }

    var side: HeadlampMeasurement.Side { configuration.sides[lampIndex] }

    /// Starts the station at `time`.
    public mutating func begin(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        guard phase == .notStarted else { return }
        if configuration.sides.isEmpty {
            phase = .finished
            actions.append(.finished(.headlamp))
            return
        }
        askForBeam(.low, at: time, into: &actions)
    }

    /// The operator abandons the station.
    public mutating func cancel(at time: MonotonicInstant, into actions: inout [ProcedureAction]) { phase = .finished }

    public mutating func acknowledge(_ ack: PromptAcknowledgement, into actions: inout [ProcedureAction]) {
        guard prompts.accept(ack) else { return }
        switch phase {
        case .awaitingDriver: startMeasuring(at: ack.time, into: &actions)
        case .awaitingRepeat: askForBeam(.low, at: ack.time, into: &actions)
        default: break
        }
    }

    public mutating func handle(_ sample: Sample, into actions: inout [ProcedureAction]) {
        let lost = sequence.lost(before: sample)
        guard phase == .measuring || phase == .awaitingDriver else { return }
        let sampleQuality = ranges.quality(of: sample)
        if phase == .measuring { quality.record(sample, lost: lost, quality: sampleQuality) }
        if sample.time > deadline {
            abort(zh: "超时：未得到稳定读数", en: "timed out: no stable reading", at: sample.time, into: &actions)
            return
        }
        guard phase == .measuring else { return }
        guard sampleQuality == .good else {
            nonGood += 1
            if nonGood >= configuration.faultSamples {
                abort(
                    zh: "灯光仪无有效数据（\(sampleQuality.rawValue)）", en: "the headlamp tester gives no valid data (\(sampleQuality.rawValue))",
                    at: sample.time, into: &actions)
            }
            return
        }
        nonGood = 0
        let v = sample.values
        if UInt16(truncatingIfNeeded: Int(v[faultWord])) & 1 != 0 {
            abort(zh: "未找到前照灯", en: "the tester found no lamp", at: sample.time, into: &actions)
            return
        }
        let ch = beams[side]![beam.rawValue]
        if !sawBusy {
            // The reading counts only after the tester took the command (busy, or the old result cleared).
            if v[measuringChannel] >= 0.5 || v[ch.ready] < 0.5 { sawBusy = true } else { return }
        }
        guard v[ch.ready] >= 0.5 else {
            window = nil
            return
        }
        let reading = (v[ch.intensity], v[ch.vertical], v[ch.horizontal])
        if let current = window, withinTolerance(current.first, reading) {
            window!.count += 1
            if sample.time.since(current.start) >= configuration.stableWindow, window!.count >= 3 {
                beamMeasured(reading, height: v[centreHeight[side]!], at: sample.time, into: &actions)
            }
        } else {
            window = (sample.time, reading, 1)
        }
    }

    func withinTolerance(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Bool {
        abs(a.0 - b.0) <= max(a.0, 1) * configuration.intensityTolerancePercent / 100
            && abs(a.1 - b.1) <= configuration.verticalTolerance && abs(a.2 - b.2) <= configuration.horizontalToleranceMm
    }

    mutating func askForBeam(_ beam: Beam, at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        self.beam = beam
        if beam == .low { quality = DataQuality() }
        let zhSide = side == .left ? "左" : "右"
        _ = prompts.issue(
            beam == .low ? "请开启近光灯（检测\(zhSide)灯），完成后确认" : "请切换到远光灯（检测\(zhSide)灯），完成后确认",
            beam == .low ? "Switch on the low beam (\(side.rawValue) lamp) and confirm" : "Switch to high beam (\(side.rawValue) lamp) and confirm",
            expects: .confirm, at: time, into: &actions)
        phase = .awaitingDriver
        deadline = time + configuration.driverTimeout
    }

    mutating func startMeasuring(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        actions.append(.command(RigCommand(rig: rig, name: "beam_select", value: Double(beam.rawValue))))
        actions.append(.command(RigCommand(rig: rig, name: "measure_\(side.rawValue)", value: 1)))
        phase = .measuring
        deadline = time + configuration.measureTimeout
        sawBusy = false
        window = nil
        nonGood = 0
    }

    mutating func beamMeasured(
        _ reading: (Double, Double, Double), height: Double, at time: MonotonicInstant, into actions: inout [ProcedureAction]
    ) {
        if beam == .low {
            low = reading
            askForBeam(.high, at: time, into: &actions)
            return
        }
        actions.append(
            .measured(
                .headlamp(
                    HeadlampMeasurement(
                        side: side, lowIntensityCd: low.0, lowVerticalH: low.1, lowHorizontalMm: low.2,
                        highIntensityCd: reading.0, highVerticalH: reading.1, highHorizontalMm: reading.2,
                        centreHeightMm: height, quality: quality, ended: time))))
        if lampIndex + 1 < configuration.sides.count {
            lampIndex += 1
            askForBeam(.low, at: time, into: &actions)
        } else {
            phase = .finished
            deadline = MonotonicInstant(nanoseconds: .max)
            actions.append(.finished(.headlamp))
        }
    }

    mutating func abort(zh: String, en: String, at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        let step = "\(side.rawValue) headlamp"
        let prompt = prompts.issue(
            "\(side == .left ? "左" : "右")前照灯检测中止：\(zh)。请处理后确认重新检测", "\(step) aborted: \(en). Put it right and confirm to repeat",
            expects: .confirm, at: time, into: &actions)
        actions.append(
            .aborted(
                StepAbort(
                    station: .headlamp, rig: rig, step: step, reason: LocalizedText(zh: zh, en: en), time: time,
                    repeatPrompt: prompt)))
        phase = .awaitingRepeat
        deadline = MonotonicInstant(nanoseconds: .max)
    }
}
