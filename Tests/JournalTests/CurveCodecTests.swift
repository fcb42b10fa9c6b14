import Foundation
import GRDB
import Journal
import LaneCore
import PropertyBased
import Testing

struct CurveCodecTests {
    @Test func steadyClockAndSmoothCurveTakeAboutTwoBytesAPoint() throws {
        let n = 3_000
        let curve = Curve(
            channel: "force_left", unit: "N", resolution: 1,
            timesNs: (0..<n).map { 5_000_000_000 + Int64($0) * 10_000_000 },
            values: (0..<n).map { 4000 * sin(Double($0) / 600) })
        let blob = try CurveCodec.encode(curve)
        #expect(blob.count < n * 3, "got \(blob.count) bytes for \(n) points")
        let back = try CurveCodec.decodeCurve(blob, channel: "force_left", unit: "N")
        #expect(back == (try curve.quantized()))
        #expect(try CurveCodec.encode(back) == blob)
    }

    @Test func emptyAndSinglePointCurvesRoundTrip() throws {
        for values in [[Double](), [42.5]] {
            let curve = Curve(channel: "c", unit: "u", resolution: 0.5, timesNs: values.map { _ in 7 }, values: values)
            let back = try CurveCodec.decodeCurve(try CurveCodec.encode(curve), channel: "c", unit: "u")
            #expect(back == curve)
        }
    }

    @Test func extremeIntegersRoundTripExactly() throws {
        let times: [Int64] = [.min, .max, 0, -1, 1, .max, .min]
        let values: [Double] = [-8.9e15, 8.9e15, 0, -1, 1, 8.9e15, -8.9e15]
        let curve = Curve(channel: "c", unit: "u", resolution: 1, timesNs: times, values: values)
        let (backTimes, q, resolution) = try CurveCodec.decode(try CurveCodec.encode(curve))
        #expect(backTimes == times)
        #expect(q == values.map { Int64($0) })
        #expect(resolution == 1)
    }

    @Test func refusesWhatItCannotStoreExactly() {
        #expect(throws: CurveCodecError.self) {
            try CurveCodec.encode(Curve(channel: "c", unit: "u", resolution: 1, timesNs: [0], values: [.nan]))
        }
        #expect(throws: CurveCodecError.self) {
            try CurveCodec.encode(Curve(channel: "c", unit: "u", resolution: 0, timesNs: [0], values: [1]))
        }
        #expect(throws: CurveCodecError.self) {
            try CurveCodec.encode(Curve(channel: "c", unit: "u", resolution: 1, timesNs: [0, 1], values: [1]))
        }
    }

    @Test func corruptBlobsAreRefusedNotMisread() throws {
        let blob = try CurveCodec.encode(
            Curve(channel: "c", unit: "u", resolution: 1, timesNs: [0, 10, 20], values: [1, 2, 3]))
        #expect(throws: CurveCodecError.self) { try CurveCodec.decode(blob.dropLast()) }
        #expect(throws: CurveCodecError.self) { try CurveCodec.decode(blob + [0]) }
        #expect(throws: CurveCodecError.self) { try CurveCodec.decode(Data("nope".utf8)) }
    }

    @Test func randomIntegerCurvesRoundTripExactly() async {
        let points = Gen.int64(in: -1_000_000_000_000...1_000_000_000_000).array(of: 0...400)
        await propertyCheck(count: 300, input: points, Gen.int64(in: -50_000...50_000).array(of: 0...400)) { times, qs in
            let n = min(times.count, qs.count)
            let curve = Curve(
                channel: "ch", unit: "N", resolution: 0.25, timesNs: Array(times.prefix(n)),
                values: qs.prefix(n).map { Double($0) * 0.25 })
            let blob = try! CurveCodec.encode(curve)
            let (backTimes, backQ, resolution) = try! CurveCodec.decode(blob)
            #expect(backTimes == curve.timesNs)
            #expect(backQ == Array(qs.prefix(n)))
            #expect(resolution == 0.25)
            #expect(try! CurveCodec.decodeCurve(blob, channel: "ch", unit: "N") == curve)
        }
    }

    @Test func randomRealCurvesReadBackWithinHalfAStepAndStable() async {
        let values = Gen.double(in: -20_000...20_000).array(of: 1...300)
        await propertyCheck(count: 300, input: values, Gen.element(of: [0.01, 0.1, 1, 2.5])) { values, resolution in
            let resolution = resolution!
            let times = (0..<values.count).map { Int64($0) * 10_000_000 }
            let curve = Curve(channel: "ch", unit: "N", resolution: resolution, timesNs: times, values: values)
            let back = try! CurveCodec.decodeCurve(try! CurveCodec.encode(curve), channel: "ch", unit: "N")
            for (a, b) in zip(values, back.values) { #expect(abs(a - b) <= resolution / 2 + 1e-9 * abs(a)) }
            #expect(back == (try! curve.quantized()))
            // Reading back is a fixed point: storing what was read gives the same blob.
            #expect(try! CurveCodec.encode(back) == (try! CurveCodec.encode(curve)))
        }
    }

    @Test func curveStoredInTheJournalReadsBackExactly() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        try openInspection(journal, "I1")
        try journal.record(
            MeasurementRecord(id: "I1/m", inspection: "I1", station: "brake", name: "m", figures: ["peak": 1], at: t0),
            actor: "system", at: t0)
        var random = SplitMix64(seed: 7)
        let curve = Curve(
            channel: "force_left", unit: "N", resolution: 0.1, timesNs: (0..<1000).map { Int64($0) * 10_000_000 },
            values: (0..<1000).map { _ in Double(random.next() % 100_000) / 10 })
        try journal.record(curve: try CurveRecord(measurementID: "I1/m", inspection: "I1", curve: curve), actor: "system", at: t0)
        let stored = try #require(try journal.report(for: "I1")?.curves.first)
        #expect(stored.curve == (try curve.quantized()))
        #expect(stored.curve.timesNs == curve.timesNs)
    }
}
