/// A limit table as shown to an operator (`lanectl rules show`): every row says where its
/// numbers come from, and recalled (R) rows are flagged for confirmation.
public struct LimitTable: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var cells: [String]
        public var source: SourceTag
        public init(_ cells: [String], _ source: SourceTag) {
            self.cells = cells
            self.source = source
        }
    }
    public var id: String
    public var title: String
    public var titleZH: String
    public var columns: [String]
    public var rows: [Row]
    /// Where the numbers were read (`standards.md` §0 source keys).
    public var reference: String
    /// True when any row is recalled (R) and must be confirmed.
    public var needsConfirmation: Bool { rows.contains { $0.source.needsConfirmation } }
}

/// A ruleset's description: identity, version, what it covers, its tables.
public struct RulesetDescription: Sendable, Hashable {
    public var id: RulesetID
    public var version: String
    public var title: String
    public var titleZH: String
    /// Rounding before comparison, described for operators.
    public var rounding: String
    public var tables: [LimitTable]
}

/// The rulesets this build knows.
public enum RulesetCatalog {
    /// Every ruleset, in `lanectl rules list` order.
    public static let all: [RulesetDescription] = [cn, uk, eu]

    /// The description of `id`.
    public static func ruleset(_ id: RulesetID) -> RulesetDescription {
        switch id {
        case .cnGB7258: cn
        case .ukMOT: uk
        case .eu201445: eu
        }
    }

    static func n(_ value: Double?) -> String { value.map { JSONWriter.format($0) } ?? "–" }

