import ArgumentParser
import Foundation
import InspectionRules
import LaneCore
import Procedures

/// `lanectl replay FILE`: feeds a recorded inspection through the procedures again and checks that
/// the commands and verdicts are identical to the recorded ones.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded inspection (JSON lines) through the procedures and compare the verdicts.",
        discussion: """
            Prints every measurement and verdict of the replay. Exit status: 0 when the replay gives the recorded \
            commands and verdicts exactly, 1 when any differs (each difference is printed), 2 when the file cannot \
            be read. The format is described in docs/procedures.md.
            """)

    @Argument(help: "The recording (JSON lines).")
    var file: String

    @Flag(help: "Print the curve sizes and data-quality counts of each measurement too.")
    var verbose = false

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            print("lanectl replay: cannot read \(file): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let recording: InspectionRecording
        let outcome: ReplayOutcome
        do {
            recording = try InspectionRecording(jsonLines: text)
            outcome = try recording.replay()
        } catch {
            print("lanectl replay: \(file): \(error)")
            throw ExitCode(2)
        }
        let samples = recording.lines.reduce(0) { if case .input(.sample) = $1 { $0 + 1 } else { $0 } }
        print("\(file): \(recording.header.ruleset.rawValue), vehicle \(recording.header.vehicle.plate), \(samples) samples")
        print("")
        print("Measurements / 测量结果")
        for measurement in outcome.measurements { print("  " + Self.describe(measurement, verbose: verbose)) }
        print("")
        print("Verdicts / 判定")
        for event in outcome.verdicts {
            let item = event.item
            let value = item.value.map { String(format: "%.2f %@", $0, item.unit) } ?? "—"
            print("  \(item.verdict.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(item.id.padding(toLength: 42, withPad: " ", startingAt: 0)) \(value)")
            print("             \(item.explain.en)")
            print("             \(item.explain.zh)")
        }
        if let result = outcome.result { print("\nInspection verdict / 检验结论: \(result.verdict.rawValue)") }
        if outcome.differences.isEmpty {
            print("\nreplay identical to the recording (\(outcome.verdicts.count) verdicts)")
        } else {
            print("\nreplay DIFFERS from the recording (\(outcome.differences.count) differences):")
            for difference in outcome.differences.prefix(50) { print("  " + difference) }
            throw ExitCode(1)
        }
    }

    static func describe(_ measurement: InspectionMeasurement, verbose: Bool) -> String {
        var text: String
        switch measurement {
        case .brake(let m):
            text = String(
                format: "brake axle %d %@: load %.1f+%.1f daN, drag %.1f/%.1f, peak %.1f/%.1f, rise diff %.1f daN%@",
                m.axle, m.kind.rawValue, m.loadLeft, m.loadRight, m.dragLeft, m.dragRight, m.peakLeft, m.peakRight,
                m.maxRiseDifference, m.lockedLeft || m.lockedRight ? " (locked \(m.lockedLeft ? "L" : "")\(m.lockedRight ? "R" : ""))" : "")
            if verbose { text += ", curve \(m.curve.left.count) points, \(m.curve.meanPeriodMs.map { String(format: "%.1f ms", $0) } ?? "-")" }
        case .headlamp(let m):
            text = String(
                format: "headlamp %@: low %.0f cd at %.3f H %.0f mm, high %.0f cd, H = %.0f mm", m.side.rawValue, m.lowIntensityCd,
                m.lowVerticalH, m.lowHorizontalMm, m.highIntensityCd, m.centreHeightMm)
        case .emission(let m):
            let figures = m.figures.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value) }
            text = "emission \(m.method.rawValue): " + (figures + m.opacityReadings.map { String(format: "k %.2f", $0) }).joined(separator: ", ")
        }
        if let reason = measurement.quality.reason { text += " [\(reason.en)]" }
        if verbose { text += " (\(measurement.quality.samples) samples)" }
        return text
    }
}
