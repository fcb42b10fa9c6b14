import LaneCore
import Testing

struct PlateTests {
    @Test(arguments: [
        ("鲁G·12345", "鲁G·12345", Plate.Kind.ordinary),
        ("鲁G12345", "鲁G·12345", .ordinary),
        ("京a·5b7c9", "京A·5B7C9", .ordinary),
        ("沪A 8H2K6", "沪A·8H2K6", .ordinary),
        ("粤B·D12345", "粤B·D12345", .newEnergySmall),
        ("粤BFA1234", "粤B·FA1234", .newEnergySmall),
        ("苏E·12345D", "苏E·12345D", .newEnergyLarge),
        ("鲁G·1234挂", "鲁G·1234挂", .trailer),
        ("京B·1234学", "京B·1234学", .coach),
        ("京A·0001警", "京A·0001警", .police),
        ("沪A·1234领", "沪A·1234领", .consulate),
        ("粤Z·1A23港", "粤Z·1A23港", .hongKong),
        ("粤Z·1234澳", "粤Z·1234澳", .macau),
        ("使014578", "使014·578", .embassy),
    ])
    func acceptsChinesePlates(_ text: String, _ canonical: String, _ kind: Plate.Kind) throws {
        let plate = try Plate(text, ruleset: .china)
        #expect(plate.canonical == canonical)
        #expect(plate.kind == kind)
    }

    @Test(arguments: [
        "",  // empty
        "哈G·12345",  // not a province
        "鲁1·12345",  // office must be a letter
        "鲁I·12345",  // I never used
        "鲁G·1O345",  // O never used
        "鲁G·1234",  // too short
        "鲁G·1234567",  // too long
        "粤B·A12345",  // six characters but not new-energy
        "粤B·D1234A",  // small new-energy ends in four digits
        "鲁G·12345挂",  // suffixed plates have 4
        "京A·1234港",  // 港 only as 粤Z
        "鲁G·12_45",  // bad character
        "使01457",  // embassy needs 6 digits
    ])
    func refusesImpossibleChinesePlates(_ text: String) {
        #expect(throws: PlateError.self) { try Plate(text, ruleset: .china) }
    }

    /// Canonical ordinary plates take a shortcut past the general parse: every spelling of the same plate must
    /// still give the same canonical text and kind, and near-canonical impostors must still be refused.
    @Test func canonicalShortcutAgreesWithOtherSpellings() throws {
        let canonical = try Plate("鲁G·12345", ruleset: .china)
        for spelling in ["鲁G12345", "鲁g·12345", " 鲁G·12345 ", "鲁G•12345", "鲁G-12345", "鲁G 12345", "鲁G.12345"] {
            let p = try Plate(spelling, ruleset: .china)
            #expect(p == canonical, "\(spelling)")
            #expect(p.canonical.utf8.elementsEqual("鲁G·12345".utf8), "\(spelling)")
        }
        for impostor in ["鲁G·1234O", "鲁I·12345", "鲁G·12I45", "哈G·12345", "鲁G·1234", "鲁G··1234", "鲁G·123456"] {
            let fast = Result { () throws(PlateError) in try Plate(impostor, ruleset: .china) }
            if case .success(let p) = fast {
                // Only six-character serials may pass (new energy), and then not as ordinary plates.
                #expect(p.kind != .ordinary, "\(impostor) accepted as \(p)")
            }
        }
        #expect(throws: PlateError.self) { try Plate("鲁G·1234O", ruleset: .china) }
        #expect(throws: PlateError.self) { try Plate("鲁G··1234", ruleset: .china) }
    }

    @Test func refusalSaysWhyInChineseAndEnglish() {
        do {
            _ = try Plate("鲁I·12345", ruleset: .china)
            Issue.record("accepted a plate with I")
        } catch {
            #expect(error.reason == .letterIorO)
            #expect(error.zh.contains("I 或 O"))
            #expect(error.en.contains("I or O"))
        }
    }

    @Test(arguments: [("ab12cde", "AB12 CDE"), ("AB12 CDE", "AB12 CDE"), ("A123 BCD", "A123 BCD"), ("ABC 123D", "ABC 123D"),
                      ("1 ABC", "1 ABC"), ("ABC 1", "ABC 1")])
    func acceptsUKPlatesUnderTheUKRuleset(_ text: String, _ canonical: String) throws {
        #expect(try Plate(text, ruleset: .uk).canonical == canonical)
    }

    @Test(arguments: ["AB12 CDI", "ZA12 CDE", "QA12 BCD", "ABCDEFG", "12345", "AB1-2CD"])
    func refusesImpossibleUKPlates(_ text: String) {
        #expect(throws: PlateError.self) { try Plate(text, ruleset: .uk) }
    }

    @Test func chinesePlateIsRefusedUnderUKRulesAndTheReverse() {
        #expect(throws: PlateError.self) { try Plate("鲁G·12345", ruleset: .uk) }
        #expect(throws: PlateError.self) { try Plate("AB12 CDE", ruleset: .china) }
    }

    @Test func acceptsEUPlateShapesAndRefusesNonsense() throws {
        #expect(try Plate("b-ab 1234", ruleset: .eu).canonical == "B AB 1234")
        #expect(try Plate("AA-123-BB", ruleset: .eu).canonical == "AA 123 BB")
        #expect(throws: PlateError.self) { try Plate("ABCDEF", ruleset: .eu) }  // no digit
        #expect(throws: PlateError.self) { try Plate("A", ruleset: .eu) }
        #expect(throws: PlateError.self) { try Plate("AB#123", ruleset: .eu) }
    }
}

struct VINTests {
    @Test(arguments: ["1M8GDM9AXKP042788", "LVSHCAMB1CE123456", "LSVAU218XN2183294", "lfv2a21k8a3000001"])
    func acceptsVINsWithTheirCheckDigit(_ text: String) throws {
        #expect(try VIN(text, ruleset: .china).value == text.uppercased())
    }

    @Test func refusesABadChineseCheckDigitAndSaysTheExpectedOne() {
        do {
            _ = try VIN("LSVAU2180N2183294", ruleset: .china)
            Issue.record("accepted a bad check digit")
        } catch {
            #expect(error.reason == .checkDigit(found: "0", expected: "X"))
            #expect(error.zh.contains("GB 16735"))
            #expect(error.en.contains("check digit"))
        }
    }

    @Test(arguments: ["1M8GDM9AXKP04278", "1M8GDM9AXKP0427888", "1M8GDM9AXKP0427O8", "1M8GDM9AXKP0427I8", "QM8GDM9AXKP042788",
                      "1M8GDM9AXKP04278*"])
    func refusesWrongLengthAndForbiddenCharacters(_ text: String) {
        #expect(throws: VINError.self) { try VIN(text, ruleset: .eu) }
    }

    @Test func europeanVINWithoutCheckDigitIsAcceptedUnderEURulesOnly() throws {
        // ISO 3779 alone does not require position 9 to be a check digit (VW writes Z there).
        #expect(try VIN("WVWZZZ1JZXW000001", ruleset: .eu).value == "WVWZZZ1JZXW000001")
        #expect(throws: VINError.self) { try VIN("WVWZZZ1JZXW000001", ruleset: .china) }
        // A Chinese-built vehicle must carry the check digit in any station.
        #expect(throws: VINError.self) { try VIN("LSVAU2180N2183294", ruleset: .uk) }
    }
}