    static let cn: RulesetDescription = {
        var tables: [LimitTable] = []
        tables.append(
            LimitTable(
                id: "cn.brake.service", title: "Service brake, roller tester, unladen (%, minimum)",
                titleZH: "行车制动（滚筒，空载，%，不小于）",
                columns: ["class", "类别", "vehicle rate", "front axle", "rear axle", "imbalance", "drag", "parking"],
                rows: CNVehicleClass.allCases.map { c in
                    let row = CNTables.brake[c]!
                    return LimitTable.Row(
                        [c.rawValue, c.chinese, n(row.vehicleRate), n(row.frontAxle), n(row.rearAxle),
                         row.imbalance ? "judged" : "–", row.drag ? "judged" : "–", row.parking ? "judged" : "–"],
                        c == .tractor ? .recalled : .vendor)
                }, reference: "NH-STD GetBrake_7258_2017 (tractor row: judged as \"other vehicles\", R)"))
        let im = CNTables.imbalance
        tables.append(
            LimitTable(
                id: "cn.brake.imbalance", title: "Brake imbalance (%, maximum)", titleZH: "制动不平衡率（%，不大于）",
                columns: ["axle / form", "new registration", "in use"],
                rows: [
                    .init(["front axle, difference / larger peak", n(im.front.new), n(im.front.inUse)], .standard),
                    .init(["rear/other axle, axle rate ≥ 60 %, difference / larger peak", n(im.rearRatio.new), n(im.rearRatio.inUse)], .standard),
                    .init(["rear/other axle, axle rate < 60 %, difference / axle load", n(im.rearLoad.new), n(im.rearLoad.inUse)], .standard),
                ], reference: "JUMP (GB 7258 quote: 20/24/8 new), NH-JUD (in-use 24/30/10, V-vendor)"))
        tables.append(
            LimitTable(
                id: "cn.brake.drag_parking", title: "Drag and parking brake (%)", titleZH: "阻滞率与驻车制动率（%）",
                columns: ["item", "limit"],
                rows: [
                    .init(["wheel drag / axle load, each wheel, maximum", n(CNTables.dragMax)], .vendor),
                    .init(["parking / vehicle weight, minimum", n(CNTables.parking.normal)], .secondary),
                    .init(["parking when max total mass < 1.2 × curb mass", n(CNTables.parking.reduced)], .secondary),
                    .init(["parking when a mass is unknown (vendor fallback)", n(CNTables.parking.normal)], .vendor),
                ], reference: "NH-JUD, AH1, AH2"))
        tables.append(
            LimitTable(
                id: "cn.headlamp.high_beam", title: "High-beam intensity (cd, minimum): 1 / 2 / 4 lamps",
                titleZH: "远光发光强度（cd，不小于）：一灯/两灯/四灯制",
                columns: ["lamp class", "new 1", "new 2", "new 4", "in use 1", "in use 2", "in use 4"],
                rows: CNTables.LampClass.allCases.map { c in
                    let row = CNTables.highBeam[c]!
                    return .init([c.rawValue] + row.new.map(n) + row.inUse.map(n), .vendor)
                } + [.init(["sum of all high beams, maximum", n(CNTables.highBeamTotalMax), "", "", "", "", ""], .vendor)],
                reference: "NH-STD GetHeadLight_7258(_2017), NH-JUD IntJud; 4-lamp: a symmetric pair at the 2-lamp limit passes (GB note R)"))
        tables.append(
            LimitTable(
                id: "cn.headlamp.position", title: "Low-beam position at 10 m", titleZH: "近光光束照射位置（10 m）",
                columns: ["vehicle", "vertical (H)", "horizontal (mm)"],
                rows: [
                    .init(["passenger car", "0.70 – 0.90", "left ≤ 170, right ≤ 350"], .recalled),
                    .init(["other vehicles", "0.60 – 0.80", "left ≤ 170, right ≤ 350"], .recalled),
                ], reference: "NH-STD GetHeadLight_7258 (GB 7258-2012 branch, V-vendor); same numbers for 2017/38900 R"))
        tables.append(
            LimitTable(
                id: "cn.emission.gasoline", title: "GB 18285-2018 gasoline limits", titleZH: "GB 18285-2018 汽油车限值",
                columns: ["set", "idle CO %", "idle HC ppm", "high idle CO %", "high idle HC ppm", "λ", "ASM5025 CO/HC/NO", "ASM2540 CO/HC/NO", "VMAS CO/HC/NOx g/km"],
                rows: ["a", "b"].map { key in
                    let s = CNTables.emissionSets[key]!
                    return .init(
                        [key, n(s.idleCO), n(s.idleHC), n(s.highIdleCO), n(s.highIdleHC), "\(n(s.lambda.min)) – \(n(s.lambda.max))",
                         s.asm5025.map(n).joined(separator: " / "), s.asm2540.map(n).joined(separator: " / "),
                         s.vmas.map(n).joined(separator: " / ")], s.tag)
                }, reference: "NH-EMI LimitOfDIS/ASM/VMAS.ini (set a); set b recalled"))
        tables.append(
            LimitTable(
                id: "cn.emission.diesel", title: "GB 3847 diesel limits", titleZH: "GB 3847 柴油车限值",
                columns: ["set", "free acceleration m-1", "lug-down k100/k80 m-1", "lug-down NOx80 ppm", "min wheel power"],
                rows: [
                    .init(["a", "1.2 (R)", "1.2", "1500", "40 % of rated power (R)"], .vendor),
                    .init(["b", "0.7", "0.7", "900", "40 % of rated power"], .recalled),
                    .init(["2005", "natural 2.5, turbo 3.0", "–", "–", "–"], .vendor),
                ], reference: "NH-EMI ResultOfLUGDOWN.ini, LimitOfLUGDOWN.ini; NH-STD GetFAOPA_7258; free acceleration a and b R"))
        return RulesetDescription(
            id: .cnGB7258, version: "2026.11.1", title: "GB 7258-2017 with GB 38900-2020, GB 18285-2018, GB 3847-2018",
            titleZH: "GB 7258-2017、GB 38900-2020、GB 18285-2018、GB 3847-2018",
            rounding: "brake percentages half-up to 0.1 % before comparing; lamp H ratios half-up to 0.01; others as measured; a value at the limit passes",
            tables: tables)
    }()

