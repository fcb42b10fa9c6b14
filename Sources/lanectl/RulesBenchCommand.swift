import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import InspectionRules

/// `lanectl bench rules`: cases judged per second for a realistic full vehicle case, beside
/// baselines measured in the same run.
struct RulesBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Rule-engine throughput on a full vehicle case (3 axles with curves, 4 lamps, emissions).")

    @Option(help: "Seconds to run each measurement.")
    var seconds: Double = 2

    @Option(help: "Run only this measurement (engine, full, parse, foundation), e.g. under a profiler.")
    var only: String?

    func run() throws {
        let text = RulesBenchCommand.fullCase
        let bytes = Array(text.utf8)
        let document = try JSONParser.parse(bytes: bytes)
        let ruleCase = try RuleCase(json: document)
        let result = try RuleEngine.evaluate(ruleCase)
        print("case: \(result.items.count) items, verdict \(result.verdict.rawValue), \(bytes.count) bytes of JSON")

        var sink = 0
        if let only {
            switch only {
            case "engine": _ = measure("engine") { sink &+= (try? RuleEngine.evaluate(ruleCase))?.items.count ?? 0 }
            case "full": _ = measure("full") { sink &+= RulesInterface.evaluate(bytes: bytes, indent: nil).json.utf8.count }
            case "parse": _ = measure("parse") { if case .object(let o)? = try? JSONParser.parse(bytes: bytes) { sink &+= o.members.count } }
            default: _ = measure("foundation") { if let o = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] { sink &+= o.count } }
            }
            if sink == 42 { print("") }
            return
        }
        let engine = measure("engine: RuleEngine.evaluate (typed case → typed result)") {
            sink &+= (try? RuleEngine.evaluate(ruleCase))?.items.count ?? 0
        }
        let full = measure("end to end: parse + decode + evaluate + JSON with explanations") {
            sink &+= RulesInterface.evaluate(bytes: bytes, indent: nil).json.utf8.count
        }
        let parse = measure("baseline: our JSON parse of the same case") {
            if case .object(let o)? = try? JSONParser.parse(bytes: bytes) { sink &+= o.members.count }
        }
        // A trivial loop over the same case's data: one pass summing every curve sample, the
        // least any judging must do (it reads each sample at least once).
        let curves: [[Double]] = (ruleCase.brake.value?.axles.value ?? []).flatMap { axle in
            [axle.curve.value?.left ?? [], axle.curve.value?.right ?? []]
        }
        let trivial = measure("baseline: trivial loop summing the case's \(curves.reduce(0) { $0 + $1.count }) curve samples") {
            var total = 0.0
            for curve in curves { for sample in curve { total += sample } }
            sink &+= Int(total) & 1
        }
        let data = Data(bytes)
        let foundation = measure("baseline: Foundation JSONSerialization parse of the same case") {
            if let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] { sink &+= o.count }
        }
        print("")
        print(String(format: "engine / Foundation JSON parse = %.2f×   end to end / Foundation JSON parse = %.2f×", engine / foundation, full / foundation))
        print(String(format: "engine / trivial sample loop = %.3f× (the loop is %.0f× faster than judging)", engine / trivial, trivial / engine))
        print(String(format: "engine / our JSON parse = %.2f×   target > 100000 cases/s on one core: %@", engine / parse, engine > 100_000 ? "met" : "NOT met"))
        if sink == 42 { print("") }  // keeps the work observable
    }

    /// Runs `body` for about `seconds` of wall time and returns cases per second of this
    /// thread's CPU time: on a shared machine that is the figure for "one core"; the wall-clock
    /// rate is printed beside it.
    func measure(_ label: String, _ body: () -> Void) -> Double {
        for _ in 0..<1000 { body() }  // warm up
        let clock = ContinuousClock()
        let start = clock.now
        let startCPU = Self.threadCPUSeconds()
        var count = 0
        let budget = Duration.milliseconds(Int(seconds * 1000))
        while clock.now - start < budget {
            for _ in 0..<200 { body() }
            count += 200
        }
        let cpu = Self.threadCPUSeconds() - startCPU
        let wall = clock.now - start
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let perCPUSecond = Double(count) / cpu
        let padded = label + String(repeating: " ", count: max(0, 66 - label.count))
        print(padded + String(format: " %10.0f /s CPU (%7.2f µs each)  %10.0f /s wall", perCPUSecond, 1e6 / perCPUSecond, Double(count) / wallSeconds))
        return perCPUSecond
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// A three-axle in-use light truck: curves of 150 samples per side, four lamps, two-speed idle.
    static let fullCase: String = {
        func curve(_ peakL: Double, _ peakR: Double) -> String {
            var left: [String] = []
            var right: [String] = []
            for i in 0..<150 {
                let t = Double(i) / 100
                let rise = min(1, t)
                left.append(String(Int(peakL * rise * (1 - 0.02 * max(0, t - 1)))))
                right.append(String(Int(peakR * min(1, t * 1.05) * (1 - 0.03 * max(0, t - 1)))))
            }
            return "{\"period_ms\": 10, \"left\": [\(left.joined(separator: ","))], \"right\": [\(right.joined(separator: ","))]}"
        }
        return """
            {"ruleset": "CN-GB7258-2017",
             "vehicle": {"plate": "鲁G·12345", "type_code": "H31", "category": "N1", "use_phase": "in_use",
               "passenger_car": false, "seats": 3, "max_total_mass_kg": 3400, "curb_mass_kg": 1900,
               "service_brake": "hydraulic", "headlamp_system": 4, "max_design_speed_kmh": 110,
               "first_registered": "2018-03-01", "fuel": "gasoline", "emission_limit_set": "a"},
             "brake": {"unit": "daN", "parking_total": 520, "axles": [
               {"index": 1, "position": "front", "load": 1100, "curve": \(curve(420, 400)), "drag_left": 12, "drag_right": 15},
               {"index": 2, "position": "rear", "load": 700, "curve": \(curve(260, 250)), "drag_left": 8, "drag_right": 9},
               {"index": 3, "position": "rear", "load": 650, "curve": \(curve(240, 230)), "drag_left": 7, "drag_right": 6}]},
             "headlamps": [
               {"side": "left", "lamp": "main", "high_beam_cd": 16000, "low_beam_vertical_H": 0.72, "low_beam_horizontal_mm": -40},
               {"side": "right", "lamp": "main", "high_beam_cd": 15500, "low_beam_vertical_H": 0.70, "low_beam_horizontal_mm": 60},
               {"side": "left", "lamp": "aux", "high_beam_cd": 11000},
               {"side": "right", "lamp": "aux", "high_beam_cd": 12500}],
             "emission": {"method": "two_speed_idle", "idle_co_pct": 0.21, "idle_hc_ppm": 45, "idle_rpm": 760,
               "high_idle_co_pct": 0.11, "high_idle_hc_ppm": 28, "high_idle_lambda": 1.02, "high_idle_rpm": 2480}}
            """
    }()
}
