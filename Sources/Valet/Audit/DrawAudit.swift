import LaneCore

/// Verification of a closed shift's draws from its journal entries alone: a pure function.
///
/// It checks that (1) the entries of the shift are numbered 0, 1, 2 … in order, open with the shift's
/// configuration and close with its seed; (2) SHA-256 of the revealed seed equals the commitment published at
/// opening; (3) draws are numbered 1, 2, 3 … with no gap; (4) every draw's eligible list is canonical, and the
/// seed, re-run over the draw's journaled inputs, gives the journaled driver; and (5) replaying every journaled
/// event through a fresh ``Dispatcher`` with that configuration and seed produces exactly the journaled entries
/// (so nobody shortened an eligible list, dropped a draw, or assigned a driver outside the draw).
public enum DrawAudit {
    /// The outcome of a verification.
    public struct Report: Hashable, Sendable, Codable {
        public var shift: ShiftID
        public var entries: Int
        public var draws: Int
        /// Draws whose re-run gave the journaled driver.
        public var drawsConfirmed: Int
        /// Assignments made without a draw (manual or first-free), listed for review.
        public var assignmentsWithoutDraw: Int
        public var seedCommitment: String?
        /// Whether replaying the events gave exactly the journal.
        public var replayMatches: Bool
        public var findings: [Finding]
        /// True when nothing was found wrong.
        public var passed: Bool { findings.isEmpty }
    }

    /// One thing found wrong, at a journal entry.
    public struct Finding: Hashable, Sendable, Codable, CustomStringConvertible {
        /// The entry's sequence number (or position when the numbering itself is broken).
        public var sequence: UInt64?
        public var code: String
        public var zh: String
        public var en: String
        public var description: String {
            "\(sequence.map { "entry \($0): " } ?? "")\(code): \(en) / \(zh)"
        }
    }