    static let uk = RulesetDescription(
        id: .ukMOT, version: "2026.11.1", title: "MOT inspection manual, class 4 (cars and passenger vehicles)",
        titleZH: "英国MOT检验手册（第4类：轿车及客车）",
        rounding: "compared as measured (tolerance 1e-9 for unit conversion); a value at the limit passes",
        tables: [
            LimitTable(
                id: "uk.brake", title: "Brake efficiency (% of test weight, minimum) and imbalance",
                titleZH: "制动效率（占检验重量%，不小于）与不平衡", columns: ["rule", "value"],
                rows: [
                    .init(["M1 first used on/after 2010-09-01", "58"], .standard),
                    .init(["M1 before 2010-09-01; N1; M2/M3 on/after 1968-01-01", "50"], .standard),
                    .init(["M2/M3 before 1968-01-01", "45"], .standard),
                    .init(["L2/L6 40; L5 on/after 1968 50, earlier 40; L7 50", "40 / 50"], .standard),
                    .init(["parking brake", "16"], .standard),
                    .init(["below requirement: major; below 50 % of it: dangerous", ""], .standard),
                    .init(["more than half of the wheels locked: requirement met", ""], .standard),
                    .init(["imbalance (higher − lower) / higher > 30 %: major; > 50 % on a steered axle: dangerous; lower wheel locked: met", "30"], .standard),
                ], reference: "MOT (manual 1.2.1, 1.2.2, 1.4.2), MOT-BLOG1, PRM"),
            LimitTable(
                id: "uk.headlamp", title: "Dipped-beam aim (% below horizontal)", titleZH: "近光下倾（%）",
                columns: ["lamp centre height", "range"],
                rows: [.init(["≤ 850 mm", "0.5 – 2.75"], .standard), .init(["> 850 mm", "1.25 – 2.75"], .standard)],
                reference: "MOT 4.1.2, MOT-BLOG2"),
            LimitTable(
                id: "uk.emission", title: "Emissions", titleZH: "排放", columns: ["rule", "limit"],
                rows: [
                    .init(["petrol first used on/after 1992-08-01: fast idle CO / HC / λ; natural idle CO", "0.2 % / 200 ppm / 0.97–1.03; 0.3 %"], .standard),
                    .init(["non-catalyst 1986-08-01 – 1992-07-31: CO / HC", "3.5 % / 1200 ppm"], .secondary),
                    .init(["non-catalyst 1975-08-01 – 1986-07-31: CO / HC", "4.5 % / 1200 ppm"], .secondary),
                    .init(["diesel before 2008-07-01 (natural / turbo)", "2.5 / 3.0 m-1"], .standard),
                    .init(["diesel 2008-07-01 – 2013-12-31", "1.5 m-1"], .standard),
                    .init(["diesel on/after 2014-01-01", "0.7 m-1"], .standard),
                    .init(["plate value when present; sequence: first ≤ 60 %, mean of first 3, any 3 consecutive, up to 6", ""], .standard),
                ], reference: "MOT 8.2.1.2, 8.2.2.2; UK-D; UK-OLD"),
        ])

    static let eu = RulesetDescription(
        id: .eu201445, version: "2026.11.1", title: "Directive 2014/45/EU Annex III", titleZH: "欧盟2014/45/EU指令附件III",
        rounding: "compared as measured (tolerance 1e-9 for unit conversion); a value at the limit passes",
        tables: [
            LimitTable(
                id: "eu.brake", title: "Braking ratio (% of test weight, minimum)", titleZH: "制动比（%，不小于）",
                columns: ["category", "value"],
                rows: [
                    .init(["M1 first used on/after 2012-01-01", "58"], .recalled),
                    .init(["M1 earlier; M2; M3", "50"], .recalled),
                    .init(["N1", "45"], .recalled),
                    .init(["N2/N3 (50 on/after 2012-01-01)", "43"], .recalled),
                    .init(["O2–O4 semi-trailer (type code B…) / full trailer (G…)", "45 / 50"], .recalled),
                    .init(["L1e 42, L2e/L6e 40, L3e 50, L4e 46, L5e/L7e 44", ""], .recalled),
                    .init(["parking (combination 12)", "16"], .recalled),
                    .init(["imbalance: a wheel < 70 % of the other (> 30 %): major; < 50 % on a steered axle: dangerous", "30"], .standard),
                ], reference: "standards.md §1.6 (recalled), MOT-BLOG1 (70 % rule)"),
            LimitTable(
                id: "eu.headlamp", title: "Dipped-beam aim (% below horizontal)", titleZH: "近光下倾（%）",
                columns: ["lamp centre height", "range"],
                rows: [
                    .init(["< 800 mm", "0.5 – 2.5"], .recalled), .init(["800 – 1000 mm", "0.5 – 3.0"], .recalled),
                    .init(["> 1000 mm", "1.0 – 3.0"], .recalled),
                ], reference: "ECE R48 6.2.6.1 as recalled (standards.md §2.4)"),
            LimitTable(
                id: "eu.emission", title: "Emissions", titleZH: "排放", columns: ["rule", "limit"],
                rows: [
                    .init(["idle CO, first used on/after 2002-07-01 / 1993-01-01", "0.3 / 0.5 %"], .secondary),
                    .init(["high idle CO, first used on/after 2002-07-01 / 1993-01-01", "0.2 / 0.3 %"], .recalled),
                    .init(["λ at high idle", "0.97 – 1.03"], .secondary),
                    .init(["no advanced control (before 1993): idle CO before / after 1986-10-01", "4.5 / 3.5 %"], .recalled),
                    .init(["diesel: plate value; else natural 2.5 / turbo 3.0 m-1", ""], .secondary),
                    .init(["diesel first used on/after 2008-07-01", "1.5 m-1"], .recalled),
                ], reference: "EU-CO; standards.md §3.4"),
        ])
}
