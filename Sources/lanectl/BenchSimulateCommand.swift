import ArgumentParser
import Foundation
import LaneCore
import Valet

/// `lanectl bench simulate`: simulated vehicles per second, beside baselines measured in the same run.
struct BenchSimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulated vehicles per second with the auditable draw, against the same loop without it.",
        discussion: """
            Ours: whole station days (2 lanes, 8 drivers, 24 arrivals/h, 8 h) through the dispatcher with the pooled
            HMAC-SHA256 draw. Baseline 1: the same event loop and dispatcher with the first-free policy (no draw,
            no HMAC). Baseline 2: raw draws (one HMAC-SHA256 with rejection sampling each) per second.
            """
    )
    @Option(help: "Seconds to spend on each measurement.") var seconds = 1.0
    @Option(help: "Seed of the simulated days.") var seed: UInt64 = 1

    func run() throws {
        var p = SimulationParameters()
        p.seed = seed
        p.days = 1
        let loadBefore = loadAverage()
        let pooled = measure(p, .pooledRandom)
        let trivial = measure(p, .firstFree)
        let draws = measureDraws()
        func row(_ name: String, _ m: Measurement, _ unit: String) -> String {
            name.padding(toLength: 36, withPad: " ", startingAt: 0)
                + format(m.rate).leftPadded(11) + "  " + format(m.cpuRate).leftPadded(11) + "  " + unit
        }
        print("load average (1 min) before / after: \(loadBefore) / \(loadAverage()); "
              + "wall clock counts time other processes take from this thread, CPU-second only its own")
        print("".padding(toLength: 36, withPad: " ", startingAt: 0) + "wall clock".leftPadded(11) + "  "
              + "per CPU-s".leftPadded(11))
        print(row("simulate (pooled random draw)", pooled, "vehicles/s  (\(pooled.count) vehicles, \(format(pooled.events)) dispatcher events/s wall)"))
        print(row("baseline: same loop, first-free", trivial, "vehicles/s  (\(trivial.count) vehicles, \(format(trivial.events)) dispatcher events/s wall)"))
        print(row("baseline: raw HMAC-SHA256 draws", draws, "draws/s"))
        print("ratio ours / first-free loop: wall clock \(String(format: "%.2f", pooled.rate / trivial.rate)), "
              + "per CPU-second \(String(format: "%.2f", pooled.cpuRate / trivial.cpuRate)); "
              + "draws / vehicles per CPU-second: \(String(format: "%.1f", draws.cpuRate / pooled.cpuRate))")
        print("target > 100,000 vehicles/s: wall clock " + (pooled.rate > 100_000 ? "met" : "NOT met")
              + ", per CPU-second " + (pooled.cpuRate > 100_000 ? "met" : "NOT met"))
    }

    /// One measurement: per second of wall clock and per CPU-second of this thread.
    struct Measurement {
        var rate: Double
        var count: Int
        var events: Double
        var cpuRate: Double
    }

    func measure(_ base: SimulationParameters, _ policy: DriverPolicy.Kind) -> Measurement {
        var p = base
        var vehicles = 0, events = 0, day: UInt64 = 0
        let cpuStart = threadCPUSeconds()
        let start = ContinuousClock.now
        var elapsed = 0.0
        while elapsed < seconds {
            p.seed = seed &+ day
            let r = StationSimulation.run(p, policy: policy)
            vehicles += r.vehicles
            events += r.events
            day += 1
            elapsed = (ContinuousClock.now - start).seconds
        }
        return Measurement(rate: Double(vehicles) / elapsed, count: vehicles, events: Double(events) / elapsed,
                           cpuRate: Double(vehicles) / (threadCPUSeconds() - cpuStart))
    }

    func measureDraws() -> Measurement {
        var machine = DrawMachine(seed: .forSimulation(seed))
        var input = DrawInput(shift: "bench", number: 0, queueNumber: 1, plate: "鲁G·12345", lane: "L1",
                              eligible: ["D01", "D02", "D03", "D04", "D05", "D06", "D07"])
        var n = 0, sink = 0
        let cpuStart = threadCPUSeconds()
        let start = ContinuousClock.now
        var elapsed = 0.0
        while elapsed < seconds {
            for _ in 0..<1000 {
                input.number += 1
                sink &+= machine.index(for: input)
            }
            n += 1000
            elapsed = (ContinuousClock.now - start).seconds
        }
        if sink == -1 { print(sink) }  // keep the draws from being optimised away
        return Measurement(rate: Double(n) / elapsed, count: n, events: 0, cpuRate: Double(n) / (threadCPUSeconds() - cpuStart))
    }

    func format(_ x: Double) -> String {
        let s = String(Int(x.rounded()))
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}

/// The 1-minute load average from `/proc/loadavg`, or "?" where there is none.
private func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
    return String(text.split(separator: " ").first ?? "?")
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// CPU time this thread has used, in seconds (`CLOCK_THREAD_CPUTIME_ID`).
private func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
