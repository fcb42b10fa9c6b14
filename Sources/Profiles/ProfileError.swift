public import LaneCore

/// A lane profile or register map that cannot be used, with the file, line and column it came from
/// and the reason, in English and Chinese.
///
/// `description` reads `LaneProfiles/demo.yaml:12:9: unknown rig model "LC-X" (known: LC-EA500, …)`.
public struct ProfileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file as the loader was given it (or as the profile names it, for a register map).
    public var file: String
    /// 1-based line, 0 when the error concerns the whole file (it cannot be read).
    public var line: Int
    /// 1-based column, 0 when unknown.
    public var column: Int
    public var reason: Reason

    public init(file: String, line: Int, column: Int, reason: Reason) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `file:line:column: reason` in English.
    public var description: String { "\(location): \(reason.english)" }
    /// `file:line:column: reason` in Chinese (zh-CN).
    public var descriptionZh: String { "\(location): \(reason.chinese)" }
    /// `file:line:column`.
    public var location: String { "\(file):\(line):\(column)" }

    /// Why a profile or map was refused.
    public enum Reason: Hashable, Sendable {
        case cannotRead(String)
        case yamlSyntax(String)
        /// The node is not of the expected shape (`"a mapping"`, `"a list"`, `"a number"` …).
        case expected(what: String, key: String)
        case missingKey(String)
        case unknownKey(String, allowed: [String])
        case invalidValue(key: String, value: String, expected: String)
        case unknownRigModel(String, known: [String])
        case missingRegisterMap(model: String, path: String)
        case mapModelMismatch(mapModel: String, profileModel: String)
        case wrongRigKind(station: StationKind, needs: RigKind, got: RigKind)
        case duplicateID(kind: String, id: String, firstLine: Int)
        case duplicateStation(StationKind, lane: String)
        case badTransport(String)
        case outOfRange(key: String, value: String, range: String)
        case unknownType(String)
        case unknownTable(String)
        case unknownWordOrder(String)
        case typeNotAllowed(type: String, table: String)
        case wordOrderOn16Bit(name: String)
        case channelOverlap(name: String, other: String, table: String, address: Int)
        case unitIDInUse(unitID: Int, link: String, rig: String)
        case serialSettingsDiffer(device: String, rig: String)
        case unknownScenario(String, known: [String])
        case unknownFault(String, known: [String])
        /// `dynamometer: true` on a station other than the emission station.
        case dynamometerNotOnEmission(StationKind, lane: String)

        /// The reason in English, with what to do where it is not obvious.
        public var english: String {
            switch self {
            case .cannotRead(let detail): "cannot read the file: \(detail)"
            case .yamlSyntax(let detail): "not valid YAML: \(detail)"
            case .expected(let what, let key): "\(key) must be \(what)"
            case .missingKey(let key): "missing required key \"\(key)\""
            case .unknownKey(let key, let allowed):
                "unknown key \"\(key)\" (allowed here: \(allowed.joined(separator: ", ")))"
            case .invalidValue(let key, let value, let expected): "\(key): \"\(value)\" is not \(expected)"
            case .unknownRigModel(let model, let known):
                "unknown rig model \"\(model)\": add it under rig_models (known: \(known.joined(separator: ", ")))"
            case .missingRegisterMap(let model, let path): "register map of \(model) not found at \(path)"
            case .mapModelMismatch(let mapModel, let profileModel):
                "the register map describes model \"\(mapModel)\", not \"\(profileModel)\""
            case .wrongRigKind(let station, let needs, let got):
                "a \(station.rawValue) station needs a \(needs.rawValue), this rig model is a \(got.rawValue)"
            case .duplicateID(let kind, let id, let firstLine):
                "duplicate \(kind) id \"\(id)\" (first used on line \(firstLine))"
            case .duplicateStation(let kind, let lane): "lane \(lane) has two \(kind.rawValue) stations"
            case .badTransport(let detail): "bad transport: \(detail)"
            case .outOfRange(let key, let value, let range): "\(key) \(value) is out of range (\(range))"
            case .unknownType(let type):
                "unknown type \"\(type)\" (use one of \(ValueType.allCases.map(\.rawValue).joined(separator: ", ")))"
            case .unknownTable(let table):
                "unknown table \"\(table)\" (use one of \(RegisterTable.allCases.map(\.rawValue).joined(separator: ", ")))"
            case .unknownWordOrder(let order):
                "unknown word order \"\(order)\" (use one of \(WordOrder.allCases.map(\.rawValue).joined(separator: ", ")))"
            case .typeNotAllowed(let type, let table): "type \(type) is not allowed in the \(table) table"
            case .wordOrderOn16Bit(let name): "\(name): word_order applies only to 32-bit types"
            case .channelOverlap(let name, let other, let table, let address):
                "\(name) overlaps \(other) at \(table) address \(address)"
            case .unitIDInUse(let unitID, let link, let rig): "unit id \(unitID) on \(link) is already used by \(rig)"
            case .serialSettingsDiffer(let device, let rig):
                "\(device) is already used by \(rig) with different serial settings"
            case .unknownScenario(let name, let known):
                "unknown scenario \"\(name)\" (known: \(known.joined(separator: ", ")))"
            case .unknownFault(let name, let known): "unknown fault \"\(name)\" (known: \(known.joined(separator: ", ")))"
            case .dynamometerNotOnEmission(let kind, let lane):
                "lane \(lane): dynamometer applies only to the emission station (ASM), not the \(kind.rawValue) station; move it to the emission station or remove it"
            }
        }

        /// The reason in Chinese (zh-CN).
        public var chinese: String {
            switch self {
            case .cannotRead(let detail): "无法读取文件：\(detail)"
            case .yamlSyntax(let detail): "YAML 语法错误：\(detail)"
            case .expected(let what, let key): "\(key) 的格式不对（应为 \(what)）"
            case .missingKey(let key): "缺少必填字段 \"\(key)\""
            case .unknownKey(let key, let allowed): "未知字段 \"\(key)\"（此处允许：\(allowed.joined(separator: "、"))）"
            case .invalidValue(let key, let value, let expected): "\(key)：\"\(value)\" 不是 \(expected)"
            case .unknownRigModel(let model, let known):
                "未知的设备型号 \"\(model)\"，请在 rig_models 中登记（已知：\(known.joined(separator: "、"))）"
            case .missingRegisterMap(let model, let path): "找不到 \(model) 的寄存器表：\(path)"
            case .mapModelMismatch(let mapModel, let profileModel): "寄存器表描述的是型号 \"\(mapModel)\"，不是 \"\(profileModel)\""
            case .wrongRigKind(let station, let needs, let got):
                "\(station.rawValue) 工位需要 \(needs.rawValue)，该型号是 \(got.rawValue)"
            case .duplicateID(let kind, let id, let firstLine): "\(kind) 编号 \"\(id)\" 重复（第 \(firstLine) 行已使用）"
            case .duplicateStation(let kind, let lane): "检测线 \(lane) 有两个 \(kind.rawValue) 工位"
            case .badTransport(let detail): "通信方式配置错误：\(detail)"
            case .outOfRange(let key, let value, let range): "\(key) 的值 \(value) 超出范围（\(range)）"
            case .unknownType(let type): "未知的数据类型 \"\(type)\""
            case .unknownTable(let table): "未知的寄存器区 \"\(table)\""
            case .unknownWordOrder(let order): "未知的字序 \"\(order)\""
            case .typeNotAllowed(let type, let table): "\(table) 区不能使用 \(type) 类型"
            case .wordOrderOn16Bit(let name): "\(name)：word_order 只适用于 32 位类型"
            case .channelOverlap(let name, let other, let table, let address):
                "\(name) 与 \(other) 在 \(table) 区地址 \(address) 重叠"
            case .unitIDInUse(let unitID, let link, let rig): "\(link) 上的站号 \(unitID) 已被 \(rig) 使用"
            case .serialSettingsDiffer(let device, let rig): "\(device) 已被 \(rig) 以不同的串口参数使用"
            case .unknownScenario(let name, let known): "未知的模拟场景 \"\(name)\"（已知：\(known.joined(separator: "、"))）"
            case .unknownFault(let name, let known): "未知的故障类型 \"\(name)\"（已知：\(known.joined(separator: "、"))）"
            case .dynamometerNotOnEmission(let kind, let lane):
                "检测线 \(lane)：dynamometer（底盘测功机，ASM工况法）只能用于排放工位，不能用于 \(kind.rawValue) 工位；请移到排放工位或删除"
            }
        }
    }
}
