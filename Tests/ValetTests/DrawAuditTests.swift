import Foundation
import LaneCore
import Testing
import Valet

struct DrawAuditTests {
    static let day: [DispatchJournalEntry] = {
        var p = SimulationParameters()
        p.seed = 11
        return StationSimulation.journalOfDay(p, policy: .pooledRandom)
    }()
    static let shift = StationSimulation.shiftID(seed: 11, day: 0)

    static func drawPositions(_ entries: [DispatchJournalEntry]) -> [Int] {
        entries.indices.filter { if case .draw = entries[$0].record { true } else { false } }
    }

    @Test func simulatedShiftVerifies() {
        let report = DrawAudit.verify(Self.day, shift: Self.shift)
        #expect(report.passed, "\(report.findings)")
        #expect(report.replayMatches)
        #expect(report.draws > 150 && report.drawsConfirmed == report.draws)
    }

    @Test func journalSurvivesJSONAndStillVerifies() throws {
        let data = try JSONEncoder().encode(Self.day)
        let back = try JSONDecoder().decode([DispatchJournalEntry].self, from: data)
        #expect(back == Self.day)
        #expect(DrawAudit.verify(back, shift: Self.shift).passed)
    }

    @Test func tamperedAssignmentFails() {
        var entries = Self.day
        let i = Self.drawPositions(entries)[10]
        guard case .draw(var d) = entries[i].record else { return }
        d.chosen = d.input.eligible.first { $0 != d.chosen } ?? d.chosen
        entries[i].record = .draw(d)
        let report = DrawAudit.verify(entries, shift: Self.shift)
        #expect(!report.passed)
        #expect(report.findings.map(\.code).contains("draw_mismatch"))
        #expect(report.findings.first { $0.code == "draw_mismatch" }?.sequence == entries[i].sequence)
    }

    @Test func reorderedDrawsFail() {
        var entries = Self.day
        let p = Self.drawPositions(entries)
        let (a, b) = (p[5], p[6])
        let ra = entries[a].record
        entries[a].record = entries[b].record
        entries[b].record = ra
        let report = DrawAudit.verify(entries, shift: Self.shift)
        #expect(report.findings.map(\.code).contains("draw_number"))
        #expect(!report.replayMatches)
    }

    @Test func wrongRevealedSeedFails() {
        var entries = Self.day
        guard case .shiftClosed(_, let at) = entries[entries.count - 1].record else {
            Issue.record("no closing entry")
            return
        }
        entries[entries.count - 1].record = .shiftClosed(seed: ShiftSeed.forSimulation(12345).hex, at: at)
        let codes = DrawAudit.verify(entries, shift: Self.shift).findings.map(\.code)
        #expect(codes.contains("commitment"))
        #expect(codes.contains("draw_mismatch"))
    }

    @Test func narrowedEligibleListFailsEvenWhenTheDrawIsRecomputed() throws {
        // Someone who learnt the seed rewrites a draw to a list of one favoured driver and recomputes it:
        // each draw checks on its own, but replaying the events shows the list was not who was free.
        var entries = Self.day
        let wide = Self.drawPositions(entries).first { i in
            if case .draw(let d) = entries[i].record { d.input.eligible.count > 1 } else { false }
        }
        guard let i = wide, case .draw(var d) = entries[i].record else {
            Issue.record("no draw with more than one eligible driver")
            return
        }
        let favourite = d.input.eligible.first { $0 != d.chosen }!
        d.input.eligible = [favourite]
        d.chosen = favourite
        entries[i].record = .draw(d)
        let report = DrawAudit.verify(entries, shift: Self.shift)
        #expect(!report.findings.map(\.code).contains("draw_mismatch"))
        #expect(report.findings.map(\.code).contains("replay"))
    }

    @Test func removedEntryFails() {
        var entries = Self.day
        entries.remove(at: Self.drawPositions(entries)[3])
        let codes = DrawAudit.verify(entries, shift: Self.shift).findings.map(\.code)
        #expect(codes.contains("sequence"))
        #expect(codes.contains("draw_number"))
    }

    @Test func openShiftCannotBeVerifiedYet() {
        let entries = Array(Self.day.dropLast())
        #expect(DrawAudit.verify(entries, shift: Self.shift).findings.map(\.code) == ["not_closed"])
        #expect(DrawAudit.verify(Self.day, shift: "other").findings.map(\.code) == ["no_entries"])
    }

    @Test func hashIsPublishedAtOpeningAndSeedOnlyAtClose() throws {
        guard case .shiftOpened(_, let commitment, _) = Self.day[0].record,
            case .shiftClosed(let seed, _) = Self.day[Self.day.count - 1].record
        else {
            Issue.record("shift not framed by opening and closing")
            return
        }
        #expect(try ShiftSeed(hex: seed).commitment == commitment)
        let middle = try! JSONEncoder().encode(Array(Self.day.dropFirst().dropLast()))
        #expect(!String(decoding: middle, as: UTF8.self).contains(seed))
    }
}
