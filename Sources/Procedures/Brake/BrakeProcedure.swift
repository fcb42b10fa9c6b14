public import LaneCore

/// The roller brake station as a pure state machine: it takes samples and acknowledgements and
/// returns actions (rig commands, prompts, measurements). No clock: every time-out is judged on the
/// time of the samples.
///
/// Per axle: wait for the axle on the rollers, weigh it (stable reading), start the rollers,
/// measure drag with the pedal released, prompt the driver to brake, follow the rise to the peaks,
/// stop the rollers the moment a wheel slips (the stop command comes back in the same step as the
/// slip sample), prompt release; then the next axle, and finally the parking brake on its axle.
/// The vehicle leaving the rollers, a rig fault or a time-out aborts the run with the rollers
/// stopped and a prompt to repeat it.
public struct BrakeProcedure: Sendable {
    public let rig: RigID
    public let configuration: BrakeConfiguration
    let channels: BrakeChannels
    let ranges: RangeGuard
    var prompts: PromptIssuer
    var sequence = SequenceTracker()
    let plan: [(kind: BrakeRunMeasurement.Kind, axle: Int)]
    var runIndex = 0
    var phase = Phase.notStarted
    var run = RunState()
    var loads: [Int: (left: Double, right: Double)] = [:]
    var deadline = MonotonicInstant(nanoseconds: .max)
    var nonGood = 0
    var rollersCommanded = false

    enum Phase: Sendable, Equatable {
        case notStarted
        /// Waiting for the axle; `confirm` when the driver must acknowledge, `sawEmpty` once the
        /// rollers were seen empty (the next axle arriving is then detected too).
        case awaitingAxle(confirm: Bool, sawEmpty: Bool)
        case weighing
        case spinningUp
        case drag
        case braking
        case releasing
        case awaitingRepeat
        case finished
    }

    struct RunState: Sendable {
        var quality = DataQuality()
        var started = MonotonicInstant(nanoseconds: 0)
        var windowStart: MonotonicInstant?
        var windowMin = 0.0, windowMax = 0.0, sumLeft = 0.0, sumRight = 0.0, count = 0
        var loadLeft = 0.0, loadRight = 0.0
        var dragStart = MonotonicInstant(nanoseconds: 0)
        var dragLeft = 0.0, dragRight = 0.0
        var atSpeed = MonotonicInstant(nanoseconds: 0)
        var curve = ForceCurve()
        var peakLeft = 0.0, peakRight = 0.0, peakLeftIndex = 0, peakRightIndex = 0
        var maxSum = 0.0
        var braking = false
        var lockedLeft = false, lockedRight = false
        var stopSent = false
    }

    /// - Throws: ``ProcedureSetupError`` when the map lacks a channel or command the station needs.
    public init(rig: RigID, map: RegisterMap, configuration: BrakeConfiguration) throws(ProcedureSetupError) {
        self.rig = rig
        self.configuration = configuration
        channels = try BrakeChannels(map: map, rig: rig)
        ranges = RangeGuard(
            map: map,
            channels: [
                channels.forceLeft, channels.forceRight, channels.slipLeftPct, channels.slipRightPct, channels.loadLeft,
                channels.loadRight, channels.rollerState, channels.pedal,
            ])
        prompts = PromptIssuer(station: .brake, rig: rig)
        var plan: [(kind: BrakeRunMeasurement.Kind, axle: Int)] = (1...configuration.axles).map { (.service, $0) }
        if let parking = configuration.parkingAxle, (1...configuration.axles).contains(parking) {
            plan.append((.parking, parking))
        }
        self.plan = plan
    }

    /// True once every run is measured.
    public var isFinished: Bool { phase == .finished }

    /// The run in progress, e.g. `axle 2 service brake`.
    public var currentStep: String {
        guard runIndex < plan.count else { return "done" }
        return "axle \(plan[runIndex].axle) \(plan[runIndex].kind == .service ? "service" : "parking") brake"
    }

    /// Starts the station at `time` (the vehicle is called to the rollers).
    public mutating func begin(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        guard phase == .notStarted else { return }
        startRun(0, at: time, into: &actions)
    }

    /// The operator abandons the station: the rollers are stopped if they may be running.
    public mutating func cancel(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        if rollersCommanded || phase == .releasing { stopRollers(into: &actions) }
        phase = .finished
    }

    /// A driver acknowledgement.
    public mutating func acknowledge(_ ack: PromptAcknowledgement, into actions: inout [ProcedureAction]) {
        guard prompts.accept(ack) else { return }
        switch phase {
        case .awaitingAxle, .awaitingRepeat: proceed(at: ack.time, into: &actions)
        default: break
        }
    }

    /// One sample of this station's rig.
    public mutating func handle(_ sample: Sample, into actions: inout [ProcedureAction]) {
        let lost = sequence.lost(before: sample)
        let measuring = phase == .weighing || phase == .spinningUp || phase == .drag || phase == .braking
        let quality = ranges.quality(of: sample)
        if measuring { run.quality.record(sample, lost: lost, quality: quality) }
        let time = sample.time
        if time > deadline, phase != .finished, phase != .notStarted, phase != .awaitingRepeat {
            timedOut(at: time, into: &actions)
            return
        }
        guard quality == .good else {
            nonGood += 1
            if nonGood >= configuration.faultSamples, measuring || phase == .releasing {
                abort(
                    zh: "制动台无有效数据（\(quality.rawValue)）", en: "the brake tester gives no valid data (\(quality.rawValue))",
                    at: time, into: &actions)
            }
            return
        }
        nonGood = 0
        let v = sample.values
        let onRollers = v[channels.onRollers] >= 0.5
        if phase == .spinningUp || phase == .drag || phase == .braking {
            if !onRollers {
                abort(zh: "车辆驶离滚筒", en: "the vehicle left the rollers", at: time, into: &actions)
                return
            }
            let fault = UInt16(truncatingIfNeeded: Int(v[channels.faultWord]))
            if fault & 0b101 != 0 {
                abort(
                    zh: fault & 1 != 0 ? "制动台拒绝启动" : "制动力超出量程", en: fault & 1 != 0 ? "the tester refused to start the rollers" : "brake force over range",
                    at: time, into: &actions)
                return
            }
        }
        switch phase {
        case .notStarted, .finished, .awaitingRepeat:
            break
        case .awaitingAxle(let confirm, let sawEmpty):
            if !confirm, onRollers {
                proceed(at: time, into: &actions)
            } else if confirm {
                if !onRollers {
                    phase = .awaitingAxle(confirm: true, sawEmpty: true)
                } else if sawEmpty {
                    _ = prompts.accept(PromptAcknowledgement(prompt: prompts.awaiting ?? PromptID(""), time: time))
                    proceed(at: time, into: &actions)
                }
            }
        case .weighing:
            weigh(v, at: time, onRollers: onRollers, into: &actions)
        case .spinningUp:
            if v[channels.rollerState] == 2 {
                run.atSpeed = time
                run.dragStart = time + configuration.dragSettle
                run.count = 0
                run.sumLeft = 0
                run.sumRight = 0
                phase = .drag
                deadline = run.dragStart + configuration.dragWindow + configuration.spinUpTimeout
                appendPoint(v, at: time)
            }
        case .drag:
            measureDrag(v, at: time, into: &actions)
        case .braking:
            brake(v, at: time, into: &actions)
        case .releasing:
            if v[channels.rollerState] == 0, v[channels.pedal] < configuration.pedalReleased {
                nextRun(at: time, into: &actions)
            }
        }
    }
}
