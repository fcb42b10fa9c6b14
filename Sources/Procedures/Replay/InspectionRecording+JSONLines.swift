#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import LaneCore

/// A recording file that cannot be read: which line and why.
public struct RecordingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
    public var description: String { "recording line \(line): \(reason)" }
}

/// The JSON object of one line: exactly one key is set.
struct LineRecord: Codable {
    struct SampleRecord: Codable {
        var rig: RigID
        var seq: UInt64
        var t: UInt64
        var q: SampleQuality
        var late: Bool?
        var v: [Double]
    }

    struct CommandRecord: Codable {
        var t: UInt64
        var rig: RigID
        var name: String
        var value: Double
    }

    var recording: InspectionRecording.Header?
    var start: UInt64?
    var sample: SampleRecord?
    var ack: PromptAcknowledgement?
    var finish: UInt64?
    var command: CommandRecord?
    var verdict: InspectionRecording.RecordedVerdict?
}

extension InspectionRecording {
    /// The recording as JSON lines: the header first, then one line per input or output.
    public func jsonLines() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out = ""
        func emit(_ record: LineRecord) throws {
            out += String(decoding: try encoder.encode(record), as: UTF8.self)
            out += "\n"
        }
        try emit(LineRecord(recording: header))
        for line in lines {
            var record = LineRecord()
            switch line {
            case .input(.start(let t)): record.start = t.nanoseconds
            case .input(.finish(let t)): record.finish = t.nanoseconds
            case .input(.acknowledgement(let ack)): record.ack = ack
            case .input(.sample(let s)):
                record.sample = .init(
                    rig: s.rig, seq: s.sequence, t: s.time.nanoseconds, q: s.quality, late: s.deadlineMissed ? true : nil,
                    v: s.values)
            case .command(let c, let t): record.command = .init(t: t.nanoseconds, rig: c.rig, name: c.name, value: c.value)
            case .verdict(let v): record.verdict = v
            }
            try emit(record)
        }
        return out
    }

    /// Reads a recording from JSON lines.
    /// - Throws: ``RecordingError`` naming the line that is not valid.
    public init(jsonLines text: String) throws(RecordingError) {
        let decoder = JSONDecoder()
        var header: Header?
        var lines: [Line] = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if raw.allSatisfy(\.isWhitespace) { continue }
            let record: LineRecord
            do {
                record = try decoder.decode(LineRecord.self, from: Data(raw.utf8))
            } catch {
                throw RecordingError(line: number, reason: "not a recording line (\(error))")
            }
            if let h = record.recording {
                guard header == nil else { throw RecordingError(line: number, reason: "a second header") }
                guard h.format == Self.format else {
                    throw RecordingError(line: number, reason: "format \(h.format), expected \(Self.format)")
                }
                header = h
                continue
            }
            guard header != nil else { throw RecordingError(line: number, reason: "the first line must be the header ({\"recording\": …})") }
            if let t = record.start {
                lines.append(.input(.start(MonotonicInstant(nanoseconds: t))))
            } else if let t = record.finish {
                lines.append(.input(.finish(MonotonicInstant(nanoseconds: t))))
            } else if let ack = record.ack {
                lines.append(.input(.acknowledgement(ack)))
            } else if let s = record.sample {
                lines.append(
                    .input(
                        .sample(
                            Sample(
                                rig: s.rig, sequence: s.seq, time: MonotonicInstant(nanoseconds: s.t), values: s.v, quality: s.q,
                                deadlineMissed: s.late ?? false))))
            } else if let c = record.command {
                lines.append(.command(RigCommand(rig: c.rig, name: c.name, value: c.value), at: MonotonicInstant(nanoseconds: c.t)))
            } else if let v = record.verdict {
                lines.append(.verdict(v))
            } else {
                throw RecordingError(line: number, reason: "no known key (start, sample, ack, finish, command, verdict)")
            }
        }
        guard let header else { throw RecordingError(line: max(number, 1), reason: "empty recording: no header") }
        self.init(header: header, lines: lines)
    }
}
