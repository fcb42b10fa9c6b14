public import InspectionRules
public import LaneCore

/// A recorded inspection: the stations as they were set up, every input in order (samples,
/// acknowledgements, start and finish, with their times), and the commands and verdicts the live
/// run produced. Fed through the procedures again (``replay()``) it must give the same
/// measurements and verdicts. The file format (JSON lines) is described in `docs/procedures.md`.
public struct InspectionRecording: Sendable, Hashable {
    /// The lane set-up the inspection ran with.
    public struct Header: Sendable, Hashable, Codable {
        /// `lanecontrol-inspection/1`.
        public var format: String
        public var ruleset: RulesetID
        public var vehicle: Vehicle
        public var stations: [Station]

        public init(ruleset: RulesetID, vehicle: Vehicle, stations: [Station]) {
            format = InspectionRecording.format
            self.ruleset = ruleset
            self.vehicle = vehicle
            self.stations = stations
        }
    }

    /// One station: its rig, the rig's register map, and the procedure's configuration.
    public struct Station: Sendable, Hashable, Codable {
        public var kind: StationKind
        public var rig: RigID
        public var map: RegisterMap
        public var brake: BrakeConfiguration?
        public var headlamp: HeadlampConfiguration?
        public var emission: EmissionConfiguration?

        public init(
            kind: StationKind, rig: RigID, map: RegisterMap, brake: BrakeConfiguration? = nil,
            headlamp: HeadlampConfiguration? = nil, emission: EmissionConfiguration? = nil
        ) {
            self.kind = kind
            self.rig = rig
            self.map = map
            self.brake = brake
            self.headlamp = headlamp
            self.emission = emission
        }
    }

    /// A verdict as the live run published it.
    public struct RecordedVerdict: Sendable, Hashable, Codable {
        public var id: String
        public var verdict: String
        public var value: Double?
        /// Time of the last sample behind it, ns.
        public var t: UInt64

        public init(_ event: VerdictEvent) {
            id = event.item.id
            verdict = event.item.verdict.rawValue
            value = event.item.value
            t = event.lastSampleTime.nanoseconds
        }
    }

    /// One line of the file.
    public enum Line: Sendable, Hashable {
        case input(PipelineInput)
        /// A command the live run sent, with the time of the input that caused it.
        case command(RigCommand, at: MonotonicInstant)
        case verdict(RecordedVerdict)
    }

    public static let format = "lanecontrol-inspection/1"

    public var header: Header
    public var lines: [Line]

    public init(header: Header, lines: [Line] = []) {
        self.header = header
        self.lines = lines
    }

    /// The pipeline the header describes.
    public func makePipeline() throws(ProcedureSetupError) -> InspectionPipeline {
        var brake: BrakeProcedure?
        var headlamp: HeadlampProcedure?
        var emission: EmissionProcedure?
        for station in header.stations {
            switch station.kind {
            case .brake:
                brake = try BrakeProcedure(
                    rig: station.rig, map: station.map, configuration: station.brake ?? BrakeConfiguration(axles: 2, map: station.map))
            case .headlamp:
                headlamp = try HeadlampProcedure(rig: station.rig, map: station.map, configuration: station.headlamp ?? .init())
            case .emission:
                emission = try EmissionProcedure(
                    rig: station.rig, map: station.map, configuration: station.emission ?? EmissionConfiguration(vehicle: header.vehicle))
            }
        }
        return InspectionPipeline(
            ruleset: header.ruleset, vehicle: header.vehicle, brake: brake, headlamp: headlamp, emission: emission)
    }

    /// Appends an input and what the live run produced for it.
    public mutating func record(_ input: PipelineInput, events: [PipelineEvent]) {
        lines.append(.input(input))
        let time: MonotonicInstant =
            switch input {
            case .start(let t), .finish(let t): t
            case .sample(let sample): sample.time
            case .acknowledgement(let ack): ack.time
            }
        for event in events {
            switch event {
            case .command(let command): lines.append(.command(command, at: time))
            case .verdict(let verdict): lines.append(.verdict(RecordedVerdict(verdict)))
            default: break
            }
        }
    }
}

/// What a replay produced and how it differs from the recording.
public struct ReplayOutcome: Sendable {
    public var measurements: [InspectionMeasurement]
    public var verdicts: [VerdictEvent]
    public var result: RuleResult?
    /// One line per difference from the recorded commands and verdicts; empty when identical.
    public var differences: [String]
}

extension InspectionRecording {
    /// Feeds every recorded input through freshly built procedures and compares the commands and
    /// verdicts with the recorded ones.
    public func replay() throws(ProcedureSetupError) -> ReplayOutcome {
        var pipeline = try makePipeline()
        var events: [PipelineEvent] = []
        var replayed = InspectionRecording(header: header)
        var verdicts: [VerdictEvent] = []
        var measurements: [InspectionMeasurement] = []
        var result: RuleResult?
        for case .input(let input) in lines {
            events.removeAll(keepingCapacity: true)
            pipeline.handle(input, into: &events)
            replayed.record(input, events: events)
            for event in events {
                switch event {
                case .verdict(let v): verdicts.append(v)
                case .measured(let m): measurements.append(m)
                case .inspectionFinished(let r): result = r
                default: break
                }
            }
        }
        return ReplayOutcome(
            measurements: measurements, verdicts: verdicts, result: result,
            differences: Self.differences(recorded: lines, replayed: replayed.lines))
    }

    static func differences(recorded: [Line], replayed: [Line]) -> [String] {
        func outputs(_ lines: [Line]) -> [Line] {
            lines.filter { if case .input = $0 { false } else { true } }
        }
        let a = outputs(recorded)
        let b = outputs(replayed)
        var differences: [String] = []
        for index in 0..<max(a.count, b.count) {
            let left = index < a.count ? a[index] : nil
            let right = index < b.count ? b[index] : nil
            if left != right {
                differences.append("output \(index + 1): recorded \(left.map(describe) ?? "nothing"), replay gave \(right.map(describe) ?? "nothing")")
            }
        }
        return differences
    }

    static func describe(_ line: Line) -> String {
        switch line {
        case .input: "input"
        case .command(let c, let t): "command \(c.rig) \(c.name)=\(c.value) at \(t.nanoseconds) ns"
        case .verdict(let v): "verdict \(v.id) \(v.verdict) value \(v.value.map { "\($0)" } ?? "none")"
        }
    }
}
