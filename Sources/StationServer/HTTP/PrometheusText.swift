import Foundation
import LaneCore
import Rigs
import StationControl

/// Writes the poll statistics in the Prometheus text exposition format (version 0.0.4), from one snapshot
/// of every link's statistics and every rig's latest sample.
enum PrometheusText {
    static func render(hub: LiveHub, station: StationFeed? = nil) -> String {
        var out = Exposition()
        let links = hub.linkStatistics()
        out.family("lane_link_cycles_total", "counter", "Poll cycles run per link.")
        for l in links { out.sample("lane_link_cycles_total", ["link": l.name], Double(l.cycles)) }
        out.family("lane_link_missed_deadlines_total", "counter", "Cycles that started later than deadline plus tolerance.")
        for l in links { out.sample("lane_link_missed_deadlines_total", ["link": l.name], Double(l.missedDeadlines)) }
        out.family("lane_link_skipped_cycles_total", "counter", "Cycles skipped after an overrun of a whole period.")
        for l in links { out.sample("lane_link_skipped_cycles_total", ["link": l.name], Double(l.skippedCycles)) }
        out.family("lane_link_reconnects_total", "counter", "Successful reconnects of the link.")
        for l in links { out.sample("lane_link_reconnects_total", ["link": l.name], Double(l.reconnects)) }
        out.family("lane_link_failed_connects_total", "counter", "Failed connect attempts.")
        for l in links { out.sample("lane_link_failed_connects_total", ["link": l.name], Double(l.failedConnects)) }
        out.family("lane_link_period_seconds", "gauge", "Configured poll period.")
        for l in links { out.sample("lane_link_period_seconds", ["link": l.name], l.period.seconds) }
        for (name, help, pick) in [
            ("lane_link_period_error_seconds", "Lateness of each cycle's start after its deadline.", \LinkStatistics.periodError),
            ("lane_link_cycle_seconds", "Time each cycle spent polling.", \LinkStatistics.cycleTime),
        ] as [(String, String, KeyPath<LinkStatistics, DurationSummary>)] {
            out.family(name, "summary", help)
            for l in links {
                let s = l[keyPath: pick]
                for (q, v) in [("0.5", s.p50), ("0.9", s.p90), ("0.99", s.p99), ("0.999", s.p999), ("1", s.max)] {
                    out.sample(name, ["link": l.name, "quantile": q], v.seconds)
                }
                out.sample(name + "_sum", ["link": l.name], s.mean.seconds * Double(s.count))
                out.sample(name + "_count", ["link": l.name], Double(s.count))
            }
        }
        let rigs = links.flatMap { l in l.rigs.map { (l.name, $0) } }
        for (name, help, pick) in [
            ("lane_rig_polls_total", "Polls attempted.", \RigStatistics.polls),
            ("lane_rig_good_total", "Polls with every value read and in range.", \RigStatistics.good),
            ("lane_rig_out_of_range_total", "Polls with a value outside its declared range.", \RigStatistics.outOfRange),
            ("lane_rig_timeouts_total", "Polls that timed out.", \RigStatistics.timeouts),
            ("lane_rig_failures_total", "Polls that failed otherwise (link down, exception, garbage).", \RigStatistics.failures),
            ("lane_rig_commands_written_total", "Commands written to the rig.", \RigStatistics.commandsWritten),
            ("lane_rig_command_failures_total", "Commands that failed to be written.", \RigStatistics.commandFailures),
        ] as [(String, String, KeyPath<RigStatistics, UInt64>)] {
            out.family(name, "counter", help)
            for (link, r) in rigs { out.sample(name, ["rig": r.rig.rawValue, "link": link], Double(r[keyPath: pick])) }
        }
        out.family("lane_rig_online", "gauge", "1 when the last poll read the rig.")
        for (link, r) in rigs { out.sample("lane_rig_online", ["rig": r.rig.rawValue, "link": link], r.online ? 1 : 0) }
        let snapshots = hub.rigSnapshots()
        out.family("lane_rig_stale_seconds", "gauge", "Seconds since the rig last read good (0 while good).")
        for s in snapshots { out.sample("lane_rig_stale_seconds", ["rig": s.rig.rawValue], s.staleForSeconds ?? 0) }
        out.family("lane_live_clients", "gauge", "Live feed (/live) clients connected.")
        out.sample("lane_live_clients", [:], Double(hub.liveClients))
        out.family("lane_samples_received_total", "counter", "Samples the server has taken from the pollers.")
        out.sample("lane_samples_received_total", [:], Double(hub.samplesReceived))
        if let station { renderStation(station, into: &out) }
        return out.text
    }