    /// Verifies the entries of `shift` among `entries` (entries of other shifts are ignored), in journal order.
    public static func verify(_ entries: [DispatchJournalEntry], shift: ShiftID) -> Report {
        let mine = entries.filter { $0.shift == shift }
        var report = Report(shift: shift, entries: mine.count, draws: 0, drawsConfirmed: 0, assignmentsWithoutDraw: 0,
                            seedCommitment: nil, replayMatches: false, findings: [])
        func find(_ seq: UInt64?, _ code: String, zh: String, en: String) {
            report.findings.append(Finding(sequence: seq, code: code, zh: zh, en: en))
        }
        guard !mine.isEmpty else {
            find(nil, "no_entries", zh: "日志中没有班次 \(shift) 的记录。", en: "The journal holds no entry of shift \(shift).")
            return report
        }
        for (i, e) in mine.enumerated() where e.sequence != UInt64(i) {
            find(UInt64(i), "sequence", zh: "第 \(i) 条记录的序号为 \(e.sequence)：记录缺失、重复或顺序被改动。",
                 en: "Entry at position \(i) has sequence \(e.sequence): entries are missing, duplicated or reordered.")
            break
        }
        guard case .shiftOpened(let configuration, let commitment, let openedAt) = mine[0].record else {
            find(mine[0].sequence, "no_opening", zh: "班次的第一条记录不是开班记录。", en: "The shift's first entry is not its opening.")
            return report
        }
        report.seedCommitment = commitment
        guard case .shiftClosed(let seedHex, let closedAt) = mine[mine.count - 1].record else {
            find(mine[mine.count - 1].sequence, "not_closed",
                 zh: "班次 \(shift) 尚未结班，种子未公开，无法复核抽签。",
                 en: "Shift \(shift) is not closed: its seed is not revealed, so the draws cannot be checked yet.")
            return report
        }
        let seed: ShiftSeed
        do {
            seed = try ShiftSeed(hex: seedHex)
        } catch {
            find(mine[mine.count - 1].sequence, "seed", zh: "公开的种子无效：\(error)", en: "The revealed seed is unusable: \(error)")
            return report
        }
        if seed.commitment != commitment.lowercased() {
            find(mine[mine.count - 1].sequence, "commitment",
                 zh: "公开的种子的 SHA-256 为 \(seed.commitment)，与开班时公布的 \(commitment) 不符：种子被更换。",
                 en: "SHA-256 of the revealed seed is \(seed.commitment), not the \(commitment) published at opening: "
                    + "the seed was changed.")
        }

        // Each draw on its own: numbering, canonical inputs, and the seed's choice.
        var machine = DrawMachine(seed: seed)
        var expectedNumber: UInt64 = 1
        for e in mine {
            switch e.record {
            case .draw(let d):
                report.draws += 1
                if d.input.number != expectedNumber {
                    find(e.sequence, "draw_number",
                         zh: "抽签编号为 \(d.input.number)，应为 \(expectedNumber)：抽签缺失、重复或顺序被改动。",
                         en: "Draw number \(d.input.number) where \(expectedNumber) was due: draws are missing, repeated or reordered.")
                }
                expectedNumber = d.input.number + 1
                if d.input.shift != shift {
                    find(e.sequence, "draw_shift", zh: "抽签 \(d.input.number) 写的班次是 \(d.input.shift)。",
                         en: "Draw \(d.input.number) names shift \(d.input.shift).")
                }
                guard d.input.eligibleIsCanonical else {
                    find(e.sequence, "eligible_list", zh: "抽签 \(d.input.number) 的候选名单为空、未排序或有重复。",
                         en: "Draw \(d.input.number): the eligible list is empty, unsorted or has duplicates.")
                    continue
                }
                let drawn = machine.draw(d.input)
                if drawn == d.chosen {
                    report.drawsConfirmed += 1
                } else {
                    find(e.sequence, "draw_mismatch",
                         zh: "抽签 \(d.input.number)（\(d.input.queueNumber) 号车 \(d.input.plate)）：记录为 \(d.chosen)，种子抽出的是 \(drawn)。",
                         en: "Draw \(d.input.number) (no. \(d.input.queueNumber) \(d.input.plate)): journal says \(d.chosen), "
                            + "the seed gives \(drawn).")
                }
            case .assignment:
                report.assignmentsWithoutDraw += 1
            default:
                break
            }
        }

        // The whole shift replayed: the journal must be exactly what the dispatcher produces from the events.
        var dispatcher = Dispatcher(configuration: configuration, seed: seed)
        var replayed: [DispatchJournalEntry] = []
        var actions = dispatcher.open(at: openedAt)
        for e in mine.dropFirst() {
            guard case .event(let event) = e.record else { continue }
            dispatcher.handle(event, into: &actions)
        }
        actions += dispatcher.close(at: closedAt)
        for a in actions { if case .journal(let j) = a { replayed.append(j) } }
        report.replayMatches = replayed == mine
        if !report.replayMatches {
            let k = (0..<min(replayed.count, mine.count)).first { replayed[$0] != mine[$0] } ?? min(replayed.count, mine.count)
            let found = k < mine.count ? summary(mine[k].record) : "nothing (the journal ends)"
            let expected = k < replayed.count ? summary(replayed[k].record) : "nothing (the replay ends)"
            find(k < mine.count ? mine[k].sequence : UInt64(k), "replay",
                 zh: "按日志中的事件重放本班次，第 \(k) 条应为 \(expected)，日志中却是 \(found)：记录被改动、删除或补写。",
                 en: "Replaying the shift's events, entry \(k) should be \(expected) but the journal has \(found): "
                    + "entries were changed, removed or added.")
        }
        return report
    }

    static func summary(_ r: DispatchRecord) -> String {
        switch r {
        case .shiftOpened: "shift opened"
        case .event(let e): "event \(String(describing: e.kind).prefix(80)) at \(e.at)"
        case .draw(let d):
            "draw \(d.input.number) no. \(d.input.queueNumber) lane \(d.input.lane) among "
                + "[\(d.input.eligible.map(\.rawValue).joined(separator: ","))] → \(d.chosen)"
        case .assignment(let a): "assignment (\(a.how)) no. \(a.queueNumber) → \(a.driver)"
        case .released(let d, let q, let reason, _): "release of \(d) from no. \(q) (\(reason.rawValue))"
        case .shiftClosed: "shift closed"
        }
    }
}
