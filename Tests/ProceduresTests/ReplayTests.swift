import Foundation
import InspectionRules
import LaneCore
import Procedures
import RigFirmware
import TestScheduling
import Testing

/// Recorded inspections replay to identical commands, measurements and verdicts.
@Suite(.offThePool)
struct ReplayTests {
    /// Records a simulated inspection the way a live lane would: every input and what it produced.
    static func record(
        _ scenario: VehicleScenario, vehicle: Vehicle = Fixtures.car, brake: Bool, headlamp: Bool, emission: Bool
    ) throws -> (InspectionRecording, SimulatedLane) {
        var lane = SimulatedLane(
            pipeline: try Fixtures.pipeline(vehicle: vehicle, brake: brake, headlamp: headlamp, emission: emission),
            scenario: scenario)
        lane.run()
        var stations: [InspectionRecording.Station] = []
        if brake {
            stations.append(
                .init(kind: .brake, rig: Fixtures.brakeRig, map: Fixtures.brakeMap, brake: BrakeConfiguration(axles: 2, map: Fixtures.brakeMap)))
        }
        if headlamp { stations.append(.init(kind: .headlamp, rig: Fixtures.headlampRig, map: Fixtures.headlampMap, headlamp: .init())) }
        if emission {
            stations.append(
                .init(kind: .emission, rig: Fixtures.emissionRig, map: Fixtures.exhaustMap, emission: EmissionConfiguration(vehicle: vehicle)))
        }
        var recording = InspectionRecording(header: .init(ruleset: .cnGB7258, vehicle: vehicle, stations: stations))
        var pipeline = try recording.makePipeline()
        for input in lane.inputs {
            var events: [PipelineEvent] = []
            pipeline.handle(input, into: &events)
            recording.record(input, events: events)
        }
        return (recording, lane)
    }

    static func recordingsFolder() -> URL { Fixtures.root.appendingPathComponent("Tests/ProceduresTests/Recordings") }

    @Test func simulatedInspectionReplaysIdenticallyThroughJSONLines() throws {
        let (recording, lane) = try Self.record(.pullingFrontAxle, brake: true, headlamp: true, emission: false)
        let text = try recording.jsonLines()
        let decoded = try InspectionRecording(jsonLines: text)
        #expect(decoded == recording)
        let outcome = try decoded.replay()
        #expect(outcome.differences == [])
        #expect(outcome.verdicts == lane.verdicts)
        #expect(outcome.measurements == lane.measurements)
        #expect(outcome.verdicts.contains { $0.item.verdict == .fail })
    }

    @Test(arguments: ["sound_car_brake.jsonl", "dim_lamp_headlamp.jsonl"])
    func committedRecordingReplaysIdentically(file: String) throws {
        let url = Self.recordingsFolder().appendingPathComponent(file)
        let recording = try InspectionRecording(jsonLines: String(contentsOf: url, encoding: .utf8))
        let outcome = try recording.replay()
        #expect(outcome.differences == [])
        let recorded = recording.lines.compactMap { if case .verdict(let v) = $0 { v } else { nil } }
        #expect(!recorded.isEmpty)
        #expect(outcome.verdicts.map(InspectionRecording.RecordedVerdict.init) == recorded)
    }

    @Test func committedRecordingsHoldTheExpectedVerdicts() throws {
        let brake = try InspectionRecording(
            jsonLines: String(contentsOf: Self.recordingsFolder().appendingPathComponent("sound_car_brake.jsonl"), encoding: .utf8))
        #expect(try brake.replay().result?.verdict == .pass)
        let lamp = try InspectionRecording(
            jsonLines: String(contentsOf: Self.recordingsFolder().appendingPathComponent("dim_lamp_headlamp.jsonl"), encoding: .utf8))
        let failing = try lamp.replay().verdicts.filter { $0.item.verdict == .fail }.map(\.item.id)
        #expect(failing == ["headlamp.right.high_beam_intensity"])
    }

    @Test func alteredRecordedVerdictIsReportedAsADifference() throws {
        let (recording, _) = try Self.record(.dimLamp, brake: false, headlamp: true, emission: false)
        var text = try recording.jsonLines()
        text = text.replacingOccurrences(of: "\"verdict\":\"fail\"", with: "\"verdict\":\"pass\"")
        let outcome = try InspectionRecording(jsonLines: text).replay()
        #expect(outcome.differences.count == 1)
        #expect(outcome.differences.first?.contains("headlamp.right.high_beam_intensity") == true)
    }

    @Test func malformedLineIsReportedWithItsNumber() throws {
        let (recording, _) = try Self.record(.dimLamp, brake: false, headlamp: true, emission: false)
        var lines = try recording.jsonLines().split(separator: "\n").map(String.init)
        lines[3] = "{\"sample\": 12}"
        #expect {
            _ = try InspectionRecording(jsonLines: lines.joined(separator: "\n"))
        } throws: { error in
            (error as? RecordingError)?.line == 4
        }
    }

    /// Writes the committed recordings again: `LANE_WRITE_RECORDINGS=1 swift test --filter writeRecordings`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LANE_WRITE_RECORDINGS"] == "1"))
    func writeRecordings() throws {
        let (brake, _) = try Self.record(.soundCar, brake: true, headlamp: false, emission: false)
        try brake.jsonLines().write(to: Self.recordingsFolder().appendingPathComponent("sound_car_brake.jsonl"), atomically: true, encoding: .utf8)
        let (lamp, _) = try Self.record(.dimLamp, brake: false, headlamp: true, emission: false)
        try lamp.jsonLines().write(to: Self.recordingsFolder().appendingPathComponent("dim_lamp_headlamp.jsonl"), atomically: true, encoding: .utf8)
    }
}
