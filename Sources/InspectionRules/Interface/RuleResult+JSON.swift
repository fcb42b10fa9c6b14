extension RuleResult {
    /// The result as `standards.md` §8 JSON (values rounded for display to 0.01).
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(key: "ruleset", value: .string(ruleset.rawValue)),
                .init(key: "ruleset_version", value: .string(rulesetVersion)),
                .init(key: "verdict", value: .string(verdict.rawValue)),
                .init(key: "items", value: .array(items.map(\.json))),
            ]))
    }
}

extension RuleItem {
    /// The item as `standards.md` §8 JSON.
    public var json: JSONValue {
        var members: [JSONObject.Member] = [
            .init(key: "id", value: .string(id)),
            .init(key: "value", value: value.map { .number(Rounding.display($0)) } ?? .null),
            .init(key: "unit", value: .string(unit)),
        ]
        if let basis { members.append(.init(key: "basis", value: .string(basis.rawValue))) }
        var limitMembers: [JSONObject.Member] = []
        if let min = limit?.min { limitMembers.append(.init(key: "min", value: .number(min))) }
        if let max = limit?.max { limitMembers.append(.init(key: "max", value: .number(max))) }
        members.append(.init(key: "limit", value: limit == nil ? .null : .object(JSONObject(limitMembers))))
        members.append(.init(key: "verdict", value: .string(verdict.rawValue)))
        members.append(.init(key: "severity", value: severity.map { .string($0.rawValue) } ?? .null))
        members.append(.init(key: "clause", value: .string(clause)))
        let text = explain
        members.append(
            .init(key: "explain", value: .object(JSONObject([.init(key: "en", value: .string(text.en)), .init(key: "zh", value: .string(text.zh))]))))
        if verdict == .incomplete {
            members.append(.init(key: "missing", value: .array(missing.map { .string($0) })))
        }
        return .object(JSONObject(members))
    }
}

extension RuleInputError {
    /// `{"error": {"path": …, "message": …, "message_zh": …}}`, in the failed case's place.
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(
                    key: "error",
                    value: .object(
                        JSONObject([
                            .init(key: "path", value: .string(path)),
                            .init(key: "message", value: .string(message)),
                            .init(key: "message_zh", value: .string(messageZH)),
                        ])))
            ]))
    }
}

/// `lanectl rules evaluate` as a library function: JSON text in, JSON text and diagnostics out.
public enum RulesInterface {
    /// What evaluating a document produced.
    public struct Output: Sendable, Hashable {
        /// The JSON printed on standard output (a result or error per case, in order).
        public var json: String
        /// One readable line per case that could not be judged, for standard error.
        public var diagnostics: [String]
        /// 0 when every case was judged (whatever the verdicts), 2 otherwise.
        public var exitStatus: Int32
    }

    /// Judges one JSON case or a JSON array of cases. Never traps on bad input.
    public static func evaluate(text: String, indent: String? = "  ") -> Output {
        evaluate(bytes: Array(text.utf8), indent: indent)
    }

    /// Judges one JSON case or a JSON array of cases given as UTF-8 bytes.
    public static func evaluate(bytes: [UInt8], indent: String? = "  ") -> Output {
        let writer = JSONWriter(indent: indent)
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes: bytes)
        } catch {
            let failure = RuleInputError(
                path: error.path, message: error.description,
                messageZH: "JSON 格式错误（第 \(error.line) 行，第 \(error.column) 列）：\(error.reason)")
            return Output(json: writer.write(failure.json), diagnostics: [diagnostic(failure, case: nil)], exitStatus: 2)
        }
        var diagnostics: [String] = []
        if case .array(let cases) = document {
            var outputs: [JSONValue] = []
            outputs.reserveCapacity(cases.count)
            for (offset, element) in cases.enumerated() {
                switch judge(element) {
                case .success(let result): outputs.append(result.json)
                case .failure(let failure):
                    outputs.append(failure.json)
                    diagnostics.append(diagnostic(failure, case: offset))
                }
            }
            return Output(json: writer.write(.array(outputs)), diagnostics: diagnostics, exitStatus: diagnostics.isEmpty ? 0 : 2)
        }
        switch judge(document) {
        case .success(let result): return Output(json: writer.write(result.json), diagnostics: [], exitStatus: 0)
        case .failure(let failure):
            return Output(json: writer.write(failure.json), diagnostics: [diagnostic(failure, case: nil)], exitStatus: 2)
        }
    }

    /// Decodes and judges one case.
    public static func judge(_ value: JSONValue) -> Result<RuleResult, RuleInputError> {
        do {
            let ruleCase = try RuleCase(json: value)
            return .success(try RuleEngine.evaluate(ruleCase))
        } catch {
            return .failure(error)
        }
    }

    static func diagnostic(_ failure: RuleInputError, case index: Int?) -> String {
        let prefix = index.map { "case \($0): " } ?? ""
        let path = failure.path.isEmpty ? "" : "\(failure.path): "
        return "error: \(prefix)\(path)\(failure.message) / \(failure.messageZH)"
    }
}
