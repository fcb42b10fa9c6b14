import ArgumentParser
import CBaseline
import Foundation
import Histogram
import LaneCore
import Logging
import Modbus
import Rigs
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `lanectl bench modbus`: our Modbus client and poller beside plain C loops, measured in the same run.
struct BenchModbusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modbus",
        abstract: "Round trips of our client vs a C libmodbus loop, and poller period error vs a C clock_nanosleep loop.",
        discussion: """
            The server is our ModbusServer, in this process on its own OS thread, listening on 127.0.0.1 (port \
            chosen by the system). Both clients read the same registers from it, in alternating rounds. The \
            poller phase runs the rigs (one link thread and one TCP connection each) and a C clock_nanosleep \
            loop at the same rate at the same time.
            """)

    @Option(help: "Round trips per client (split into alternating rounds).") var roundTrips = 20_000
    @Option(help: "Holding registers read per round trip.") var registers = 10
    @Option(help: "Seconds to run the poller phase.") var seconds = 60.0
    @Option(help: "Simulated rigs polled (one link each).") var rigs = 16
    @Option(help: "Poll rate per rig, Hz.") var rate = 100.0
    @Flag(help: "Ask for SCHED_FIFO for the poll threads and the C loop (root or CAP_SYS_NICE).") var realtime = false
    @Flag(help: "Skip the round-trip phase.") var skipRoundTrips = false
    @Flag(help: "Skip the poller phase.") var skipPoller = false

    func run() async throws {
        let map = Self.benchMap
        let layout = ModbusServer.Layout(covering: map).merged(with: .init(holdingRegisters: 0..<max(registers, 1)))
        var units: [UInt8: ModbusServer.Layout] = [:]
        for unit in 1...max(rigs, 1) { units[UInt8(unit)] = layout }
        let server = try ModbusServer(units: units)
        for unit in units.keys {
            server.withTables(unit: unit) { t in
                for a in 0..<registers { t.setRegister(.holding, a, UInt16(a)) }
                try? t.setValue(512.5, .input, 0, type: .f32)
                try? t.setValue(498.0, .input, 2, type: .f32)
                t.setRegister(.input, 4, 1500)
                t.setBit(.discreteInput, 0, true)
            }
        }
        server.start()
        defer { server.stop() }
        print("Server: our ModbusServer in this process on its own OS thread, \(server.transport), \(units.count) unit ids")
        print("Machine: \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) CPUs online, load average \(Self.loadAverage())")
        print("")
        if !skipRoundTrips { try roundTripPhase(port: server.port) }
        if !skipPoller { try await pollerPhase(server: server, map: map) }
    }

    // MARK: Round trips

    private func roundTripPhase(port: Int) throws {
        let rounds = 4
        let perRound = max(roundTrips / rounds, 1)
        var ours = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        var theirs = ours
        var oursSeconds = 0.0
        var theirsSeconds = 0.0
        // Warm both up (connect, page in, fill caches).
        _ = try Self.swiftLoop(port: port, registers: registers, count: 500)
        _ = Self.cLoop(port: port, registers: registers, count: 500)
        for _ in 0..<rounds {
            let c = Self.cLoop(port: port, registers: registers, count: perRound)
            guard c.latencies.count == perRound else {
                throw ValidationError("the C loop failed after \(c.latencies.count) of \(perRound) reads")
            }
            for ns in c.latencies { theirs.record(ns) }
            theirsSeconds += c.seconds
            let s = try Self.swiftLoop(port: port, registers: registers, count: perRound)
            for ns in s.latencies { ours.record(ns) }
            oursSeconds += s.seconds
        }
        let oursRate = Double(ours.totalCount) / oursSeconds
        let theirsRate = Double(theirs.totalCount) / theirsSeconds
        print("Round trips: read \(registers) holding registers, \(ours.totalCount) per client in \(rounds) alternating rounds")
        print(Self.row("", "round trips/s", "p50", "p99", "max"))
        print(Self.row("Swift ModbusClient", Self.fmt(oursRate, 0), Self.us(ours.valueAtPercentile(50)),
                       Self.us(ours.valueAtPercentile(99)), Self.us(ours.max)))
        print(Self.row("C libmodbus loop", Self.fmt(theirsRate, 0), Self.us(theirs.valueAtPercentile(50)),
                       Self.us(theirs.valueAtPercentile(99)), Self.us(theirs.max)))
        let p50Ratio = Double(ours.valueAtPercentile(50)) / Double(max(theirs.valueAtPercentile(50), 1))
        let p99Ratio = Double(ours.valueAtPercentile(99)) / Double(max(theirs.valueAtPercentile(99), 1))
        let meanRatio = theirsRate / oursRate
        print(
            "Ratio Swift/C: mean RTT \(Self.fmt(meanRatio, 3))x, p50 \(Self.fmt(p50Ratio, 3))x, p99 \(Self.fmt(p99Ratio, 3))x"
                + " (target ≤ 1.15x: \(meanRatio <= 1.15 ? "met" : "NOT met"))")
        print("")
    }

    private static func swiftLoop(port: Int, registers: Int, count: Int) throws -> (latencies: [UInt64], seconds: Double) {
        let result = Locked<Result<([UInt64], Double), ModbusError>?>(nil)
        let thread = OSThread(name: "bench-swift") {
            result.withLock { r in
                r = Result { () throws(ModbusError) -> ([UInt64], Double) in
                    let client = try ModbusClient(
                        ModbusClientConfiguration(transport: .tcp(host: "127.0.0.1", port: port), responseTimeout: .seconds(1)))
                    try client.connect()
                    var latencies = [UInt64](repeating: 0, count: count)
                    var buffer = [UInt16](repeating: 0, count: registers)
                    let begin = monotonicNanoseconds()
                    try buffer.withUnsafeMutableBufferPointer { (words) throws(ModbusError) in
                        for i in 0..<count {
                            let start = monotonicNanoseconds()
                            try client.readRegisters(.holding, address: 0, count: registers, into: words.baseAddress!)
                            latencies[i] = monotonicNanoseconds() - start
                        }
                    }
                    let seconds = Double(monotonicNanoseconds() - begin) / 1e9
                    client.close()
                    return (latencies, seconds)
                }
            }
        }
        thread.join()
        return try result.withLock { $0! }.get()
    }

    private static func cLoop(port: Int, registers: Int, count: Int) -> (latencies: [UInt64], seconds: Double) {
        let result = Locked<([UInt64], Double)>(([], 0))
        let thread = OSThread(name: "bench-c") {
            var latencies = [UInt64](repeating: 0, count: count)
            let begin = monotonicNanoseconds()
            let ok = cbaseline_modbus_read_loop("127.0.0.1", Int32(port), 1, 0, Int32(registers), Int32(count), &latencies)
            let seconds = Double(monotonicNanoseconds() - begin) / 1e9
            result.withLock { $0 = (Array(latencies.prefix(Int(max(ok, 0)))), seconds) }
        }
        thread.join()
        return result.withLock { $0 }
    }

    // MARK: Poller period error

    private func pollerPhase(server: ModbusServer, map: RegisterMap) async throws {
        let period = Duration.nanoseconds(Int64((1e9 / rate).rounded()))
        let (stream, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(65536))
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let pollers = (1...max(rigs, 1)).map { unit in
            LinkPoller(
                configuration: LinkConfiguration(
                    name: "bench\(unit)", transport: server.transport,
                    rigs: [RigConfiguration(rig: RigID("bench.rig\(unit)"), unitID: UInt8(unit), map: map)],
                    period: period, responseTimeout: .milliseconds(50), realTimePriority: realtime ? 50 : nil),
                samples: continuation, logger: logger)
        }
        // The C loop runs at the same rate, at the same time, on its own thread.
        let iterations = Int((seconds * rate).rounded())
        let stopC = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        stopC.initialize(to: 0)
        defer { stopC.deallocate() }
        let cResult = Locked<(errors: [Int64], realTime: Bool)>(([], false))
        let wantRealtime = realtime
        let periodNs = UInt64(period.nanosecondsTotal)
        let stopPointer = UncheckedPointer(stopC)
        let cThread = OSThread(name: "bench-c-sleep") {
            var errors = [Int64](repeating: 0, count: iterations)
            var got: Int32 = 0
            let done = cbaseline_periodic_loop(
                periodNs, Int32(iterations), &errors, wantRealtime ? 1 : 0, 50, &got, stopPointer.pointer)
            cResult.withLock { $0 = (Array(errors.prefix(Int(done))), got != 0) }
        }
        for poller in pollers { poller.start() }
        // Consume samples as a station would, counting the ones that are not good.
        let consumer = Task {
            var total = 0
            var notGood = 0
            var missed = 0
            for await sample in stream {
                total += 1
                if sample.quality != .good { notGood += 1 }
                if sample.deadlineMissed { missed += 1 }
            }
            return (total, notGood, missed)
        }
        print("Poller: \(pollers.count) rigs at \(Self.fmt(rate, 0)) Hz for \(Self.fmt(seconds, 0)) s, one link thread and TCP connection per rig, \(ReadPlan(map: map).reads.count) reads per rig per cycle; C clock_nanosleep loop at \(Self.fmt(rate, 0)) Hz at the same time")
        try await Task.sleep(for: .seconds(seconds))
        for poller in pollers { await poller.stop() }
        cThread.join()
        continuation.finish()
        let (total, notGood, _) = await consumer.value

        var merged = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var missed: UInt64 = 0
        var skipped: UInt64 = 0
        var cycles: UInt64 = 0
        var timeouts: UInt64 = 0
        var granted = 0
        for poller in pollers {
            merged.add(poller.periodErrorHistogram())
            let s = poller.statistics()
            missed += s.missedDeadlines
            skipped += s.skippedCycles
            cycles += s.cycles
            timeouts += s.rigs.reduce(0) { $0 + $1.timeouts + $1.failures }
            if s.realTime.granted { granted += 1 }
        }
        var c = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        let (cErrors, cRealTime) = cResult.withLock { $0 }
        for e in cErrors { c.record(UInt64(max(e, 0))) }
        let tolerance = LinkConfiguration(name: "", transport: server.transport, rigs: [], period: period).deadlineTolerance
        let cMissed = cErrors.filter { $0 > tolerance.nanosecondsTotal }.count

        print(Self.row("period error", "p50", "p99", "max", "missed"))
        print(Self.row("Swift poller (\(pollers.count) links)", Self.us(merged.valueAtPercentile(50)),
                       Self.us(merged.valueAtPercentile(99)), Self.us(merged.max), "\(missed)"))
        print(Self.row("C clock_nanosleep loop", Self.us(c.valueAtPercentile(50)), Self.us(c.valueAtPercentile(99)),
                       Self.us(c.max), "\(cMissed)"))
        let ratio = Double(merged.valueAtPercentile(99)) / Double(max(c.valueAtPercentile(99), 1))
        let p99 = Double(merged.valueAtPercentile(99)) / 1e6
        print("Ratio Swift/C p99: \(Self.fmt(ratio, 2))x (target ≤ 1.5x: \(ratio <= 1.5 ? "met" : "NOT met")); "
              + "Swift p99 \(Self.fmt(p99, 3)) ms (target < 1 ms: \(p99 < 1 ? "met" : "NOT met")); "
              + "missed deadlines \(missed) (tolerance \(tolerance)), skipped cycles \(skipped)")
        print("Cycles \(cycles), samples \(total) (not good: \(notGood), failed reads \(timeouts)); "
              + "SCHED_FIFO: poller \(realtime ? "\(granted)/\(pollers.count) granted" : "not requested"), "
              + "C loop \(realtime ? (cRealTime ? "granted" : "refused") : "not requested")")
    }

    // MARK: Formatting

    static let benchMap = RegisterMap(
        model: "bench", kind: .brakeTester, version: "1",
        channels: [
            .init(name: "force_left", table: .input, address: 0, type: .f32, unit: "daN"),
            .init(name: "force_right", table: .input, address: 2, type: .f32, unit: "daN"),
            .init(name: "weight", table: .input, address: 4, type: .u16, scale: 0.5, unit: "kg"),
            .init(name: "slip_left", table: .input, address: 5, type: .i16, scale: 0.1, unit: "%"),
            .init(name: "slip_right", table: .input, address: 6, type: .i16, scale: 0.1, unit: "%"),
            .init(name: "ready", table: .discreteInput, address: 0, type: .bool),
            .init(name: "fault", table: .discreteInput, address: 1, type: .bool),
        ],
        commands: [.init(name: "rollers_run", table: .coil, address: 0)])

    static func us(_ ns: UInt64) -> String { fmt(Double(ns) / 1000, 1) + " µs" }

    static func fmt(_ value: Double, _ decimals: Int) -> String {
        var text = String(format: "%.\(decimals)f", value)
        if text == "-0" { text = "0" }
        return text
    }

    static func row(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        return pad(a, 26) + pad(b, 16) + pad(c, 14) + pad(d, 14) + e
    }

    static func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        guard getloadavg(&loads, 3) == 3 else { return "?" }
        return loads.map { fmt($0, 2) }.joined(separator: " ")
    }
}

/// A value behind a mutex that escaping closures can capture.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}

/// Hands a raw pointer to one other thread (the C loop reads the stop flag through it).
struct UncheckedPointer: @unchecked Sendable {  // safe: the flag outlives the thread (joined before dealloc)
    let pointer: UnsafeMutablePointer<Int32>
    init(_ pointer: UnsafeMutablePointer<Int32>) { self.pointer = pointer }
}

extension ModbusServer.Layout {
    /// The union of two layouts' ranges.
    func merged(with other: Self) -> Self {
        func union(_ a: Range<Int>, _ b: Range<Int>) -> Range<Int> {
            if a.isEmpty { return b }
            if b.isEmpty { return a }
            return min(a.lowerBound, b.lowerBound)..<max(a.upperBound, b.upperBound)
        }
        return Self(
            coils: union(coils, other.coils), discreteInputs: union(discreteInputs, other.discreteInputs),
            holdingRegisters: union(holdingRegisters, other.holdingRegisters),
            inputRegisters: union(inputRegisters, other.inputRegisters))
    }
}
