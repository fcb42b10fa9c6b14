public import LaneCore

/// One journal entry of the dispatcher: what the journal must keep for the draws to be verifiable.
///
/// The entries of a shift, in `sequence` order, are: the opening (configuration and seed commitment), every
/// input event (ticks only when they changed something), every draw and other assignment and release the
/// dispatcher made, and the closing with the revealed seed. ``DrawAudit/verify(_:shift:)`` re-runs the shift
/// from them.
public struct DispatchJournalEntry: Hashable, Sendable, Codable {
    public var shift: ShiftID
    /// 0, 1, 2 … within the shift, with no gap.
    public var sequence: UInt64
    public var record: DispatchRecord

    public init(shift: ShiftID, sequence: UInt64, record: DispatchRecord) {
        self.shift = shift
        self.sequence = sequence
        self.record = record
    }
}

/// The payload of a journal entry.
public indirect enum DispatchRecord: Hashable, Sendable, Codable {  // indirect: actions stay small to copy
    /// The shift opened: its configuration and SHA-256 of its secret seed (hex), published now.
    case shiftOpened(configuration: ShiftConfiguration, seedCommitment: String, at: MonotonicInstant)
    /// An input the dispatcher acted on.
    case event(DispatchEvent)
    /// A random draw: its inputs, the driver it gave, and why it was made.
    case draw(DrawRecord)
    /// A driver given a vehicle without a draw (operator's choice, or the first-free policy).
    case assignment(AssignmentRecord)
    /// A driver who lost a vehicle.
    case released(driver: DriverID, queueNumber: Int, reason: ReleaseReason, at: MonotonicInstant)
    /// The shift closed: the seed is revealed (hex).
    case shiftClosed(seed: String, at: MonotonicInstant)
}

/// One random draw, as journaled.
public struct DrawRecord: Hashable, Sendable, Codable {
    public var input: DrawInput
    public var chosen: DriverID
    public var reason: DrawReason
    public var at: MonotonicInstant
}

/// Why a draw was made.
public enum DrawReason: String, Hashable, Sendable, Codable {
    /// The vehicle's first draw.
    case first
    /// The previous driver did not confirm in time.
    case afterTimeout = "after_timeout"
    /// The operator took the vehicle from its driver without naming another.
    case afterReassignment = "after_reassignment"
}

/// An assignment made without a draw.
public struct AssignmentRecord: Hashable, Sendable, Codable {
    public var queueNumber: Int
    public var plate: String
    public var lane: LaneID
    public var driver: DriverID
    /// `manual` (the operator chose) or `first_free` (the policy).
    public var how: String
    /// The operator and the reason, for a manual assignment.
    public var operatorName: String?
    public var reason: String?
    public var at: MonotonicInstant
}
