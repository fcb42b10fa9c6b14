/// How the emission station runs the ASM test (GB 18285-2018 steady-state loaded mode) on a
/// lane with a chassis dynamometer. Times are judged on sample time.
public struct ASMConfiguration: Hashable, Sendable, Codable {
    /// The modes in order: ASM5025, then ASM2540.
    public var modes: [ASMMode]
    /// Time the vehicle must hold a mode's speed and load windows before the sampling window opens.
    public var stabilise: Duration = .seconds(5)
    /// The sampling window the gases are averaged over (the 10-s fast-check window of standards.md §4.2).
    public var measureWindow: Duration = .seconds(10)
    /// Time allowed for a mode from its start, stabilising included ("up to 90 s", standards.md §4.2).
    public var modeTimeout: Duration = .seconds(90)
    /// How long speed or load may stay outside the windows while sampling before the test is
    /// aborted (recalled GB 18285 practice: 2 s continuously).
    public var outOfWindowLimit: Duration = .seconds(2)

    public init(modes: [ASMMode]) { self.modes = modes }

    /// ASM5025 then ASM2540 for a vehicle of reference mass `referenceMassKg`.
    public init(referenceMassKg: Double) {
        self.init(modes: [.asm5025(referenceMassKg: referenceMassKg), .asm2540(referenceMassKg: referenceMassKg)])
    }
}
