public import InspectionRules
public import LaneCore

/// An input of the pipeline: everything that can move an inspection on. A recorded inspection is a
/// list of these (see `docs/procedures.md`).
public enum PipelineInput: Hashable, Sendable {
    /// The operator starts the inspection (every station calls its first step).
    case start(MonotonicInstant)
    /// A poll of one rig.
    case sample(Sample)
    /// The driver acknowledged a prompt.
    case acknowledgement(PromptAcknowledgement)
    /// The operator ends the inspection: whatever was not measured is judged `incomplete`.
    case finish(MonotonicInstant)
}

/// One judged item, published the moment the measurements it rests on are complete.
public struct VerdictEvent: Hashable, Sendable {
    public var station: StationKind
    public var item: RuleItem
    /// Time of the last sample behind the item (the sample that completed its measurement).
    public var lastSampleTime: MonotonicInstant
    /// Set when the data-quality gate made the item `incomplete`.
    public var qualityReason: LocalizedText?

    public init(station: StationKind, item: RuleItem, lastSampleTime: MonotonicInstant, qualityReason: LocalizedText?) {
        self.station = station
        self.item = item
        self.lastSampleTime = lastSampleTime
        self.qualityReason = qualityReason
    }
}

/// What the pipeline publishes to its subscribers (journal, console, handheld dispatch).
public enum PipelineEvent: Hashable, Sendable {
    case prompt(Prompt)
    /// A command for a rig: the caller must hand it to the rig's link thread.
    case command(RigCommand)
    case measured(InspectionMeasurement)
    case aborted(StepAbort)
    case verdict(VerdictEvent)
    case stationFinished(StationKind)
    /// Every station is done (or the operator finished): the whole case judged once more.
    case inspectionFinished(RuleResult)
}
