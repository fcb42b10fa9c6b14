/// Identifies one prompt; the driver's handheld acknowledges a prompt by this id.
///
/// Procedures number their prompts deterministically (`L1.brake#3`), so a replayed inspection
/// issues the same ids and the recorded acknowledgements still match.
public struct PromptID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
}

/// A text shown to people, in Chinese (zh-CN) and English.
public struct LocalizedText: Hashable, Sendable, Codable {
    public var zh: String
    public var en: String
    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }
}

/// An instruction to the valet driver (handheld) and the lane display: "brake now", "high beam on".
public struct Prompt: Hashable, Sendable, Codable {
    /// What the procedure waits for after showing the prompt.
    public enum Acknowledgement: String, Hashable, Sendable, Codable {
        /// Nothing: the rig's sensors show when it was done (the pedal force rises, the axle arrives).
        case none
        /// The driver taps "done" on the handheld; the procedure does not go on before that.
        case confirm
    }

    public var id: PromptID
    /// The station that asks.
    public var station: StationKind
    /// The rig of that station.
    public var rig: RigID
    public var text: LocalizedText
    public var expects: Acknowledgement
    /// Time of the sample (or acknowledgement) that raised the prompt.
    public var issuedAt: MonotonicInstant

    public init(
        id: PromptID, station: StationKind, rig: RigID, text: LocalizedText, expects: Acknowledgement,
        issuedAt: MonotonicInstant
    ) {
        self.id = id
        self.station = station
        self.rig = rig
        self.text = text
        self.expects = expects
        self.issuedAt = issuedAt
    }
}

/// The driver acknowledged a prompt.
public struct PromptAcknowledgement: Hashable, Sendable, Codable {
    public var prompt: PromptID
    /// Monotonic time at which the acknowledgement reached the station (the same clock as samples).
    public var time: MonotonicInstant
    public var driver: DriverID?

    public init(prompt: PromptID, time: MonotonicInstant, driver: DriverID? = nil) {
        self.prompt = prompt
        self.time = time
        self.driver = driver
    }
}
