import LaneCore
import LaneTesting
import Profiles
import Testing

struct RegisterMapLoaderTests {
    let repository: Repository

    init() throws { repository = try Repository() }

    @Test(arguments: [
        ("brake", RigKind.brakeTester, "LC-RB3000", 19, 2),
        ("headlamp", RigKind.headlampTester, "LC-HL200", 23, 3),
        ("exhaust", RigKind.exhaustAnalyser, "LC-EA500", 22, 4),
    ])
    func shippedMapsLoad(kind: String, rigKind: RigKind, model: String, channels: Int, commands: Int) throws {
        let map = try RegisterMapLoader.load(path: repository.mapFile(kind))
        #expect(map.kind == rigKind)
        #expect(map.model == model)
        #expect(map.channels.count == channels)
        #expect(map.commands.count == commands)
        #expect(Set(map.channels.map(\.name)).count == map.channels.count)
    }

    @Test func brakeMapDeclaresTypesWordOrdersAndScales() throws {
        let map = try RegisterMapLoader.load(path: repository.mapFile("brake"))
        let force = try #require(map.channels.first { $0.name == "force_left" })
        #expect(force.table == .input && force.address == 0 && force.type == .u16 && force.scale == 0.1)
        #expect(force.unit == "daN" && force.minimum == 0 && force.maximum == 3000)
        let load = try #require(map.channels.first { $0.name == "load_left" })
        #expect(load.type == .f32 && load.wordOrder == .cdab)
        #expect(map.channels.first { $0.name == "pedal_force" }?.wordOrder == .badc)
        #expect(map.channels.first { $0.name == "heartbeat" }?.wordOrder == .dcba)
        #expect(map.channels.first { $0.name == "slip_left_pct" }?.type == .i16)
        #expect(map.defaultWordOrder == .abcd)
        #expect(map.settings["auto_stop_on_slip"] == 1)
        #expect(map.command("rollers_run")?.table == .coil)
        #expect(map.command("rollers_run")?.safeValue == 0)
        #expect(map.command("scale_zero")?.safeValue == nil)
    }

    @Test func typesOfTheThreeMapsCoverEveryValueTypeAndWordOrder() throws {
        let maps = try ["brake", "headlamp", "exhaust"].map { try RegisterMapLoader.load(path: repository.mapFile($0)) }
        let types = Set(maps.flatMap { $0.channels.map(\.type) })
        #expect(types == Set(ValueType.allCases))
        let orders = Set(maps.flatMap { map in
            map.channels.filter { $0.type.registerCount == 2 }.map { $0.wordOrder ?? map.defaultWordOrder }
        })
        #expect(orders == Set(WordOrder.allCases))
    }

    static let header = """
        model: X
        kind: brake_tester
        version: "1"
        channels:

        """

    /// Broken maps: the line marked `# <-` is where the error must point.
    @Test(arguments: [
        ("  - { name: a, table: input, address: 0, type: u32 }\n  - { name: b, table: input, address: 1, type: u16 } # <-\n", "overlaps a at input address 1"),
        ("  - { name: a, table: input, address: 0, type: u64 } # <-\n", "unknown type \"u64\""),
        ("  - { name: a, table: inputs, address: 0 } # <-\n", "unknown table \"inputs\""),
        ("  - { name: a, table: input, address: 0, type: bool } # <-\n", "type bool is not allowed in the input table"),
        ("  - { name: a, table: input, address: 0, type: u16, word_order: CDAB } # <-\n", "word_order applies only to 32-bit"),
        ("  - { name: a, table: input, address: 0, type: f32, word_order: CADB } # <-\n", "unknown word order \"CADB\""),
        ("  - { name: a, table: input, address: 0 }\n  - { name: a, table: input, address: 5 } # <-\n", "duplicate channel id \"a\""),
        ("  - { name: a, table: input, adress: 0 } # <-\n", "unknown key \"adress\""),
        ("  - { name: a, table: input, address: 0, scale: 0 } # <-\n", "is not a non-zero number"),
        ("  - { name: a, table: input, address: 0, min: 10, max: 5 } # <-\n", "out of range"),
        ("  - { name: a, table: input, address: 65535, type: u32 } # <-\n", "out of range"),
        ("  - { name: a, table: input, address: x1 } # <-\n", "is not a whole number"),
        ("  - { name: a, table: input address: 0 } # <-\n", "not valid YAML"),
        ("  - { table: input, address: 0 } # <-\n", "missing required key"),
    ])
    func brokenMapIsRefusedWithLineAndReason(channels: String, reason: String) throws {
        let text = Self.header + channels
        let expectedLine = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("# <-") }! + 1
        let error = try #require(throws: ProfileError.self) { try RegisterMapLoader.parse(text, file: "maps/x.yaml") }
        #expect(error.file == "maps/x.yaml")
        #expect(error.line == expectedLine, "\(error)")
        #expect(error.description.contains(reason), "\(error)")
        #expect(error.description.hasPrefix("maps/x.yaml:\(expectedLine):"))
        #expect(!error.descriptionZh.isEmpty)
    }

    @Test func commandInReadOnlyTableIsRefused() throws {
        let text = Self.header + "  - { name: a, table: input, address: 0 }\ncommands:\n  - { name: go, table: discrete_input, address: 0 }\n"
        let error = try #require(throws: ProfileError.self) { try RegisterMapLoader.parse(text, file: "m.yaml") }
        #expect(error.line == 7)
        #expect(error.description.contains("coil or holding"))
    }

    /// `safe_value`: what a failed write of the rig's safe state is retried with; it must fit the command's register.
    @Test(arguments: [
        ("  - { name: go, table: coil, address: 0, safe_value: 2 } # <-\n", "0 or 1 for a coil"),
        ("  - { name: load, table: holding, address: 0, type: u16, scale: 0.01, safe_value: 700 } # <-\n", "u16 register can hold"),
        ("  - { name: load, table: holding, address: 0, type: i16, safe_value: x } # <-\n", "is not a number"),
    ])
    func safeValueMustFitItsCommand(command: String, reason: String) throws {
        let text = Self.header + "  - { name: a, table: input, address: 0 }\ncommands:\n" + command
        let expectedLine = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("# <-") }! + 1
        let error = try #require(throws: ProfileError.self) { try RegisterMapLoader.parse(text, file: "m.yaml") }
        #expect(error.line == expectedLine, "\(error)")
        #expect(error.description.contains(reason), "\(error)")
        let good = Self.header + "  - { name: a, table: input, address: 0 }\ncommands:\n"
            + "  - { name: load, table: holding, address: 0, type: u16, scale: 0.01, safe_value: 0 }\n"
        #expect(try RegisterMapLoader.parse(good, file: "m.yaml").command("load")?.safeValue == 0)
    }

    @Test func missingMapFileSaysSoWithoutALine() throws {
        let error = try #require(throws: ProfileError.self) {
            try RegisterMapLoader.load(path: "/nonexistent/map.yaml")
        }
        #expect(error.file == "/nonexistent/map.yaml")
        #expect(error.description.contains("cannot read"))
    }
}
