import Foundation
import Journal

/// One chart of the statistics page: the bars drawn and the table behind them (its CSV), from one source.
struct StatsChart {
    var id: String
    var title: String
    var header: [String]
    var rows: [[String]]
    var bars: [(label: String, value: Double, text: String)]

    var csv: String { CSV.table(header: header, rows: rows) }
}

extension ReportPages {
    /// The charts of a period's statistics, in page order.
    static func charts(_ s: DayStatistics, period: StatisticsPeriod, lang: Lang) -> [StatsChart] {
        func pct(_ r: Double?) -> String { r.map { fmt($0 * 100, 1) } ?? "" }
        func secs(_ v: Double) -> String { fmt(v, 1) }
        var charts: [StatsChart] = []
        // Vehicles per hour (local time); bars from the first to the last busy hour.
        let busy = s.vehiclesByHour.indices.filter { s.vehiclesByHour[$0] > 0 }
        let shown = busy.isEmpty ? [] : Array(busy.first!...busy.last!)
        charts.append(StatsChart(
            id: "hourly", title: lang.t("每小时车辆数", "Vehicles per hour"), header: ["hour", "vehicles"],
            rows: (0..<24).map { [String(format: "%02d:00", $0), String(s.vehiclesByHour[$0])] },
            bars: shown.map { (String(format: "%02d:00", $0), Double(s.vehiclesByHour[$0]), String(s.vehiclesByHour[$0])) }))
        if period != .day {
            let days = s.vehiclesByDay.sorted { $0.key < $1.key }
            charts.append(StatsChart(
                id: "daily", title: lang.t("每日车辆数", "Vehicles per day"), header: ["date", "vehicles"],
                rows: days.map { [$0.key, String($0.value)] }, bars: days.map { ($0.key, Double($0.value), String($0.value)) }))
        }
        let items = s.byItem.sorted { $0.key < $1.key }
        charts.append(StatsChart(
            id: "items", title: lang.t("各项目合格率", "Pass rate per item"),
            header: ["item", "pass", "fail", "incomplete", "not_applicable", "pass_rate_pct"],
            rows: items.map { [$0.key, String($0.value.pass), String($0.value.fail), String($0.value.incomplete), String($0.value.notApplicable), pct($0.value.passRate)] },
            bars: items.map { ($0.key, ($0.value.passRate ?? 0) * 100, "\(pct($0.value.passRate))% (\($0.value.pass)/\($0.value.pass + $0.value.fail))") }))
        let causes = s.failuresByCause.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        charts.append(StatsChart(
            id: "causes", title: lang.t("不合格原因（检验次数）", "Failures by cause (attempts)"), header: ["cause", "failed_attempts"],
            rows: causes.map { [$0.key, String($0.value)] }, bars: causes.map { ($0.key, Double($0.value), String($0.value)) }))
        let lanes = s.byLane.keys.sorted()
        charts.append(StatsChart(
            id: "lanes", title: lang.t("各检测线合格率", "Pass rate per lane"),
            header: ["lane", "attempts", "pass", "fail", "incomplete", "aborted", "interrupted", "open", "pass_rate_pct"],
            rows: lanes.map { l in
                let c = s.byLane[l]!
                return [l, String(c.attempts), String(c.pass), String(c.fail), String(c.incomplete), String(c.aborted), String(c.interrupted), String(c.open), pct(c.passRate)]
            },
            bars: lanes.map { l in (l, (s.byLane[l]!.passRate ?? 0) * 100, "\(pct(s.byLane[l]!.passRate))% (\(s.byLane[l]!.attempts))") }))
        var timeRows: [[String]] = []
        var timeBars: [(String, Double, String)] = []
        for lane in lanes {
            for (kind, summary) in [("waiting", s.waitingByLane[lane]), ("lane_time", s.laneTimeByLane[lane])] {
                guard let summary else { continue }
                timeRows.append([lane, kind, String(summary.count), secs(summary.mean), secs(summary.median), secs(summary.p90), secs(summary.max)])
                let label = "\(lane) " + (kind == "waiting" ? lang.t("等候", "wait") : lang.t("线上", "on lane"))
                timeBars.append((label, summary.mean / 60, "\(fmt(summary.mean / 60, 1)) min (p90 \(fmt(summary.p90 / 60, 1)))"))
            }
        }
        charts.append(StatsChart(
            id: "times", title: lang.t("等候与线上时间（平均，分钟）", "Waits and lane times (mean, minutes)"),
            header: ["lane", "measure", "count", "mean_s", "median_s", "p90_s", "max_s"], rows: timeRows, bars: timeBars))
        let drivers = s.byDriver.keys.sorted()
        charts.append(StatsChart(
            id: "drivers", title: lang.t("各驾驶员：检验次数与线上时间", "Per driver: attempts and lane time"),
            header: ["driver", "attempts", "pass", "fail", "pass_rate_pct", "lane_time_mean_s", "lane_time_median_s", "lane_time_p90_s"],
            rows: drivers.map { d in
                let c = s.byDriver[d]!
                let t = s.laneTimeByDriver[d] ?? DurationSummary([])
                return [d, String(c.attempts), String(c.pass), String(c.fail), pct(c.passRate), secs(t.mean), secs(t.median), secs(t.p90)]
            },
            bars: drivers.map { d in
                let t = s.laneTimeByDriver[d] ?? DurationSummary([])
                return (d, Double(s.byDriver[d]!.attempts), "\(s.byDriver[d]!.attempts) · \(fmt(t.mean / 60, 1)) min")
            }))
        return charts
    }

