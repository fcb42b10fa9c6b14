/// A write to a rig, by the name its register map gives the command (`"rollers_run"`, `"scale_zero"`).
///
/// Procedures return commands as actions; the rig's link thread writes them within one poll period.
public struct RigCommand: Hashable, Sendable, Codable {
    public var rig: RigID
    /// The command's name in the rig's register map.
    public var name: String
    /// The value to write: 0 or 1 for a coil, the engineering value for a register.
    public var value: Double

    public init(rig: RigID, name: String, value: Double) {
        self.rig = rig
        self.name = name
        self.value = value
    }
}
