/// One poll of one rig: the decoded channel values, when they were read, and whether to trust them.
///
/// `values` is indexed by the rig's register map channels (``RegisterMap/channels``); a procedure
/// resolves the channel names it needs to indices once, so the hot path never hashes a string.
public struct Sample: Hashable, Sendable {
    /// The rig that was read.
    public var rig: RigID
    /// Per-rig counter, incremented every poll cycle whether or not the read succeeded; a gap means lost samples.
    public var sequence: UInt64
    /// Monotonic time at which the read completed.
    public var time: MonotonicInstant
    /// Decoded values in engineering units (scale and offset applied), one per channel of the map.
    public var values: [Double]
    /// Whether the values may be used.
    public var quality: SampleQuality
    /// True when this cycle started later than its deadline plus the link's tolerance.
    public var deadlineMissed: Bool

    public init(
        rig: RigID, sequence: UInt64, time: MonotonicInstant, values: [Double], quality: SampleQuality,
        deadlineMissed: Bool = false
    ) {
        self.rig = rig
        self.sequence = sequence
        self.time = time
        self.values = values
        self.quality = quality
        self.deadlineMissed = deadlineMissed
    }
}

/// How far a sample can be trusted.
public enum SampleQuality: String, Hashable, Sendable, Codable, CaseIterable {
    /// Read on time and every value inside its declared range.
    case good
    /// The rig did not answer this cycle; `values` repeat the last good reading.
    case stale
    /// The read timed out (the rig, or the link, did not answer within the response timeout).
    case timedOut = "timed_out"
    /// The rig answered, but a value lies outside the range its register map declares.
    case outOfRange = "out_of_range"
}
