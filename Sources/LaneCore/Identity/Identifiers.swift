/// Identifiers are value types so a rig id cannot be passed where a lane id is expected.
/// Each is a string in profiles, logs, the journal and the API.

/// A string-backed identifier: ordering, literal, description and a plain-string Codable form come from here,
/// so an identifier type is its name and its `rawValue`.
public protocol StringIdentifier: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral where RawValue == String, StringLiteralType == String
{
    init(rawValue: String)
}

extension StringIdentifier {
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A rig on a link, as named in the lane profile (`"lane1.brake"`).
public struct RigID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A lane of the station (`"L1"`).
public struct LaneID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A valet driver (`"D03"`).
public struct DriverID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// One inspection of one vehicle (all its attempts share the inspection's lineage through `previous`).
public struct InspectionID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}
