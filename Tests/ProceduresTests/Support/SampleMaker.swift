import LaneCore

/// Builds samples for a register map from named values (every other channel 0), with times in ms.
struct SampleMaker {
    let rig: RigID
    let map: RegisterMap
    var sequence: UInt64 = 0
    var base: [String: Double] = [:]

    init(rig: RigID, map: RegisterMap) {
        self.rig = rig
        self.map = map
    }

    static func at(_ ms: Int) -> MonotonicInstant { MonotonicInstant(nanoseconds: 1_000_000_000 + UInt64(ms) * 1_000_000) }

    mutating func make(
        ms: Int, _ values: [String: Double] = [:], quality: SampleQuality = .good, late: Bool = false, skip: UInt64 = 0
    ) -> Sample {
        sequence += 1 + skip
        let merged = base.merging(values) { $1 }
        for name in merged.keys { precondition(map.channelIndex(name) != nil, "no channel \(name)") }
        return Sample(
            rig: rig, sequence: sequence, time: Self.at(ms), values: map.channels.map { merged[$0.name] ?? 0 },
            quality: quality, deadlineMissed: late)
    }
}