    /// The station's figures from the controller's latest snapshot and the feed's counts: queue, lanes, drivers,
    /// alarms, inspections per hour, and the latencies (last sample → verdict published, → item journaled,
    /// → rollers stop handed to the link), all on the pollers' monotonic clock (docs/api.md).
    static func renderStation(_ station: StationFeed, into out: inout Exposition) {
        let latencies = station.controller.latencies
        for (name, help, histogram) in [
            ("lane_pipeline_verdict_latency_seconds",
             "From the last sample behind an item to its verdict event published to the live feed.", station.verdictLatency),
            ("lane_journal_write_latency_seconds",
             "From the last sample behind an item to the journal transaction holding it committed.", latencies.journalWrite),
            ("lane_rollers_stop_latency_seconds",
             "From the sample after which a procedure stopped the rollers (slip, end of run, fault) to the command handed to the rig's link.",
             latencies.rollersStop),
        ] as [(String, String, LatencyHistogram)] {
            out.histogram(name, help, histogram.snapshot())
        }
        let counts = station.counts()
        out.family("lane_inspections_finished_total", "counter", "Inspections judged since the server started.")
        out.sample("lane_inspections_finished_total", [:], Double(counts.finished))
        out.family("lane_inspections_last_hour", "gauge", "Inspections judged in the last hour (inspections per hour).")
        out.sample("lane_inspections_last_hour", [:], Double(counts.lastHour))
        out.family("lane_verdicts_total", "counter", "Item verdicts published since the server started.")
        out.sample("lane_verdicts_total", [:], Double(counts.verdicts))
        guard let snapshot = station.snapshot else { return }
        out.family("lane_queue_length", "gauge", "Vehicles checked in and not yet done.")
        out.sample("lane_queue_length", [:], Double(snapshot.queue.count))
        out.family("lane_queue_waiting", "gauge", "Vehicles waiting for a driver (state waiting).")
        out.sample("lane_queue_waiting", [:], Double(snapshot.queue.filter { $0.state == "waiting" }.count))
        out.family("lane_queue_wait_seconds_max", "gauge", "Longest wait from check-in (to lane entry) in the queue now.")
        out.sample("lane_queue_wait_seconds_max", [:], Double(snapshot.queue.map(\.waitedSeconds).max() ?? 0))
        out.family("lane_state", "gauge", "1 for each lane's state (idle, called, busy) and, while busy, its run's state.")
        for lane in snapshot.lanes {
            out.sample("lane_state", ["lane": lane.id, "state": lane.state, "run": lane.current?.state ?? ""], 1)
        }
        out.family("lane_inspections_finished_lane_total", "counter", "Inspections finished per lane in this process.")
        for lane in snapshot.lanes {
            out.sample("lane_inspections_finished_lane_total", ["lane": lane.id], Double(lane.finishedCount))
        }
        out.family("lane_drivers", "gauge", "Drivers per state.")
        var drivers: [String: Int] = [:]
        for d in snapshot.drivers { drivers[d.state, default: 0] += 1 }
        for (state, n) in drivers.sorted(by: { $0.key < $1.key }) { out.sample("lane_drivers", ["state": state], Double(n)) }
        out.family("lane_alarms_active", "gauge", "Alarms standing now, per severity.")
        for severity in ["warning", "error"] {
            out.sample("lane_alarms_active", ["severity": severity],
                       Double(snapshot.alarms.filter { $0.active && $0.severity == severity }.count))
        }
        out.family("lane_journal_pending", "gauge", "Journal entries waiting to be written.")
        out.sample("lane_journal_pending", [:], Double(snapshot.journalPending))
        out.family("lane_journal_failures_total", "counter", "Journal writes that failed.")
        out.sample("lane_journal_failures_total", [:], Double(snapshot.journalFailures))
        out.family("lane_shift_open", "gauge", "1 while a shift is open.")
        out.sample("lane_shift_open", [:], snapshot.shift?.state == "open" ? 1 : 0)
    }

    struct Exposition {
        var text = ""
        mutating func family(_ name: String, _ type: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
            text += name
            if !labels.isEmpty {
                text += "{" + labels.map { "\($0.key)=\"\(escape($0.value))\"" }.joined(separator: ",") + "}"
            }
            text += " " + format(value) + "\n"
        }
        /// A histogram family: cumulative `_bucket{le=…}` lines, the `+Inf` bucket, `_sum` and `_count`.
        mutating func histogram(_ name: String, _ help: String, _ h: LatencyHistogram.Snapshot) {
            family(name, "histogram", help)
            for (bound, count) in zip(h.bounds, h.cumulativeCounts) {
                sample(name + "_bucket", ["le": format(bound)], Double(count))
            }
            sample(name + "_bucket", ["le": "+Inf"], Double(h.count))
            sample(name + "_sum", [:], h.sum)
            sample(name + "_count", [:], Double(h.count))
        }
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        func format(_ v: Double) -> String {
            if v.isNaN { return "NaN" }
            if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
            if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
            return "\(v)"
        }
    }
}
