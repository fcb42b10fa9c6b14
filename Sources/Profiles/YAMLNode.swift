import Yams

/// A YAML node with the file it came from, and typed accessors that throw ``ProfileError``s
/// pointing at the node's line and column.
struct YAMLNode {
    let node: Node
    let file: String
    /// Dotted path for messages (`lanes[0].stations[1].rig.unit_id`).
    let path: String

    var line: Int { node.mark?.line ?? 0 }
    var column: Int { node.mark?.column ?? 0 }

    func error(_ reason: ProfileError.Reason) -> ProfileError {
        ProfileError(file: file, line: line, column: column, reason: reason)
    }

    /// Parses a whole file's text.
    static func parse(_ text: String, file: String) throws(ProfileError) -> YAMLNode {
        do {
            guard let root = try Yams.compose(yaml: text) else {
                throw ProfileError(file: file, line: 1, column: 1, reason: .yamlSyntax("the file is empty"))
            }
            return YAMLNode(node: root, file: file, path: "")
        } catch let error as ProfileError {
            throw error
        } catch let error as YamlError {
            let (line, column, detail) = Self.describe(error)
            throw ProfileError(file: file, line: line, column: column, reason: .yamlSyntax(detail))
        } catch {
            throw ProfileError(file: file, line: 0, column: 0, reason: .yamlSyntax("\(error)"))
        }
    }

    private static func describe(_ error: YamlError) -> (Int, Int, String) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return (mark.line, mark.column, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let mark = context.mark
            return (mark.line, mark.column, "duplicate keys \(duplicates.joined(separator: ", "))")
        default:
            return (0, 0, "\(error)")
        }
    }

    func child(_ node: Node, _ key: String) -> YAMLNode {
        YAMLNode(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    var name: String { path.isEmpty ? "the document" : path }

    // MARK: Shapes

    /// The node as a mapping whose keys must all be in `allowed`.
    func mapping(allowed: [String]) throws(ProfileError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error(.expected(what: "a mapping", key: name)) }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let keyString = key.string else {
                throw YAMLNode(node: key, file: file, path: path).error(.expected(what: "a string key", key: name))
            }
            guard allowed.contains(keyString) else {
                throw YAMLNode(node: key, file: file, path: path).error(.unknownKey(keyString, allowed: allowed))
            }
            entries.append((keyString, key, value))
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    /// The node as a mapping with arbitrary string keys, in file order.
    func pairs() throws(ProfileError) -> [(key: YAMLNode, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else { throw error(.expected(what: "a mapping", key: name)) }
        var result: [(key: YAMLNode, value: YAMLNode)] = []
        for (key, value) in mapping {
            guard let keyString = key.string else {
                throw YAMLNode(node: key, file: file, path: path).error(.expected(what: "a string key", key: name))
            }
            result.append((child(key, keyString), child(value, keyString)))
        }
        return result
    }

    func list() throws(ProfileError) -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw error(.expected(what: "a list", key: name)) }
        return sequence.enumerated().map { index, element in
            YAMLNode(node: element, file: file, path: "\(path)[\(index)]")
        }
    }

    // MARK: Scalars

    func string() throws(ProfileError) -> String {
        guard case .scalar(let scalar) = node else { throw error(.expected(what: "a string", key: name)) }
        return scalar.string
    }

    func int() throws(ProfileError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            throw error(.invalidValue(key: name, value: node.string ?? "…", expected: "a whole number"))
        }
        return value
    }

    func double() throws(ProfileError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
            throw error(.invalidValue(key: name, value: node.string ?? "…", expected: "a number"))
        }
        return value
    }

    /// `true` or `false` (YAML 1.1 spellings `yes`/`no`, `on`/`off` too).
    func bool() throws(ProfileError) -> Bool {
        guard case .scalar(let scalar) = node else { throw error(.expected(what: "true or false", key: name)) }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(.invalidValue(key: name, value: scalar.string, expected: "true or false"))
        }
    }

    func int(in range: ClosedRange<Int>) throws(ProfileError) -> Int {
        let value = try int()
        guard range.contains(value) else {
            throw error(.outOfRange(key: name, value: "\(value)", range: "\(range.lowerBound)…\(range.upperBound)"))
        }
        return value
    }

    func `enum`<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws(ProfileError) -> E where E.RawValue == String {
        let text = try string()
        guard let value = E(rawValue: text) else {
            throw error(
                .invalidValue(
                    key: name, value: text, expected: "one of \(E.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return value
    }
}

/// A mapping's entries, looked up by key.
struct YAMLMapping {
    let owner: YAMLNode
    let entries: [(key: String, keyNode: Node, value: Node)]

    subscript(key: String) -> YAMLNode? {
        entries.first { $0.key == key }.map { owner.child($0.value, $0.key) }
    }

    func required(_ key: String) throws(ProfileError) -> YAMLNode {
        guard let node = self[key] else {
            throw owner.error(.missingKey(owner.path.isEmpty ? key : "\(owner.path).\(key)"))
        }
        return node
    }
}
