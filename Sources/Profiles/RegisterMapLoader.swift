import Foundation
public import LaneCore

/// Reads register map files (`Firmware/maps/*.yaml`) into ``RegisterMap`` values and checks them:
/// known tables, types and word orders, types that fit their table, unique names, no two channels
/// (or two commands) sharing a register, ranges that make sense.
public enum RegisterMapLoader {
    static let mapKeys = ["model", "kind", "version", "word_order", "settings", "channels", "commands", "description"]
    static let channelKeys = [
        "name", "table", "address", "type", "word_order", "scale", "offset", "unit", "min", "max", "description",
    ]
    static let commandKeys = ["name", "table", "address", "type", "word_order", "scale", "offset", "description", "safe_value"]

    /// Loads and validates the register map at `path`.
    /// - Parameter displayName: how errors name the file (defaults to `path`).
    public static func load(path: String, displayName: String? = nil) throws(ProfileError) -> RegisterMap {
        let name = displayName ?? path
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ProfileError(file: name, line: 0, column: 0, reason: .cannotRead(error.localizedDescription))
        }
        return try parse(text, file: name)
    }

    /// Parses and validates a register map from YAML text; errors name `file`.
    public static func parse(_ text: String, file: String) throws(ProfileError) -> RegisterMap {
        let root = try YAMLNode.parse(text, file: file)
        let top = try root.mapping(allowed: mapKeys)
        let model = try top.required("model").string()
        let kind = try top.required("kind").enum(RigKind.self)
        let version = try top.required("version").string()
        let defaultOrder = try top["word_order"].map { node throws(ProfileError) in try wordOrder(node) } ?? .abcd
        var settings: [String: Double] = [:]
        if let node = top["settings"] {
            for (key, value) in try node.pairs() { settings[try key.string()] = try value.double() }
        }
        var channels: [RegisterMap.Channel] = []
        var channelNodes: [YAMLNode] = []
        for node in try top.required("channels").list() {
            channels.append(try channel(node))
            channelNodes.append(node)
        }
        var commands: [RegisterMap.Command] = []
        var commandNodes: [YAMLNode] = []
        for node in try top["commands"]?.list() ?? [] {
            commands.append(try command(node))
            commandNodes.append(node)
        }
        try checkNoOverlap(channels.map { ($0.name, $0.table, $0.address, $0.type) }, nodes: channelNodes)
        try checkNoOverlap(commands.map { ($0.name, $0.table, $0.address, $0.type) }, nodes: commandNodes)
        return RegisterMap(
            model: model, kind: kind, version: version, defaultWordOrder: defaultOrder, channels: channels,
            commands: commands, settings: settings)
    }

    static func wordOrder(_ node: YAMLNode) throws(ProfileError) -> WordOrder {
        let text = try node.string()
        guard let order = WordOrder(rawValue: text.uppercased()) else { throw node.error(.unknownWordOrder(text)) }
        return order
    }

    /// Table, address and type, checked against each other.
    static func location(_ fields: YAMLMapping, name: String) throws(ProfileError) -> (
        RegisterTable, Int, ValueType, WordOrder?
    ) {
        let tableNode = try fields.required("table")
        guard let table = RegisterTable(rawValue: try tableNode.string()) else {
            throw tableNode.error(.unknownTable(try tableNode.string()))
        }
        let typeNode = fields["type"]
        let typeText = try typeNode?.string() ?? (table == .coil || table == .discreteInput ? "bool" : "u16")
        guard let type = ValueType(rawValue: typeText) else {
            throw (typeNode ?? fields.owner).error(.unknownType(typeText))
        }
        let isBitTable = table == .coil || table == .discreteInput
        guard isBitTable == (type == .bool) else {
            throw (typeNode ?? tableNode).error(.typeNotAllowed(type: type.rawValue, table: table.rawValue))
        }
        let addressNode = try fields.required("address")
        let address = try addressNode.int(in: 0...(65536 - type.registerCount))
        var order: WordOrder?
        if let orderNode = fields["word_order"] {
            guard type.registerCount == 2 else { throw orderNode.error(.wordOrderOn16Bit(name: name)) }
            order = try wordOrder(orderNode)
        }
        return (table, address, type, order)
    }

    static func scaleAndOffset(_ fields: YAMLMapping) throws(ProfileError) -> (Double, Double) {
        let scale = try fields["scale"]?.double() ?? 1
        if scale == 0, let node = fields["scale"] {
            throw node.error(.invalidValue(key: node.name, value: "0", expected: "a non-zero number"))
        }
        return (scale, try fields["offset"]?.double() ?? 0)
    }

    static func channel(_ node: YAMLNode) throws(ProfileError) -> RegisterMap.Channel {
        let fields = try node.mapping(allowed: channelKeys)
        let name = try fields.required("name").string()
        let (table, address, type, order) = try location(fields, name: name)
        let (scale, offset) = try scaleAndOffset(fields)
        let minimum = try fields["min"]?.double()
        let maximum = try fields["max"]?.double()
        if let minimum, let maximum, minimum > maximum, let maxNode = fields["max"] {
            throw maxNode.error(.outOfRange(key: maxNode.name, value: "\(maximum)", range: "must be ≥ min \(minimum)"))
        }
        return RegisterMap.Channel(
            name: name, table: table, address: address, type: type, wordOrder: order, scale: scale, offset: offset,
            unit: try fields["unit"]?.string() ?? "", minimum: minimum, maximum: maximum,
            description: try fields["description"]?.string())
    }

    static func command(_ node: YAMLNode) throws(ProfileError) -> RegisterMap.Command {
        let fields = try node.mapping(allowed: commandKeys)
        let name = try fields.required("name").string()
        let (table, address, type, order) = try location(fields, name: name)
        guard table == .coil || table == .holding else {
            throw (fields["table"] ?? node).error(
                .invalidValue(key: "\(node.path).table", value: table.rawValue, expected: "coil or holding (writable)"))
        }
        let (scale, offset) = try scaleAndOffset(fields)
        var safeValue: Double?
        if let node = fields["safe_value"] {
            let value = try node.double()
            let raw = (value - offset) / (scale == 0 ? 1 : scale)
            let fits: Bool =
                switch type {
                case .bool: value == 0 || value == 1
                case .u16: raw.rounded() >= 0 && raw.rounded() <= 65_535
                case .i16: raw.rounded() >= -32_768 && raw.rounded() <= 32_767
                case .u32: raw.rounded() >= 0 && raw.rounded() <= 4_294_967_295
                case .i32: raw.rounded() >= -2_147_483_648 && raw.rounded() <= 2_147_483_647
                case .f32: raw.isFinite
                }
            guard fits else {
                throw node.error(.outOfRange(
                    key: node.name, value: "\(value)",
                    range: type == .bool ? "0 or 1 for a coil" : "a value the command's \(type.rawValue) register can hold"))
            }
            safeValue = value
        }
        return RegisterMap.Command(
            name: name, table: table, address: address, type: type, wordOrder: order, scale: scale, offset: offset,
            description: try fields["description"]?.string(), safeValue: safeValue)
    }

    /// Names must be unique and no register (or bit) may belong to two entries of the same table.
    static func checkNoOverlap(
        _ entries: [(name: String, table: RegisterTable, address: Int, type: ValueType)], nodes: [YAMLNode]
    ) throws(ProfileError) {
        var owners: [RegisterTable: [Int: String]] = [:]
        var names: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            if let first = names[entry.name] {
                throw nodes[index].error(.duplicateID(kind: "channel", id: entry.name, firstLine: nodes[first].line))
            }
            names[entry.name] = index
            for address in entry.address..<(entry.address + entry.type.registerCount) {
                if let other = owners[entry.table]?[address] {
                    throw nodes[index].error(
                        .channelOverlap(name: entry.name, other: other, table: entry.table.rawValue, address: address))
                }
                owners[entry.table, default: [:]][address] = entry.name
            }
        }
    }
}
