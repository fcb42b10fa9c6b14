public import LaneCore

/// How the brake station runs a vehicle. Times are judged on sample time; forces in daN.
public struct BrakeConfiguration: Hashable, Sendable, Codable {
    /// Number of axles to test, front to back.
    public var axles: Int
    /// The axle (1-based) whose parking brake is tested after the service brakes, nil for none.
    public var parkingAxle: Int?
    /// Weighing: the axle load is stable when it stays within `weighTolerance` for `weighWindow`.
    public var weighWindow: Duration = .milliseconds(500)
    public var weighTolerance = 3.0
    /// An axle lighter than this is not on the rollers.
    public var minimumAxleLoad = 50.0
    /// Drag is averaged over `dragWindow`, starting `dragSettle` after the rollers reach speed.
    public var dragSettle: Duration = .milliseconds(500)
    public var dragWindow: Duration = .seconds(1)
    /// The pedal counts as released below this force (N).
    public var pedalReleased = 30.0
    /// Braking has begun once the summed force exceeds the drag by this much.
    public var brakingThreshold = 20.0
    /// The run ends (no slip) when the summed force falls back to this fraction of its rise.
    public var releaseFraction = 0.3
    /// Slip in percent at which a wheel counts as locked, when the map has no slip flags.
    public var slipThresholdPercent = 20.0
    /// Consecutive samples that are not good before the run is aborted as a rig fault.
    public var faultSamples = 3
    /// Time-outs per phase.
    public var axleArrivalTimeout: Duration = .seconds(300)
    public var weighTimeout: Duration = .seconds(15)
    public var spinUpTimeout: Duration = .seconds(10)
    public var brakeTimeout: Duration = .seconds(20)
    public var releaseTimeout: Duration = .seconds(15)

    /// A configuration for `axles` axles (at least 1) with the parking brake tested on the last
    /// one; set ``parkingAxle`` to another axle, or to nil to skip the parking brake.
    public init(axles: Int) {
        self.axles = max(1, axles)
        self.parkingAxle = self.axles
    }

    /// The configuration for a rig whose map gives `slip_threshold_percent`.
    public init(axles: Int, map: RegisterMap) {
        self.init(axles: axles)
        if let threshold = map.settings["slip_threshold_percent"] { slipThresholdPercent = threshold }
    }
}

/// The brake tester's channels, resolved to indices in ``Sample/values`` once.
struct BrakeChannels: Sendable {
    let forceLeft, forceRight, slipLeftPct, slipRightPct, loadLeft, loadRight, rollerState, faultWord, pedal: Int
    let onRollers: Int
    let slipLeft, slipRight: Int?

    init(map: RegisterMap, rig: RigID) throws(ProcedureSetupError) {
        forceLeft = try map.requireChannel("force_left", rig: rig)
        forceRight = try map.requireChannel("force_right", rig: rig)
        slipLeftPct = try map.requireChannel("slip_left_pct", rig: rig)
        slipRightPct = try map.requireChannel("slip_right_pct", rig: rig)
        loadLeft = try map.requireChannel("load_left", rig: rig)
        loadRight = try map.requireChannel("load_right", rig: rig)
        rollerState = try map.requireChannel("roller_state", rig: rig)
        faultWord = try map.requireChannel("fault_word", rig: rig)
        pedal = try map.requireChannel("pedal_force", rig: rig)
        onRollers = try map.requireChannel("vehicle_on_rollers", rig: rig)
        slipLeft = map.channelIndex("slip_left")
        slipRight = map.channelIndex("slip_right")
        try map.requireCommand("rollers_run", rig: rig)
    }
}
