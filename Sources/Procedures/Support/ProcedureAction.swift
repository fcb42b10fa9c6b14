public import LaneCore

/// What a station procedure asks the lane to do after an event. Procedures return actions; they
/// never write to a rig or a screen themselves.
public enum ProcedureAction: Hashable, Sendable {
    /// Write a command to a rig (by its register-map name). Safety commands (stop the rollers) are
    /// returned in the same step as the sample that called for them.
    case command(RigCommand)
    /// Show a prompt to the driver and on the lane display.
    case prompt(Prompt)
    /// A measurement is complete.
    case measured(InspectionMeasurement)
    /// A step was aborted safely (rollers stopped) and must be repeated; the prompt asks for that.
    case aborted(StepAbort)
    /// The station has nothing more to do for this vehicle.
    case finished(StationKind)
}

/// A step aborted by a fault, the vehicle leaving, or a time-out.
public struct StepAbort: Hashable, Sendable, Codable {
    public var station: StationKind
    public var rig: RigID
    /// The step, e.g. `axle 2 service brake`.
    public var step: String
    public var reason: LocalizedText
    /// Sample time at which the procedure decided to abort.
    public var time: MonotonicInstant
    /// The prompt whose acknowledgement repeats the step.
    public var repeatPrompt: PromptID

    public init(
        station: StationKind, rig: RigID, step: String, reason: LocalizedText, time: MonotonicInstant,
        repeatPrompt: PromptID
    ) {
        self.station = station
        self.rig = rig
        self.step = step
        self.reason = reason
        self.time = time
        self.repeatPrompt = repeatPrompt
    }
}

/// Issues prompts with deterministic ids (`<rig>#<n>`), so replays reproduce them.
struct PromptIssuer: Sendable {
    let station: StationKind
    let rig: RigID
    private(set) var count = 0
    /// The last prompt that expects a confirmation, if it is still open.
    private(set) var awaiting: PromptID?

    init(station: StationKind, rig: RigID) {
        self.station = station
        self.rig = rig
    }

    mutating func issue(
        _ zh: String, _ en: String, expects: Prompt.Acknowledgement = .none, at time: MonotonicInstant,
        into actions: inout [ProcedureAction]
    ) -> PromptID {
        count += 1
        let id = PromptID("\(rig.rawValue)#\(count)")
        actions.append(
            .prompt(
                Prompt(
                    id: id, station: station, rig: rig, text: LocalizedText(zh: zh, en: en), expects: expects,
                    issuedAt: time)))
        awaiting = expects == .confirm ? id : nil
        return id
    }

    /// True (and the prompt closed) when `ack` answers the prompt the procedure waits for.
    mutating func accept(_ ack: PromptAcknowledgement) -> Bool {
        guard let awaiting, ack.prompt == awaiting else { return false }
        self.awaiting = nil
        return true
    }
}

/// A register map lacks a channel or command a procedure needs.
public struct ProcedureSetupError: Error, Hashable, Sendable, CustomStringConvertible {
    public var rig: RigID
    public var model: String
    public var missing: String

    public init(rig: RigID, model: String, missing: String) {
        self.rig = rig
        self.model = model
        self.missing = missing
    }

    public var description: String {
        "rig \(rig) (\(model)): the register map has no \(missing); add it to the map under Firmware/maps or pick the right rig model in the lane profile"
    }
}

extension RegisterMap {
    /// The index of channel `name`, or an error naming the rig and the channel.
    func requireChannel(_ name: String, rig: RigID) throws(ProcedureSetupError) -> Int {
        guard let index = channelIndex(name) else {
            throw ProcedureSetupError(rig: rig, model: model, missing: "channel `\(name)`")
        }
        return index
    }

    /// Checks that command `name` exists.
    func requireCommand(_ name: String, rig: RigID) throws(ProcedureSetupError) {
        guard command(name) != nil else {
            throw ProcedureSetupError(rig: rig, model: model, missing: "command `\(name)`")
        }
    }
}

/// Sequence bookkeeping shared by the procedures: how many samples were lost before this one.
struct SequenceTracker: Sendable {
    private var last: UInt64?

    mutating func lost(before sample: Sample) -> UInt64 {
        defer { last = sample.sequence }
        guard let last, sample.sequence > last &+ 1 else { return 0 }
        return sample.sequence - last - 1
    }
}

/// The declared ranges of the channels a procedure uses. A sample flagged `out_of_range` because of
/// a channel the procedure does not read (λ of a diesel's lean exhaust) is still good for it.
struct RangeGuard: Sendable {
    let checks: [(index: Int, minimum: Double, maximum: Double)]

    init(map: RegisterMap, channels: [Int]) {
        checks = channels.map { index in
            let channel = map.channels[index]
            return (index, channel.minimum ?? -.infinity, channel.maximum ?? .infinity)
        }
    }

    /// The quality of `sample` as far as these channels are concerned.
    func quality(of sample: Sample) -> SampleQuality {
        guard sample.quality == .outOfRange else { return sample.quality }
        for check in checks {
            let value = sample.values[check.index]
            if value < check.minimum - 1e-9 || value > check.maximum + 1e-9 { return .outOfRange }
        }
        return .good
    }
}