    static func stats(
        _ s: DayStatistics, period: StatisticsPeriod, date: String, lang: Lang, user: StationUser?, offset: Int
    ) -> String {
        func option(_ p: StatisticsPeriod, _ label: String) -> String {
            "<option value=\"\(p.rawValue)\"\(p == period ? " selected" : "")>\(label)</option>"
        }
        let query = "period=\(period.rawValue)&date=\(date)"
        var b = """
            <h1>\(lang.t("检测站统计", "Station statistics"))</h1>
            <form method="get" action="/reports/stats" class="no-print search" id="stats-form">
            <input type="hidden" name="lang" value="\(lang.code)">
            <label>\(lang.t("周期", "Period")) <select name="period" id="period">\(option(.day, lang.t("日", "day")))\(option(.week, lang.t("周", "week")))\(option(.month, lang.t("月", "month")))</select></label>
            <label>\(lang.t("日期", "Date")) <input type="date" name="date" id="date" value="\(esc(date))"></label>
            <button type="submit">\(lang.t("显示", "Show"))</button>
            </form>
            <p id="period-range">\(localTime(s.from, offset, seconds: false)) – \(localTime(s.to, offset, seconds: false)) ·
            \(lang.t("车辆", "vehicles")) <strong id="vehicles">\(s.vehicles)</strong> ·
            \(lang.t("检验次数", "attempts")) <strong id="attempts">\(s.overall.attempts)</strong> ·
            \(lang.t("合格率", "pass rate")) <strong id="pass-rate">\(s.overall.passRate.map { fmt($0 * 100, 1) + "%" } ?? "–")</strong> ·
            \(lang.t("初检合格率", "first-time pass rate")) <strong>\(s.firstAttempts.passRate.map { fmt($0 * 100, 1) + "%" } ?? "–")</strong> ·
            <a href="/api/reports/stats?\(query)">JSON</a></p>
            """
        for chart in charts(s, period: period, lang: lang) {
            b += """
                <section class="stats-chart" data-chart="\(chart.id)"><h2>\(esc(chart.title))
                <a class="csv no-print" id="csv-\(chart.id)" href="/reports/stats.csv?\(query)&chart=\(chart.id)">CSV</a></h2>
                \(ReportCharts.bars(chart.bars, id: chart.id, caption: chart.title))</section>
                """
        }
        return layout(title: lang.t("统计", "Statistics"), lang: lang, user: user, path: "/reports/stats?\(query)", body: b)
    }
}
