import InspectionRules
import Testing

struct CatalogAndExplanationTests {
    @Test func everyRulesetIsListedWithAVersionAndResultsNameIt() throws {
        #expect(RulesetCatalog.all.map(\.id) == RulesetID.allCases)
        for ruleset in RulesetCatalog.all {
            #expect(!ruleset.version.isEmpty)
            #expect(!ruleset.tables.isEmpty)
            for table in ruleset.tables {
                #expect(!table.reference.isEmpty, "\(table.id) says where its numbers come from")
                for row in table.rows { #expect(row.cells.count == table.columns.count, "\(table.id) \(row.cells)") }
            }
        }
        let result = try judge(#"{"ruleset": "EU-2014-45", "vehicle": {}}"#)
        #expect(result.rulesetVersion == RuleEngine.version(of: .eu201445))
    }

    @Test func recalledLimitsAreFlaggedForConfirmation() {
        let eu = RulesetCatalog.ruleset(.eu201445)
        #expect(eu.tables.contains { $0.needsConfirmation })
        let cn = RulesetCatalog.ruleset(.cnGB7258)
        let gasoline = cn.tables.first { $0.id == "cn.emission.gasoline" }
        #expect(gasoline?.rows.first { $0.cells.first == "b" }?.source == .recalled)
        #expect(gasoline?.rows.first { $0.cells.first == "a" }?.source == .vendor)
        #expect(SourceTag.recalled.needsConfirmation && !SourceTag.standard.needsConfirmation)
    }

    @Test func kilogramForceUsesStandardGravity() {
        #expect(ForceUnit.kgf.toDecanewtons == 0.980665)
        #expect(ForceUnit.N.toDecanewtons == 0.1)
    }

    @Test(arguments: ["CN-GB7258-2017", "UK-MOT", "EU-2014-45"])
    func everyItemExplainsItselfInEnglishAndChinese(ruleset: String) throws {
        let json = """
            {"ruleset": "\(ruleset)",
             "vehicle": {"type_code": "K33", "category": "M1", "use_phase": "in_use", "first_used": "2015-01-01",
               "max_design_speed_kmh": 150, "headlamp_system": 2, "emission_limit_set": "b"},
             "brake": {"parking_total": 100, "axles": [
               {"load": 800, "peak_left": 330, "peak_right": 200, "max_rise_difference": 150, "drag_left": 90, "drag_right": null},
               {"load": 600, "peak_left": 100, "peak_right": 90, "max_rise_difference": 10, "locked_left": true}]},
             "headlamps": [{"side": "left", "high_beam_cd": 9000, "low_beam_vertical_H": 0.95, "low_beam_horizontal_mm": -300, "centre_height_mm": 700},
                           {"side": "right", "high_beam_cd": null}],
             "emission": {"method": "two_speed_idle", "idle_co_pct": 0.5, "idle_hc_ppm": 30, "high_idle_lambda": 1.2}}
            """
        let result = try judge(json)
        #expect(!result.items.isEmpty)
        for item in result.items {
            let text = item.explain
            #expect(!text.en.isEmpty && !text.zh.isEmpty)
            #expect(!text.en.contains("nil") && !text.zh.contains("nil"), "\(text.en)")
            #expect(text.zh.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, "\(item.id): \(text.zh)")
            if item.verdict == .incomplete {
                #expect(!item.missing.isEmpty, "\(item.id) names what is missing")
                for path in item.missing { #expect(text.en.contains(path)) }
            }
            if item.verdict == .fail, ruleset != "CN-GB7258-2017" { #expect(item.severity != nil, "\(item.id)") }
            if ruleset == "CN-GB7258-2017" { #expect(item.severity == nil) }
        }
    }

    @Test func failingExplanationUsesTheSignOfTheComparison() throws {
        let json = cnBrakeCase(
            vehicle: #""type_code": "K33", "use_phase": "new_registration""#,
            axles: [#"{"position": "front", "load": 1000, "peak_left": 300, "peak_right": 200, "max_rise_difference": 100}"#])
        let item = try judge(json).required("brake.axle1.imbalance")
        #expect(item.verdict == .fail)
        #expect(item.explain.en == "axle 1 (front) imbalance 33.3 % > 20 % (new-registration limit)")
        #expect(item.explain.zh == "1轴（前轴）制动不平衡率 33.3% > 20%（注册登记限值）")
    }
}
