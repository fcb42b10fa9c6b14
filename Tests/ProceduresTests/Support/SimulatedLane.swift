import InspectionRules
import LaneCore
import LaneTesting
import Procedures
import RigFirmware

/// Drives an ``InspectionPipeline`` with samples from the RigFirmware physics models, stepped by
/// hand (no sockets, no clock), and plays the valet driver: it acknowledges prompts the way a
/// driver would (after driving the next axle on, after switching the beam).
struct SimulatedLane {
    var pipeline: InspectionPipeline
    var scenario: VehicleScenario
    var brakeModel: BrakeTesterModel
    var lampModel: HeadlampTesterModel
    var exhaustModel: ExhaustAnalyserModel
    /// Brake, headlamp and emission rig, in that order (``poll(_:)`` reads the matching model).
    var rigs: [FirmwareSampler]
    var now: Duration = .zero
    let origin: UInt64 = 5_000_000_000
    /// Every input fed to the pipeline, in order (a recording).
    var inputs: [PipelineInput] = []
    var events: [PipelineEvent] = []
    var pendingAcks: [(prompt: Prompt, due: Duration?)] = []
    /// Whether the driver confirms "repeat" prompts after an abort.
    var repeatAborts = false
    /// Samples of `rig` from this time on come back with this quality (a rig fault).
    var fault: (rig: RigID, from: Duration, quality: SampleQuality)?
    /// Samples of `rig` at these sequence numbers are marked late / dropped.
    var lateSequences: [RigID: Set<UInt64>] = [:]
    var droppedSequences: [RigID: Set<UInt64>] = [:]
    /// Time of each stop-rollers command, and of the slip sample it answered.
    var rollerStops: [(command: Duration, slipSeen: Bool)] = []
    /// What the last brake sample showed (the harness never reads the models outside a poll: a
    /// reading draws noise and would change the simulation).
    var lastBrakeSlip = false
    var lastOnRollers = false

    init(pipeline: InspectionPipeline, scenario: VehicleScenario, dieselAccelerations: Int = 6) {
        self.pipeline = pipeline
        self.scenario = scenario
        brakeModel = BrakeTesterModel(settings: .init(Fixtures.brakeMap.settings), seed: 13)
        lampModel = HeadlampTesterModel(settings: .init(Fixtures.headlampMap.settings), seed: 12)
        exhaustModel = ExhaustAnalyserModel(settings: .init(Fixtures.exhaustMap.settings), seed: 11)
        brakeModel.load(scenario)
        lampModel.load(scenario)
        exhaustModel.load(scenario)
        if scenario.engine?.fuel == .diesel {
            // Three purges and three measured accelerations, with the script's timing.
            exhaustModel.script = EngineScript(
                name: "free_acceleration_6",
                segments: [.init(seconds: 6, throttle: 0)]
                    + Array(repeating: [.init(seconds: 3, throttle: 1), .init(seconds: 8, throttle: 0)], count: dieselAccelerations)
                    .flatMap { $0 },
                rpmResponse: 0.35)
        }
        rigs = [
            FirmwareSampler(rig: Fixtures.brakeRig, map: Fixtures.brakeMap, period: .milliseconds(10)),
            FirmwareSampler(rig: Fixtures.headlampRig, map: Fixtures.headlampMap, period: .milliseconds(100)),
            FirmwareSampler(rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, period: .milliseconds(100)),
        ]
    }

    func instant(_ d: Duration) -> MonotonicInstant { MonotonicInstant(nanoseconds: origin + UInt64(d.nanosecondsTotal)) }

    mutating func feed(_ input: PipelineInput) {
        inputs.append(input)
        var produced: [PipelineEvent] = []
        pipeline.handle(input, into: &produced)
        for event in produced {
            switch event {
            case .command(let command): apply(command)
            case .prompt(let prompt): driverSees(prompt)
            default: break
            }
        }
        events += produced
    }

    mutating func apply(_ command: RigCommand) {
        switch command.rig {
        case Fixtures.brakeRig:
            if command.name == "rollers_run", command.value == 0 { rollerStops.append((now, lastBrakeSlip)) }
            brakeModel.apply(command: command.name, value: command.value)
        case Fixtures.headlampRig: lampModel.apply(command: command.name, value: command.value)
        default: exhaustModel.apply(command: command.name, value: command.value)
        }
    }

