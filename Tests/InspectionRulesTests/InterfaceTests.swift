import Foundation
import InspectionRules
import Testing

struct InterfaceTests {
    static let good = #"{"ruleset": "UK-MOT", "vehicle": {"category": "M1", "first_used": "2015-01-01"}, "brake": {"axles": [{"load": 500, "peak_left": 200, "peak_right": 200}]}}"#

    func errorPath(_ json: String) -> String? { inputError(json)?.path }

    @Test(arguments: [
        (#"{"ruleset": "XX"}"#, "ruleset"),
        (#"{"vehicle": {}}"#, "ruleset"),
        (#"{"ruleset": "CN-GB7258-2017", "brake": {"axles": [{"load": 0, "peak_left": 1, "peak_right": 1}]}}"#, "brake.axles[0].load"),
        (#"{"ruleset": "CN-GB7258-2017", "brake": {"axles": [{"load": 800, "peak_left": -1, "peak_right": 1}]}}"#, "brake.axles[0].peak_left"),
        (#"{"ruleset": "CN-GB7258-2017", "brake": {"axles": [{"load": 800}, {"load": "600"}]}}"#, "brake.axles[1].load"),
        (#"{"ruleset": "CN-GB7258-2017", "brake": {"unit": "lb"}}"#, "brake.unit"),
        (#"{"ruleset": "CN-GB7258-2017", "vehicle": {"use_phase": "old"}}"#, "vehicle.use_phase"),
        (#"{"ruleset": "CN-GB7258-2017", "vehicle": {"seats": 5.5}}"#, "vehicle.seats"),
        (#"{"ruleset": "CN-GB7258-2017", "vehicle": {"first_used": "20/04/2016"}}"#, "vehicle.first_used"),
        (#"{"ruleset": "CN-GB7258-2017", "headlamps": [{"lamp": "main"}]}"#, "headlamps[0].side"),
        (#"{"ruleset": "CN-GB7258-2017", "headlamps": {"side": "left"}}"#, "headlamps"),
        (#"{"ruleset": "CN-GB7258-2017", "emission": {"method": "free_acceleration", "opacity_readings_m1": [1, "2"]}}"#, "emission.opacity_readings_m1[1]"),
        (#"{"ruleset": "CN-GB7258-2017", "emission": {"idle_co_pct": 1}}"#, "emission.method"),
        (#"[1]"#, ""),
    ])
    func badInputNamesTheJSONPath(json: String, path: String) {
        let output = RulesInterface.evaluate(text: json)
        #expect(output.exitStatus == 2, "\(json)")
        #expect(output.json.contains(#""path": "\#(path)""#), "\(json) → \(output.json)")
        #expect(!output.diagnostics.isEmpty)
    }

    @Test func malformedJSONGivesLineAndColumn() {
        let output = RulesInterface.evaluate(text: "{\"ruleset\": \"UK-MOT\",\n \"brake\": {\"axles\": [1,]}}")
        #expect(output.exitStatus == 2)
        #expect(output.json.contains(#""path": "brake.axles[1]""#))
        #expect(output.json.contains("line 2"))
        for text in ["", "{", "[", "\"", "{\"a\": tru}", "01", "[1e999]", "{\"a\":1,\"a\":2}", String(repeating: "[", count: 10000), "\u{FEFF}{}"] {
            let result = RulesInterface.evaluate(text: text)
            #expect(result.exitStatus == 2, "\(text.prefix(20))")
        }
    }

    @Test func oneBadCaseInAnArrayDoesNotStopTheOthers() throws {
        let bad = #"{"ruleset": "CN-GB7258-2017", "brake": {"axles": [{"load": 0}]}}"#
        let output = RulesInterface.evaluate(text: "[\(Self.good), \(bad), \(Self.good)]", indent: nil)
        #expect(output.exitStatus == 2)
        #expect(output.diagnostics.count == 1)
        #expect(output.diagnostics[0].hasPrefix("error: case 1: brake.axles[0].load"))
        guard case .array(let results) = try JSONParser.parse(output.json) else {
            Issue.record("not an array")
            return
        }
        #expect(results.count == 3)
        if case .object(let first) = results[0] { #expect(first["verdict"] == .string("pass")) } else { Issue.record("first") }
        if case .object(let second) = results[1] { #expect(second["error"] != nil) } else { Issue.record("second") }
    }

    @Test func everyCaseJudgedExitsZeroWhateverTheVerdicts() throws {
        let failing = #"{"ruleset": "UK-MOT", "vehicle": {"category": "M1", "first_used": "2015-01-01"}, "brake": {"axles": [{"load": 500, "peak_left": 10, "peak_right": 10}]}}"#
        let output = RulesInterface.evaluate(text: "[\(Self.good), \(failing)]")
        #expect(output.exitStatus == 0)
        #expect(output.diagnostics.isEmpty)
        #expect(output.json.contains(#""verdict": "fail""#))
        let single = RulesInterface.evaluate(text: Self.good)
        guard case .object(let object) = try JSONParser.parse(single.json) else {
            Issue.record("not an object")
            return
        }
        #expect(object["ruleset"] == .string("UK-MOT"))
        #expect(object["ruleset_version"] != nil)
        #expect(RulesInterface.evaluate(text: "[]").json == "[]")
    }

    @Test func outputItemsHaveTheDocumentedShape() throws {
        let json = #"{"ruleset": "CN-GB7258-2017", "vehicle": {"type_code": "K33"}, "brake": {"axles": [{"load": 800, "peak_left": 330.333, "peak_right": null}]}}"#
        let output = RulesInterface.evaluate(text: json)
        guard case .object(let root) = try JSONParser.parse(output.json), case .array(let items)? = root["items"],
            case .object(let rate)? = items.first
        else {
            Issue.record("unexpected output \(output.json)")
            return
        }
        #expect(rate.members.map(\.key) == ["id", "value", "unit", "basis", "limit", "verdict", "severity", "clause", "explain", "missing"])
        #expect(rate["value"] == .null)
        #expect(rate["missing"] == .array([.string("brake.axles[0].peak_right")]))
        #expect(rate["severity"] == .null)
    }

    @Test func valuesAreRoundedForDisplayToHundredths() throws {
        let json = #"{"ruleset": "CN-GB7258-2017", "vehicle": {"type_code": "K33"}, "brake": {"axles": [{"load": 3, "peak_left": 1, "peak_right": 1}]}}"#
        #expect(RulesInterface.evaluate(text: json).json.contains(#""value": 66.67"#))
    }

    /// Runs the built `lanectl` binary, which sits next to the test bundle in `.build/<config>/`.
    @Test(.timeLimit(.minutes(5)))
    func lanectlRulesEvaluateReadsStandardInputAndSetsTheExitStatus() throws {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lanectl"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/lanectl"),
        ]
        let binary = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "build lanectl first")
        func run(_ input: String, _ arguments: [String] = ["rules", "evaluate", "-"]) throws -> (Int32, String, String) {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            let stdin = Pipe()
            let stdout = Pipe()
            let stderr = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            let out = stdout.fileHandleForReading.readDataToEndOfFile()
            let err = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
        }
        let (okStatus, okOut, _) = try run(Self.good)
        #expect(okStatus == 0)
        #expect(okOut.contains(#""ruleset": "UK-MOT""#))
        let (badStatus, badOut, badErr) = try run(#"{"ruleset": "CN-GB7258-2017", "brake": {"axles": [{"load": -5}]}}"#)
        #expect(badStatus == 2)
        #expect(badOut.contains(#""path": "brake.axles[0].load""#))
        #expect(badErr.contains("brake.axles[0].load"))
        let (listStatus, listOut, _) = try run("", ["rules", "list"])
        #expect(listStatus == 0)
        #expect(listOut.contains("CN-GB7258-2017") && listOut.contains("UK-MOT") && listOut.contains("EU-2014-45"))
        let (showStatus, showOut, _) = try run("", ["rules", "show", "EU-2014-45"])
        #expect(showStatus == 0)
        #expect(showOut.contains("R ⚠ confirm"))
    }
}

struct JSONTests {
    @Test(arguments: [
        #"{"a": "q\"b\\s\u0001\n\t\r/é 鲁G·12345 \ud83d\ude97", "n": [0, -0.5, 1e-7, 123456789012345678, 0.1, 1.7976931348623157e308], "o": {}, "e": [], "t": true, "f": false, "z": null}"#,
        #"[{"x": [[1, 2], [3]]}, "s"]"#,
    ])
    func writerOutputParsesBackToTheSameValue(text: String) throws {
        let value = try JSONParser.parse(text)
        for indent in [nil, "  "] as [String?] {
            let written = JSONWriter(indent: indent).write(value)
            #expect(try JSONParser.parse(written) == value, "\(written)")
        }
    }

    @Test func fastNumberPathAgreesWithTheStandardLibrary() throws {
        for text in ["0.1", "0.05", "330", "9.80665", "59.95", "-24.05", "123456789012345", "1234567890123456", "0.000000000000000000001", "17.5e1"] {
            guard case .number(let value) = try JSONParser.parse(text) else {
                Issue.record("\(text) is not a number")
                continue
            }
            #expect(value == Double(text)!, "\(text)")
        }
    }
}
