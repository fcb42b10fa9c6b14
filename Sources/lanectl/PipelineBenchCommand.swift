import ArgumentParser
import Foundation
import InspectionRules
import LaneCore
import Procedures

/// `lanectl bench pipeline`: samples per second through the station procedures and the rules,
/// beside a loop that only walks the same samples; latency from the last sample of an item to its
/// verdict event at a subscriber; and time from a slip sample to the stop-rollers command.
struct PipelineBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Pipeline throughput (samples/s) and verdict latency, replaying a recorded inspection.")

    @Option(help: "A recorded inspection (JSON lines) to replay.")
    var recording = "Tests/ProceduresTests/Recordings/sound_car_brake.jsonl"

    @Option(help: "Seconds to run each throughput measurement.")
    var seconds: Double = 3

    @Option(help: "Inspections replayed for the latency figures.")
    var passes = 300

    @Option(help: "Slips provoked on a simulated brake tester over loopback (0 to skip; about 5 s each).")
    var slipRuns = 10

    @Option(help: "Microseconds the producer pauses after each input that published a verdict, so each verdict meets an idle subscriber as on a lane (items complete seconds apart); 0 sends back to back.")
    var verdictGapUs = 1000

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: recording, encoding: .utf8)
        } catch {
            print("lanectl bench pipeline: cannot read \(recording) (run from the package root or pass --recording): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let file = try InspectionRecording(jsonLines: text)
        let inputs = file.lines.compactMap { if case .input(let input) = $0 { input } else { nil } }
        let samples = inputs.reduce(0) { if case .sample = $1 { $0 + 1 } else { $0 } }
        let check = try file.replay()
        print("recording: \(recording): \(samples) samples, \(check.verdicts.count) verdicts, \(check.measurements.count) measurements")
        print("replay identical to the recording: \(check.differences.isEmpty ? "yes" : "NO (\(check.differences.count) differences)")")
        print("")

        // Throughput: whole inspections through fresh pipelines, one core (this thread).
        var sink = 0.0
        let pipelineRate = try measure("pipeline: procedures + measurements + rules + events", samples: samples) {
            var pipeline = try file.makePipeline()
            var events: [PipelineEvent] = []
            events.reserveCapacity(16)
            for input in inputs {
                pipeline.handle(input, into: &events)
                if events.count > 8 {
                    sink += Double(events.count)
                    events.removeAll(keepingCapacity: true)
                }
            }
            sink += Double(pipeline.measurements.count)
        }
        let baselineRate = try measure("baseline: iterate the same samples, sum one channel", samples: samples) {
            for input in inputs {
                if case .sample(let sample) = input { sink += sample.values[0] }
            }
        }
        print(String(format: "pipeline / baseline = %.3f   target > 1 000 000 samples/s on one core: %@", pipelineRate / baselineRate,
                     pipelineRate > 1_000_000 ? "met" : "NOT met"))
        print("")

        try await latency(file: file, inputs: inputs)
        if sink == 42 { print("") }
    }

    func measure(_ label: String, samples: Int, _ body: () throws -> Void) throws -> Double {
        for _ in 0..<3 { try body() }
        let clock = ContinuousClock()
        let start = clock.now
        var runs = 0
        let budget = Duration.milliseconds(Int(seconds * 1000))
        while clock.now - start < budget {
            try body()
            runs += 1
        }
        let elapsed = (clock.now - start).seconds
        let rate = Double(runs * samples) / elapsed
        let padded = label + String(repeating: " ", count: max(0, 60 - label.count))
        print(padded + String(format: " %14.0f samples/s  (%d inspections, %.1f ns/sample)", rate, runs, 1e9 / rate))
        return rate
    }

    func report(_ label: String, _ values: [Duration], target: String?, limit: Duration?) {
        guard !values.isEmpty else {
            print("\(label): no samples")
            return
        }
        let sorted = values.sorted()
        func at(_ q: Double) -> Duration { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        let p50 = at(0.5), p99 = at(0.99), max = sorted.last!
        var line = String(format: "%@: n=%d p50 %.1f µs  p99 %.1f µs  max %.1f µs", label, values.count, p50.seconds * 1e6, p99.seconds * 1e6, max.seconds * 1e6)
        if let target, let limit { line += "   target \(target): \(p99 < limit ? "met" : "NOT met")" }
        print(line)
    }
}