    mutating func driverSees(_ prompt: Prompt) {
        guard prompt.expects == .confirm else { return }
        if prompt.text.en.contains("aborted") {
            if repeatAborts { pendingAcks.append((prompt, now + .seconds(1))) }
        } else if prompt.text.en.hasPrefix("Parking brake") {
            // The driver keeps the last axle on the rollers for the parking brake.
            if let axle = scenario.axles.last {
                brakeModel.load(VehicleScenario(name: "parking", axles: [axle], lamps: nil, engine: nil))
            }
            pendingAcks.append((prompt, now + .milliseconds(500)))
        } else if prompt.text.en.hasPrefix("Drive axle") {
            pendingAcks.append((prompt, nil))  // acknowledged once the next axle is on the rollers
        } else {
            pendingAcks.append((prompt, now + .seconds(1)))
        }
    }

    mutating func deliverAcks() {
        var index = 0
        while index < pendingAcks.count {
            let (prompt, due) = pendingAcks[index]
            var ready = false
            if let due { ready = now >= due } else if let axle = Int(prompt.text.en.dropFirst("Drive axle ".count).prefix { $0.isNumber }) {
                ready = brakeModel.axleIndex == axle - 1 && lastOnRollers
            }
            if ready {
                pendingAcks.remove(at: index)
                feed(.acknowledgement(PromptAcknowledgement(prompt: prompt.id, time: instant(now))))
            } else {
                index += 1
            }
        }
    }

    mutating func poll(_ index: Int) {
        let readings: [String: Double]
        switch index {
        case 0:
            brakeModel.advance(to: now)
            readings = brakeModel.readings()
        case 1:
            lampModel.advance(to: now)
            readings = lampModel.readings()
        default:
            exhaustModel.advance(to: now)
            readings = exhaustModel.readings()
        }
        let id = rigs[index].rig
        let sequence = rigs[index].sequence + 1
        var faulted: SampleQuality?
        if let fault, fault.rig == id, now >= fault.from { faulted = fault.quality }
        guard
            let sample = rigs[index].sample(
                readings, at: instant(now), fault: faulted, late: lateSequences[id]?.contains(sequence) == true,
                dropped: droppedSequences[id]?.contains(sequence) == true)
        else { return }
        if index == 0 {
            let map = rigs[index].map
            let values = sample.values
            let threshold = map.settings["slip_threshold_percent"] ?? 20
            lastBrakeSlip =
                values[map.channelIndex("slip_left")!] + values[map.channelIndex("slip_right")!] > 0
                || values[map.channelIndex("slip_left_pct")!] >= threshold || values[map.channelIndex("slip_right_pct")!] >= threshold
            lastOnRollers = values[map.channelIndex("vehicle_on_rollers")!] > 0
        }
        feed(.sample(sample))
    }

    /// Advances the virtual time by `tick`: polls the rigs that are due, then lets the driver act.
    mutating func step(_ tick: Duration = .milliseconds(10)) {
        now += tick
        for index in rigs.indices where pipeline.rigs.contains(rigs[index].rig) && rigs[index].isDue(at: now) {
            poll(index)
        }
        deliverAcks()
    }

    /// Runs until the pipeline finishes or `limit` of simulated time passed.
    mutating func run(limit: Duration = .seconds(600), finishAt: Duration? = nil) {
        feed(.start(instant(now)))
        while !pipeline.isFinished, now < limit {
            step()
            if let finishAt, now >= finishAt, !pipeline.isFinished { feed(.finish(instant(now))) }
        }
    }

    var verdicts: [VerdictEvent] { events.compactMap { if case .verdict(let v) = $0 { v } else { nil } } }
    var measurements: [InspectionMeasurement] { events.compactMap { if case .measured(let m) = $0 { m } else { nil } } }
    var aborts: [StepAbort] { events.compactMap { if case .aborted(let a) = $0 { a } else { nil } } }
    var result: RuleResult? { events.lazy.compactMap { if case .inspectionFinished(let r) = $0 { r } else { nil } }.first }
    func verdict(_ id: String) -> ItemVerdict? { verdicts.first { $0.item.id == id }?.item.verdict }
    var failing: [String] { verdicts.filter { $0.item.verdict == .fail }.map(\.item.id).sorted() }
    var notPassing: [String] { verdicts.filter { $0.item.verdict != .pass }.map(\.item.id).sorted() }
}
