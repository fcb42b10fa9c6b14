public import InspectionRules
public import LaneCore

/// Samples → station procedures → measurements → rules → per-item verdict events, for one vehicle.
///
/// Pure and synchronous: ``handle(_:into:)`` takes one input and appends the events it caused, in
/// order; rig commands among them (stop the rollers) come back in the same call as the sample that
/// called for them. ``PipelineHub`` fans the events out to subscribers.
///
/// Data-quality gate: a measurement whose samples missed deadlines, were stale, timed out, out of
/// range or had sequence gaps enters the rule case as *missing*, so its items are `incomplete`
/// (never `pass`), and each such verdict carries the reason.
public struct InspectionPipeline: Sendable {
    public let ruleset: RulesetID
    public let vehicle: Vehicle
    var brake: BrakeProcedure?
    var headlamp: HeadlampProcedure?
    var emission: EmissionProcedure?
    let brakeRig: RigID?
    let headlampRig: RigID?
    let emissionRig: RigID?
    var actions: [ProcedureAction] = []
    var brakeRuns: [BrakeRunMeasurement] = []
    var lamps: [HeadlampMeasurement] = []
    var emissionResult: EmissionMeasurement?
    var published: Set<String> = []
    var stationsDone: Set<StationKind> = []
    /// Every measurement so far, in order.
    public private(set) var measurements: [InspectionMeasurement] = []
    /// True once the inspection finished (all stations, or the operator).
    public private(set) var isFinished = false

    /// - Parameters:
    ///   - brake, headlamp, emission: the procedures of the lane's stations (nil for a station the
    ///     lane does not have or the vehicle skips).
    public init(
        ruleset: RulesetID, vehicle: Vehicle, brake: BrakeProcedure? = nil, headlamp: HeadlampProcedure? = nil,
        emission: EmissionProcedure? = nil
    ) {
        self.ruleset = ruleset
        self.vehicle = vehicle
        self.brake = brake
        self.headlamp = headlamp
        self.emission = emission
        brakeRig = brake?.rig
        headlampRig = headlamp?.rig
        emissionRig = emission?.rig
        actions.reserveCapacity(8)
    }

    /// The rigs of the stations this pipeline runs.
    public var rigs: [RigID] { [emissionRig, headlampRig, brakeRig].compactMap { $0 } }

    /// Handles one input and appends the events it caused to `events`.
    public mutating func handle(_ input: PipelineInput, into events: inout [PipelineEvent]) {
        guard !isFinished else { return }
        switch input {
        case .sample(let sample):
            // Route by rig; the procedures index values by channel numbers resolved at set-up.
            if sample.rig == brakeRig {
                brake?.handle(sample, into: &actions)
            } else if sample.rig == headlampRig {
                headlamp?.handle(sample, into: &actions)
            } else if sample.rig == emissionRig {
                emission?.handle(sample, into: &actions)
            }
            if actions.isEmpty { return }
            drain(lastSample: sample.time, into: &events)
        case .acknowledgement(let ack):
            brake?.acknowledge(ack, into: &actions)
            headlamp?.acknowledge(ack, into: &actions)
            emission?.acknowledge(ack, into: &actions)
            drain(lastSample: ack.time, into: &events)
        case .start(let time):
            emission?.begin(at: time, into: &actions)
            headlamp?.begin(at: time, into: &actions)
            brake?.begin(at: time, into: &actions)
            drain(lastSample: time, into: &events)
            if brake == nil && headlamp == nil && emission == nil { finish(at: time, into: &events) }
        case .finish(let time):
            brake?.cancel(at: time, into: &actions)
            headlamp?.cancel(at: time, into: &actions)
            emission?.cancel(at: time, into: &actions)
            drain(lastSample: time, into: &events)
            if !isFinished { finish(at: time, into: &events) }
        }
    }

    mutating func drain(lastSample time: MonotonicInstant, into events: inout [PipelineEvent]) {
        var index = 0
        while index < actions.count {
            switch actions[index] {
            case .command(let command): events.append(.command(command))
            case .prompt(let prompt): events.append(.prompt(prompt))
            case .aborted(let abort): events.append(.aborted(abort))
            case .measured(let measurement):
                events.append(.measured(measurement))
                measured(measurement, at: time, into: &events)
            case .finished(let station):
                events.append(.stationFinished(station))
                stationFinished(station, at: time, into: &events)
            }
            index += 1
        }
        actions.removeAll(keepingCapacity: true)
    }

    mutating func measured(_ measurement: InspectionMeasurement, at time: MonotonicInstant, into events: inout [PipelineEvent]) {
        measurements.append(measurement)
        switch measurement {
        case .brake(let run):
            brakeRuns.removeAll { $0.kind == run.kind && $0.axle == run.axle }
            brakeRuns.append(run)
            guard run.kind == .service else { return }
            // Axle items depend on that axle alone: publish them now.
            let ruleCase = RuleCase(ruleset: ruleset, vehicle: vehicle, brake: .value(brakeTest(complete: false)))
            publish(ruleCase, station: .brake, at: time, where: { $0.hasPrefix("brake.axle\(run.axle).") }, into: &events)
        case .headlamp(let lamp):
            lamps.removeAll { $0.side == lamp.side }
            lamps.append(lamp)
        case .emission(let test):
            emissionResult = test
        }
    }

    mutating func stationFinished(_ station: StationKind, at time: MonotonicInstant, into events: inout [PipelineEvent]) {
        stationsDone.insert(station)
        var ruleCase = RuleCase(ruleset: ruleset, vehicle: vehicle)
        switch station {
        case .brake: ruleCase.brake = .value(brakeTest(complete: true))
        case .headlamp: ruleCase.headlamps = headlampSection()
        case .emission: ruleCase.emission = emissionSection()
        }
        publish(ruleCase, station: station, at: time, where: { _ in true }, into: &events)
        let expected = [brake.map { _ in StationKind.brake }, headlamp.map { _ in .headlamp }, emission.map { _ in .emission }]
        if expected.allSatisfy({ $0 == nil || stationsDone.contains($0!) }) { finish(at: time, into: &events) }
    }

    /// Judges the whole case; every item not yet published (unmeasured parts: `incomplete`) goes out.
    mutating func finish(at time: MonotonicInstant, into events: inout [PipelineEvent]) {
        isFinished = true
        let ruleCase = fullCase()
        for station in [StationKind.emission, .headlamp, .brake] {
            publish(ruleCase, station: station, at: time, where: { _ in true }, into: &events)
        }
        if let result = try? RuleEngine.evaluate(ruleCase) { events.append(.inspectionFinished(result)) }
    }

    /// The rule case of everything measured so far; stations that ran but did not finish are missing.
    public func fullCase() -> RuleCase {
        var ruleCase = RuleCase(ruleset: ruleset, vehicle: vehicle)
        if brake != nil { ruleCase.brake = .value(brakeTest(complete: true)) }
        if headlamp != nil { ruleCase.headlamps = headlampSection() }
        if emission != nil { ruleCase.emission = emissionSection() }
        return ruleCase
    }
}
