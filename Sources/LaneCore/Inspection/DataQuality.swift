/// How trustworthy the samples behind a measurement were: the data-quality gate's evidence.
///
/// A measurement whose ledger is not ``isClean`` never yields a `pass`: the items that rest on it are
/// judged `incomplete`, with ``reason`` as the explanation.
public struct DataQuality: Hashable, Sendable, Codable {
    /// Samples that arrived while the measurement ran.
    public var samples: Int = 0
    /// Samples whose poll cycle started later than its deadline plus the link's tolerance.
    public var deadlineMisses: Int = 0
    /// Samples marked stale (the rig did not answer; the values repeat the last good reading).
    public var stale: Int = 0
    /// Samples whose read timed out.
    public var timedOut: Int = 0
    /// Samples with a value outside its declared range.
    public var outOfRange: Int = 0
    /// Places where the sequence numbers jumped, and how many samples were lost in them.
    public var gaps: Int = 0
    public var lostSamples: Int = 0

    public init() {}

    /// True when every sample was good, on time and in sequence.
    public var isClean: Bool { deadlineMisses == 0 && stale == 0 && timedOut == 0 && outOfRange == 0 && gaps == 0 }

    /// Counts one sample; `lost` is the number of sequence numbers skipped before it.
    public mutating func record(_ sample: Sample, lost: UInt64) { record(sample, lost: lost, quality: sample.quality) }

    /// Counts one sample with the quality the measurement sees in it (an `out_of_range` sample
    /// whose out-of-range values are on channels the measurement does not use counts as `good`).
    public mutating func record(_ sample: Sample, lost: UInt64, quality: SampleQuality) {
        samples += 1
        if sample.deadlineMissed { deadlineMisses += 1 }
        switch quality {
        case .good: break
        case .stale: stale += 1
        case .timedOut: timedOut += 1
        case .outOfRange: outOfRange += 1
        }
        if lost > 0 {
            gaps += 1
            lostSamples += Int(min(lost, UInt64(Int.max)))
        }
    }

    /// Adds another ledger's counts.
    public mutating func merge(_ other: DataQuality) {
        samples += other.samples
        deadlineMisses += other.deadlineMisses
        stale += other.stale
        timedOut += other.timedOut
        outOfRange += other.outOfRange
        gaps += other.gaps
        lostSamples += other.lostSamples
    }

    /// Why the data cannot be trusted, or nil when it can.
    public var reason: LocalizedText? {
        if isClean { return nil }
        var en: [String] = []
        var zh: [String] = []
        if deadlineMisses > 0 {
            en.append("\(deadlineMisses) sample(s) missed their poll deadline")
            zh.append("\(deadlineMisses)个采样超出采样周期")
        }
        if stale > 0 {
            en.append("\(stale) stale sample(s) (rig did not answer)")
            zh.append("\(stale)个采样为旧值（设备未应答）")
        }
        if timedOut > 0 {
            en.append("\(timedOut) read(s) timed out")
            zh.append("\(timedOut)次读取超时")
        }
        if outOfRange > 0 {
            en.append("\(outOfRange) sample(s) out of range")
            zh.append("\(outOfRange)个采样超出量程")
        }
        if gaps > 0 {
            en.append("\(lostSamples) sample(s) lost in \(gaps) gap(s)")
            zh.append("丢失\(lostSamples)个采样（\(gaps)处间断）")
        }
        return LocalizedText(
            zh: "数据质量不合格：" + zh.joined(separator: "，") + "；请重新检测",
            en: "data quality gate: " + en.joined(separator: ", ") + "; repeat the test")
    }
}
