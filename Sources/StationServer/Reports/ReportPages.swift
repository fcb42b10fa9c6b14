import Foundation
import Journal
import LaneCore

/// The language of a page: Chinese (zh-CN, the default) or English.
struct Lang: Sendable {
    var zh: Bool
    func t(_ chinese: String, _ english: String) -> String { zh ? chinese : english }
    var code: String { zh ? "zh" : "en" }
    var htmlLang: String { zh ? "zh-CN" : "en" }
}

/// Local date and time (`2026-11-21 09:32:10`) of a wall time at the station's offset.
func localTime(_ t: WallTime, _ offset: Int, seconds: Bool = true) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: offset) ?? TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: t.date)
    let base = String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    return seconds ? base + String(format: ":%02d", c.second!) : base
}

func statusText(_ status: InspectionStatus?, _ lang: Lang) -> String {
    switch status {
    case .pass?: lang.t("合格", "pass")
    case .fail?: lang.t("不合格", "fail")
    case .incomplete?: lang.t("数据不完整", "incomplete")
    case .aborted?: lang.t("已中止", "aborted")
    case .interrupted?: lang.t("已中断", "interrupted")
    case nil: lang.t("进行中", "open")
    }
}

func verdictText(_ verdict: ItemVerdict, _ lang: Lang) -> String {
    switch verdict {
    case .pass: lang.t("合格", "pass")
    case .fail: lang.t("不合格", "fail")
    case .incomplete: lang.t("不完整", "incomplete")
    case .notApplicable: lang.t("不适用", "n/a")
    }
}

/// HTML of the report pages, rendered on the server (no script needed to read or print a report).
enum ReportPages {
    static func layout(title: String, lang: Lang, user: StationUser?, path: String, body: String) -> String {
        let other = lang.zh ? "en" : "zh"
        let separator = path.contains("?") ? "&" : "?"
        return """
            <!doctype html>
            <html lang="\(lang.htmlLang)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(esc(title))</title>
            <link rel="stylesheet" href="/reports/assets/reports.css">
            </head><body>
            <header class="bar no-print">
            <a href="/reports?lang=\(lang.code)" id="nav-search">\(lang.t("检验报告查询", "Reports"))</a>
            <a href="/reports/stats?lang=\(lang.code)" id="nav-stats">\(lang.t("统计", "Statistics"))</a>
            <span class="spacer"></span>
            <span id="who">\(user.map { "\(esc($0.name)) (\(esc($0.id)), \(esc($0.role.rawValue)))" } ?? "")</span>
            <a id="lang-toggle" href="\(esc(path + separator + "lang=" + other))">\(lang.zh ? "English" : "中文")</a>
            </header>
            <main>
            \(body)
            </main></body></html>
            """
    }

    // MARK: search

    static func search(
        query: InspectionQuery, form: [String: String], rows: [InspectionSummary], lang: Lang, user: StationUser?,
        offset: Int, queryString: String
    ) -> String {
        func value(_ k: String) -> String { esc(form[k] ?? "") }
        func option(_ name: String, _ v: String, _ label: String) -> String {
            "<option value=\"\(v)\"\(form[name] == v ? " selected" : "")>\(label)</option>"
        }
        let verdicts = [("", lang.t("全部", "any"))] + InspectionQuery.Verdict.allCases.map { v in
            (v.rawValue, v == .open ? lang.t("进行中", "open") : statusText(InspectionStatus(rawValue: v.rawValue), lang))
        }
        var body = """
            <h1>\(lang.t("检验报告查询", "Find an inspection report"))</h1>
            <form id="search" method="get" action="/reports" class="no-print search">
            <input type="hidden" name="lang" value="\(lang.code)">
            <label>\(lang.t("号牌", "Plate")) <input name="plate" id="plate" value="\(value("plate"))"></label>
            <label>VIN <input name="vin" id="vin" value="\(value("vin"))"></label>
            <label>\(lang.t("起始日期", "From")) <input type="date" name="from" id="from" value="\(value("from"))"></label>
            <label>\(lang.t("截止日期", "To")) <input type="date" name="to" id="to" value="\(value("to"))"></label>
            <label>\(lang.t("检测线", "Lane")) <input name="lane" id="lane" size="4" value="\(value("lane"))"></label>
            <label>\(lang.t("驾驶员", "Driver")) <input name="driver" id="driver" size="5" value="\(value("driver"))"></label>
            <label>\(lang.t("结论", "Verdict")) <select name="verdict" id="verdict">\(verdicts.map { option("verdict", $0.0, $0.1) }.joined())</select></label>
            <label>\(lang.t("签字", "Signed")) <select name="signed" id="signed">\(option("signed", "", lang.t("全部", "any")))\(option("signed", "yes", lang.t("已签字", "signed")))\(option("signed", "no", lang.t("未签字", "unsigned")))</select></label>
            <button type="submit" id="search-button">\(lang.t("查询", "Search"))</button>
            </form>
            <p class="no-print"><span id="result-count">\(rows.count)</span> \(lang.t("条记录", "attempts")) ·
            <a id="csv-link" href="/reports/search.csv?\(esc(queryString))">CSV</a> ·
            <a href="/api/reports?\(esc(queryString))">JSON</a></p>
            <table class="results" id="results"><thead><tr>
            <th>\(lang.t("开始时间", "Opened"))</th><th>\(lang.t("号牌", "Plate"))</th><th>VIN</th><th>\(lang.t("线", "Lane"))</th>
            <th>\(lang.t("次", "Att."))</th><th>\(lang.t("结论", "Verdict"))</th><th>\(lang.t("不合格项", "Failed items"))</th>
            <th>\(lang.t("驾驶员", "Driver"))</th><th>\(lang.t("签字", "Signed"))</th></tr></thead><tbody>
            """
        for r in rows {
            body += """
                <tr data-inspection="\(esc(r.id.rawValue))" data-status="\(r.status?.rawValue ?? "open")" data-signed="\(r.signedBy == nil ? "no" : "yes")">
                <td>\(localTime(r.openedAt, offset))</td>
                <td><a class="open-report" href="/reports/\(esc(r.id.rawValue))?lang=\(lang.code)">\(esc(r.plate))</a></td>
                <td class="mono">\(esc(r.vin ?? ""))</td><td>\(esc(r.lane.rawValue))</td>
                <td>\(r.attempt)\(r.retestOf == nil ? "" : " ↺")</td>
                <td class="status \(r.status?.rawValue ?? "open")">\(statusText(r.status, lang))</td>
                <td class="mono small">\(esc(r.failedItems.joined(separator: " ")))</td>
                <td>\(esc(r.driver?.rawValue ?? "–"))</td>
                <td>\(r.signedBy.map { "✔ " + esc($0) } ?? "–")</td></tr>
                """
        }
        body += "</tbody></table>"
        return layout(title: lang.t("检验报告查询", "Reports"), lang: lang, user: user, path: "/reports?" + queryString, body: body)
    }
}
