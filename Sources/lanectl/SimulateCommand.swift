import ArgumentParser
import Foundation
import Journal
import LaneCore
import StationControl
import Valet

/// `lanectl simulate`: a station day on a virtual clock, comparing driver policies.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate station days (virtual clock) and compare driver policies / 模拟检测站营业日并比较派车方式.",
        discussion: """
            Drives the station's own dispatcher with simulated arrivals, walks and station times, and prints
            vehicles per hour, the wait from check-in to lane entry (mean and p95), lane and driver use for:
            pooled random draw, drivers fixed to lanes, and first-free round robin. Figures are over --days
            simulated days (the same vehicles for each policy). See docs/dispatch.md.
            """
    )

    @Option(help: "Lanes.") var lanes = 2
    @Option(help: "Valet drivers.") var drivers = 8
    @Option(help: "Mean arrivals per hour over the day (the morning peak included).") var arrivalsPerHour = 24.0
    @Option(help: "Hours the desk takes vehicles.") var hours = 8.0
    @Option(help: "Seed of the simulated days (arrivals, times, the shift seeds).") var seed: UInt64 = 1
    @Option(help: "Simulated days to average over.") var days = 20
    @Option(help: "Arrival rate in the morning peak relative to the mean.") var peakFactor = 1.6
    @Option(help: "Share of arrivals with an appointment.") var appointmentShare = 0.3
    @Option(help: "Share of vehicles that fail and come back as re-tests the same day.") var retestShare = 0.08
    @Option(help: "Share of assignments the driver never confirms (redrawn after the time-out).") var noConfirmShare = 0.02
    @Flag(help: "Also run every driver count from the lane count to twice --drivers and show the best one.")
    var sweepDrivers = false
    @Option(help: "Write day 0's shift journal (pooled random draw) as JSON, for `lanectl dispatch verify-file`.")
    var journalOut: String?
    @Option(help: "Append day 0's shift journal (pooled random draw) to this journal database, for `lanectl dispatch verify DB`.")
    var db: String?
    @Flag(help: "Check after every event that no vehicle waits while a lane and driver for it are free.")
    var checkStalls = false

    func validate() throws {
        guard lanes >= 1, lanes <= 20 else { throw ValidationError("--lanes must be 1 to 20 (got \(lanes)).") }
        guard drivers >= 1, drivers <= 99 else { throw ValidationError("--drivers must be 1 to 99 (got \(drivers)).") }
        guard arrivalsPerHour > 0, arrivalsPerHour <= 1000 else { throw ValidationError("--arrivals-per-hour must be in (0, 1000].") }
        guard hours > 0, hours <= 24 else { throw ValidationError("--hours must be in (0, 24].") }
        guard days >= 1, days <= 10_000 else { throw ValidationError("--days must be 1 to 10000.") }
        for (name, v) in [("--appointment-share", appointmentShare), ("--retest-share", retestShare),
                          ("--no-confirm-share", noConfirmShare)] where !(0...1).contains(v)
        {
            throw ValidationError("\(name) must be between 0 and 1 (got \(v)).")
        }
    }

    func run() throws {
        var p = SimulationParameters()
        p.lanes = lanes
        p.drivers = drivers
        p.arrivalsPerHour = arrivalsPerHour
        p.hours = hours
        p.seed = seed
        p.days = days
        p.peakFactor = peakFactor
        p.appointmentShare = appointmentShare
        p.retestShare = retestShare
        p.noConfirmShare = noConfirmShare
        let start = ContinuousClock.now
        print("Station day: \(lanes) lanes, \(drivers) drivers, \(fmt(arrivalsPerHour, 1)) arrivals/h over \(fmt(hours, 1)) h "
              + "(peak ×\(fmt(peakFactor, 1)) from +\(fmt(p.peakStartHours, 1)) h for \(fmt(p.peakHours, 1)) h), "
              + "lane \(fmt(p.meanLaneSeconds / 60, 1)) min/vehicle, \(days) days, seed \(seed)")
        print("车站营业日：\(lanes) 条线，\(drivers) 名驾驶员，每小时 \(fmt(arrivalsPerHour, 1)) 辆，\(fmt(hours, 1)) 小时，模拟 \(days) 天")
        print("")
        let results = DriverPolicy.Kind.allCases.map { StationSimulation.run(p, policy: $0, checkStalls: checkStalls) }
        printTable(results)
        if sweepDrivers { sweep(p) }
        if let journalOut {
            let entries = StationSimulation.journalOfDay(p, policy: .pooledRandom)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(entries).write(to: URL(fileURLWithPath: journalOut))
            print("\nWrote \(entries.count) journal entries of shift \(StationSimulation.shiftID(seed: seed, day: 0)) to \(journalOut)")
        }
        if let db {
            let entries = StationSimulation.journalOfDay(p, policy: .pooledRandom)
            let now = WallTime(Date())
            let journal = try Journal(path: db, now: now)
            try DispatchJournal.append(entries, to: journal, at: now)
            print("\nAppended \(entries.count) dispatch entries of shift \(StationSimulation.shiftID(seed: seed, day: 0)) to \(db)")
        }
        let elapsed = ContinuousClock.now - start
        print("\n(\(fmt(elapsed.seconds * 1000, 1)) ms)")
    }

    func printTable(_ results: [StationSimulation.Result]) {
        print(pad("policy / 派车方式", 30) + lpad("veh/h", 7) + lpad("wait mean", 11) + lpad("wait p95", 10)
              + lpad("wait max", 10) + lpad("lane use", 10) + lpad("driver use", 12) + lpad("redraws/d", 11)
              + lpad("day h", 7) + (checkStalls ? lpad("stalls", 8) : ""))
        for r in results {
            print(pad(name(r.policy), 30) + lpad(fmt(r.vehiclesPerHour, 1), 7) + lpad(minutes(r.meanWaitSeconds), 11)
                  + lpad(minutes(r.p95WaitSeconds), 10) + lpad(minutes(r.maxWaitSeconds), 10)
                  + lpad(percent(r.laneUtilisation), 10) + lpad(percent(r.driverUtilisation), 12)
                  + lpad(fmt(r.redrawsPerDay, 2), 11) + lpad(fmt(r.dayLengthHours, 2), 7)
                  + (checkStalls ? lpad("\(r.stalls)", 8) : ""))
        }
        print("wait = check-in to lane entry (候车：登记到进线); lane use = share of the day a lane has a vehicle; "
              + "day h = opening to last key back")
    }

    func sweep(_ base: SimulationParameters) {
        print("\nDriver count sweep (mean / p95 wait in minutes) / 驾驶员人数扫描:")
        let kinds = DriverPolicy.Kind.allCases
        print(pad("drivers", 9) + kinds.map { lpad(shortName($0), 22) }.joined() + lpad("pooled driver use", 19))
        var rows: [(Int, [StationSimulation.Result])] = []
        for n in max(1, base.lanes)...max(base.lanes + 1, 2 * base.drivers) {
            var p = base
            p.drivers = n
            let rs = kinds.map { StationSimulation.run(p, policy: $0) }
            rows.append((n, rs))
            print(pad("\(n)", 9) + rs.map { lpad("\(minutes($0.meanWaitSeconds)) / \(minutes($0.p95WaitSeconds))", 22) }.joined()
                  + lpad(percent(rs[0].driverUtilisation), 19))
        }
        // The best count: the fewest drivers whose pooled p95 wait is within 10 % (or 30 s) of the most drivers'.
        guard let floor = rows.last?.1[0].p95WaitSeconds else { return }
        if let best = rows.first(where: { $0.1[0].p95WaitSeconds <= max(floor * 1.1, floor + 30) }) {
            print("Best driver count for \(base.lanes) lanes (pooled draw): \(best.0): p95 wait \(minutes(best.1[0].p95WaitSeconds)) "
                  + "min against \(minutes(floor)) min with \(rows.last!.0); more drivers only idle "
                  + "(driver use \(percent(best.1[0].driverUtilisation))).")
            print("两条线的最佳驾驶员人数（随机抽签）：\(best.0) 人。")
        }
    }

    func name(_ k: DriverPolicy.Kind) -> String {
        switch k {
        case .pooledRandom: "pooled random draw / 随机抽签"
        case .fixedToLanes: "fixed to lanes / 固定分线"
        case .firstFree: "first free (RR) / 先空先派"
        }
    }
    func shortName(_ k: DriverPolicy.Kind) -> String {
        switch k {
        case .pooledRandom: "pooled random"
        case .fixedToLanes: "fixed to lanes"
        case .firstFree: "first free"
        }
    }
}

fileprivate func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
fileprivate func minutes(_ seconds: Double) -> String { fmt(seconds / 60, 1) }
fileprivate func percent(_ x: Double) -> String { fmt(x * 100, 0) + " %" }
fileprivate func pad(_ s: String, _ w: Int) -> String {
    let width = s.reduce(0) { $0 + ($1.isASCII ? 1 : 2) }
    return s + String(repeating: " ", count: max(1, w - width))
}
fileprivate func lpad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(1, w - s.count)) + s }
