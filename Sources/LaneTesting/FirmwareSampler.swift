public import LaneCore

/// Reads a RigFirmware physics model the way the `Rigs` poller reads the served rig, for tests that
/// step the firmware on a virtual clock (no sockets): one poll every `period`, the model's readings
/// quantised as the register map encodes them (out-of-range values flagged), sequence numbers, and
/// a rig fault or a late poll applied on request.
///
/// The caller owns the model and advances it to the poll time before reading it:
/// ```swift
/// var sampler = FirmwareSampler(rig: "L1.brake", map: map, period: .milliseconds(10))
/// if sampler.isDue(at: elapsed) {
///     model.advance(to: elapsed)
///     let sample = sampler.sample(model.readings(), at: MonotonicInstant(nanoseconds: origin + elapsed))
/// }
/// ```
public struct FirmwareSampler: Sendable {
    public let rig: RigID
    public let map: RegisterMap
    /// Poll period (the lane profile's `poll_period_ms`).
    public let period: Duration
    /// Elapsed time of the next poll.
    public var next: Duration = .zero
    /// Sequence number of the last poll (dropped polls count too, so the pipeline sees the gap).
    public private(set) var sequence: UInt64 = 0
    /// Values of the last sample that was not faulted (a faulty rig repeats them, as the poller does).
    public private(set) var last: [Double] = []

    public init(rig: RigID, map: RegisterMap, period: Duration) {
        self.rig = rig
        self.map = map
        self.period = period
    }

    /// True when a poll is due at `elapsed`; schedules the next one.
    public mutating func isDue(at elapsed: Duration) -> Bool {
        guard elapsed >= next else { return false }
        next = elapsed + period
        return true
    }

    /// One poll of `readings` (engineering values by channel name) at `time`.
    /// - Parameters:
    ///   - fault: the quality a faulty rig's sample gets (its values are the last good ones); nil for a sound rig.
    ///   - late: the sample missed its deadline.
    ///   - dropped: the poll is lost (its sequence number is used up, no sample): returns nil.
    public mutating func sample(
        _ readings: [String: Double], at time: MonotonicInstant, fault: SampleQuality? = nil, late: Bool = false,
        dropped: Bool = false
    ) -> Sample? {
        sequence += 1
        guard !dropped else { return nil }
        var (values, inRange) = map.quantised(readings)
        var quality: SampleQuality = inRange ? .good : .outOfRange
        if let fault {
            quality = fault
            if !last.isEmpty { values = last }
        } else {
            last = values
        }
        return Sample(rig: rig, sequence: sequence, time: time, values: values, quality: quality, deadlineMissed: late)
    }
}
