import Foundation
import Journal
import LaneCore

/// What the report page needs beyond the bundle: the signature, the refusals and what the viewer may do.
struct ReportPageContext {
    var bundle: EvidenceBundle
    var signature: Signature?
    var refusals: [(entry: JournalEntry, refusal: ReportRefusal)]
    /// The attempt that re-tests this one, if any.
    var retestedBy: InspectionID?
    var user: StationUser?
    var canOrderRetests: Bool
    var offset: Int
    var stationName: String
    /// A refusal or notice to show at the top.
    var message: (text: String, isError: Bool)?
}

extension ReportPages {
    static func report(_ c: ReportPageContext, lang: Lang) -> String {
        let r = c.bundle.report
        let id = r.inspection.id
        let offset = c.offset
        var b = ""
        let status = r.outcome?.status
        b += """
            <div class="report-head">
            <div><div class="station">\(esc(c.stationName))</div>
            <h1>\(lang.t("机动车安全技术检验报告", "Vehicle safety inspection report"))</h1></div>
            <div class="verdict-box"><span class="status \(status?.rawValue ?? "open")" id="verdict">\(statusText(status, lang))</span>
            \(c.signature != nil ? "<span class=\"locked\" id=\"locked\">🔒 \(lang.t("已签字锁定", "Signed and locked"))</span>" : "<span class=\"unsigned\" id=\"unsigned\">\(lang.t("未签字", "Not signed"))</span>")
            </div></div>
            """
        if let message = c.message {
            b += "<p class=\"\(message.isError ? "error" : "notice") no-print\" id=\"\(message.isError ? "error" : "notice")\">\(esc(message.text))</p>"
        }
        // Vehicle and attempt.
        let v = r.vehicle
        let checkIn = c.bundle.entries.first { $0.kind == .vehicleRegistered }
        b += """
            <section class="facts"><h2>\(lang.t("车辆与检验", "Vehicle and inspection"))</h2><table class="kv">
            <tr><th>\(lang.t("号牌", "Plate"))</th><td id="plate">\(esc(v.plate))</td><th>VIN</th><td class="mono" id="vin">\(esc(v.vin ?? "–"))</td></tr>
            <tr><th>\(lang.t("车辆类别", "Category"))</th><td>\(esc(v.data.category ?? "–"))</td><th>\(lang.t("燃料", "Fuel"))</th><td>\(esc(v.data.fuel.map { "\($0)" } ?? "–"))</td></tr>
            <tr><th>\(lang.t("检验编号", "Inspection"))</th><td class="mono" id="inspection-id">\(esc(id.rawValue))</td>
            <th>\(lang.t("检验次数", "Attempt"))</th><td id="attempt">\(r.inspection.attempt)\(r.inspection.retestOf.map { " (\(lang.t("复检", "re-test of")) <a href=\"/reports/\(esc($0.rawValue))?lang=\(lang.code)\">\(esc($0.rawValue))</a>)" } ?? "")</td></tr>
            <tr><th>\(lang.t("检测线", "Lane"))</th><td>\(esc(r.inspection.lane.rawValue))</td><th>\(lang.t("到站", "Arrived"))</th><td>\(localTime(v.arrivedAt, offset))</td></tr>
            <tr><th>\(lang.t("开始", "Opened"))</th><td>\(localTime(r.inspection.openedAt, offset))</td><th>\(lang.t("结束", "Closed"))</th><td>\(r.outcome.map { localTime($0.closedAt, offset) } ?? "–")</td></tr>
            <tr><th>\(lang.t("登记人", "Checked in by"))</th><td id="check-in">\(esc(checkIn?.actor ?? "–"))</td><th>\(lang.t("操作员", "Operator"))</th><td id="operator">\(esc(r.inspection.operatorID ?? "–"))</td></tr>
            <tr><th>\(lang.t("软件版本", "Software"))</th><td class="mono">\(esc(r.inspection.softwareVersion))</td><th>\(lang.t("检测线配置", "Lane profile"))</th><td class="mono">\(esc(r.inspection.profileVersion))</td></tr>
            \(r.outcome?.reason.map { "<tr><th>\(lang.t("说明", "Reason"))</th><td colspan=\"3\">\(esc($0))</td></tr>" } ?? "")
            </table></section>
            """
        // Items.
        b += """
            <section class="items"><h2>\(lang.t("检验项目", "Items"))</h2><table class="items" id="items"><thead><tr>
            <th>\(lang.t("项目", "Item"))</th><th>\(lang.t("测量值", "Value"))</th><th>\(lang.t("限值", "Limit"))</th><th>\(lang.t("判定", "Verdict"))</th>
            <th>\(lang.t("标准 / 版本 / 条款", "Ruleset / version / clause"))</th><th>\(lang.t("说明", "Explanation"))</th></tr></thead><tbody>
            """
        for stored in r.items {
            let item = stored.record
            let corrected = stored.correctedBy != nil
            b += """
                <tr data-item="\(esc(item.item))" data-verdict="\(item.verdict.rawValue)"\(corrected ? " class=\"corrected\"" : "")>
                <td class="mono">\(esc(item.item))\(corrected ? " <small>(\(lang.t("已更正，见条目", "corrected by entry")) \(stored.correctedBy!))</small>" : "")</td>
                <td class="num" data-value>\(item.value.map { fmt($0, 2) } ?? "–") \(esc(item.unit ?? ""))</td>
                <td class="num">\(esc(item.limit ?? "–"))</td>
                <td class="verdict \(item.verdict.rawValue)">\(verdictText(item.verdict, lang))</td>
                <td>\(esc(item.ruleset)) · \(esc(item.rulesetVersion)) · \(esc(item.clause ?? "–"))</td>
                <td class="small">\(esc(item.explanation ?? ""))</td></tr>
                """
        }
        b += "</tbody></table></section>"
        // Brake curves, one chart per measured axle.
        let current = r.currentItems
        let brakeMeasurements = r.measurements.filter { $0.station == "brake" }
        if !brakeMeasurements.isEmpty {
            b += "<section class=\"brake\"><h2>\(lang.t("制动力曲线", "Brake force curves"))</h2>"
            for m in brakeMeasurements {
                let curves = r.curves.filter { $0.payload.measurementID == m.id }.map(\.curve)
                guard let left = curves.first(where: { $0.channel.contains("left") }),
                    let right = curves.first(where: { $0.channel.contains("right") })
                else { continue }
                let limit = current.first { $0.measurementID == m.id && $0.item.hasSuffix("imbalance") }
                    .flatMap { LimitBounds.parse($0.limit)?.upper }
                b += "<figure data-measurement=\"\(esc(m.id))\">"
                b += ReportCharts.brake(title: "\(m.name) · \(m.rig?.rawValue ?? "")", left: left, right: right, limitPercent: limit, zh: lang.zh)
                let figures = m.figures.sorted { $0.key < $1.key }.map { "\(esc($0.key)) = \(fmt($0.value, 1))" }.joined(separator: " · ")
                b += "<figcaption class=\"mono small\">\(figures)</figcaption></figure>"
            }
            b += "</section>"
        }
        // Headlamp aim on the 10 m screen.
        let lampItems = current.filter { $0.item.hasPrefix("headlamp.") }
        let sides = Array(Set(lampItems.compactMap { i -> String? in
            let parts = i.item.split(separator: ".")
            return parts.count >= 3 ? String(parts[1]) : nil
        })).sorted()
        let lamps = sides.compactMap { side -> ReportCharts.LampAim? in
            let vertical = lampItems.first { $0.item == "headlamp.\(side).low_beam_vertical" }
            let horizontal = lampItems.first { $0.item == "headlamp.\(side).low_beam_horizontal" }
            guard vertical != nil || horizontal != nil else { return nil }
            let measurement = r.measurements.first { $0.id == vertical?.measurementID ?? horizontal?.measurementID }
            return ReportCharts.LampAim(
                side: side, verticalH: vertical?.value, horizontalMM: horizontal?.value,
                lampHeightMM: measurement?.figures["lamp_height_mm"] ?? 0,
                verticalLimit: LimitBounds.parse(vertical?.limit), horizontalLimit: LimitBounds.parse(horizontal?.limit),
                verticalPass: vertical.map { $0.verdict != .fail }, horizontalPass: horizontal.map { $0.verdict != .fail })
        }
        if !lamps.isEmpty {
            b += "<section class=\"headlamp\"><h2>\(lang.t("前照灯近光明暗截止线（10 米屏幕）", "Headlamp low-beam aim (10 m screen)"))</h2>"
            b += ReportCharts.headlampScreen(lamps, zh: lang.zh) + "</section>"
        }
        let emissionItems = current.filter { $0.item.hasPrefix("emission.") }
        if !emissionItems.isEmpty {
            b += "<section class=\"emission\"><h2>\(lang.t("排放读数与限值", "Emission readings against limits"))</h2>"
            b += ReportCharts.emission(emissionItems, zh: lang.zh) + "</section>"
        }
        // People and the draw's proof.
        b += "<section class=\"people\"><h2>\(lang.t("驾驶员抽取与证明", "Driver draw and its proof"))</h2><table class=\"kv\" id=\"draw\">"
        for a in r.assignments {
            let draw = r.draws.first { $0.shiftID == a.shiftID && $0.drawIndex == a.drawIndex }
            let shift = r.shifts.first { $0.id == a.shiftID }
            let close = r.shiftCloses.first { $0.shiftID == a.shiftID }
            b += """
                <tr><th>\(lang.t("驾驶员", "Driver"))</th><td id="driver">\(esc(a.driver.rawValue))</td>
                <th>\(lang.t("抽取时间", "Drawn at"))</th><td>\(localTime(a.at, offset))</td></tr>
                <tr><th>\(lang.t("班次 / 序号", "Shift / draw"))</th><td class="mono">\(esc(a.shiftID)) #\(a.drawIndex)</td>
                <th>\(lang.t("候选驾驶员", "Eligible"))</th><td class="mono" id="eligible">\(esc(draw?.eligible.map(\.rawValue).joined(separator: ", ") ?? "–"))</td></tr>
                <tr><th>\(lang.t("种子承诺 (SHA-256)", "Seed commitment (SHA-256)"))</th><td colspan="3" class="mono small" id="commitment">\(esc(shift?.seedHash ?? "–"))</td></tr>
                """
            if let close {
                let ok = seedMatches(close.seed, commitment: shift?.seedHash)
                b += """
                    <tr><th>\(lang.t("公开的种子", "Revealed seed"))</th><td colspan="3" class="mono small" id="seed">\(esc(close.seed))
                    <span class="\(ok ? "pass" : "fail")" id="seed-check">\(ok ? lang.t("✔ 与承诺一致", "✔ matches the commitment") : lang.t("✘ 与承诺不符", "✘ does not match the commitment"))</span></td></tr>
                    """
            } else {
                b += "<tr><th>\(lang.t("公开的种子", "Revealed seed"))</th><td colspan=\"3\" id=\"seed\">\(lang.t("班次未结束，种子尚未公开", "the shift is open: the seed is revealed when it closes"))</td></tr>"
            }
        }
        if r.assignments.isEmpty { b += "<tr><td>\(lang.t("无驾驶员分配记录", "no driver assignment recorded"))</td></tr>" }
        b += "</table></section>"
        // History.
        if r.history.count > 1 || c.retestedBy != nil {
            b += "<section class=\"history\"><h2>\(lang.t("历次检验", "Attempts"))</h2><ol id=\"history\">"
            for h in r.history {
                let this = h.id == id
                b += "<li data-attempt=\"\(esc(h.id.rawValue))\"\(this ? " class=\"this\"" : "")><a href=\"/reports/\(esc(h.id.rawValue))?lang=\(lang.code)\">\(esc(h.id.rawValue))</a> · \(lang.t("第", "attempt ")) \(h.attempt)\(lang.t(" 次", "")) · \(esc(h.lane.rawValue)) · \(localTime(h.openedAt, offset)) · <span class=\"status \(h.status?.rawValue ?? "open")\">\(statusText(h.status, lang))</span></li>"
            }
            b += "</ol></section>"
        }
        // Timeline: every journal entry behind the report.
        b += """
            <section class="timeline"><h2>\(lang.t("时间线（日志条目）", "Timeline (journal entries)"))</h2><table id="timeline" class="small"><thead><tr>
            <th>#</th><th>\(lang.t("时间", "Time"))</th><th>\(lang.t("事件", "Event"))</th><th>\(lang.t("执行者", "Actor"))</th><th>\(lang.t("内容", "Detail"))</th><th>hash</th></tr></thead><tbody>
            """
        for e in c.bundle.entries where e.kind != .userAdded {
            b += "<tr data-kind=\"\(esc(e.kind.rawValue))\"><td>\(e.sequence)</td><td>\(localTime(e.at, offset))</td><td class=\"mono\">\(esc(e.kind.rawValue))</td><td>\(esc(e.actor))</td><td>\(esc(summary(of: e)))</td><td class=\"mono\">\(e.hash.prefix(12))</td></tr>"
        }
        for (e, refusal) in c.refusals where !c.bundle.entries.contains(where: { $0.sequence == e.sequence }) {
            b += "<tr data-kind=\"\(esc(e.kind.rawValue))\" class=\"refused\"><td>\(e.sequence)</td><td>\(localTime(e.at, offset))</td><td class=\"mono\">\(esc(e.kind.rawValue))</td><td>\(esc(e.actor))</td><td>\(esc(refusal.action)): \(esc(refusal.reason))</td><td class=\"mono\">\(e.hash.prefix(12))</td></tr>"
        }
        b += "</tbody></table></section>"
        // Signature, or the actions.
        b += "<section class=\"signature\"><h2>\(lang.t("检验员签字", "Inspector's signature"))</h2>"
        if let s = c.signature {
            b += """
                <div id="signature" data-hash="\(esc(s.entryHash))" data-seq="\(s.journalSequence)">
                <p>\(lang.t("签字人", "Signed by")) <strong id="signer">\(esc(s.signerName ?? s.record.userID))</strong> (\(esc(s.record.userID))) ·
                \(localTime(s.record.at, offset))\(s.record.comment.map { " · “\(esc($0))”" } ?? "")</p>
                <p class="mono small">\(lang.t("日志条目", "Journal entry")) #\(s.journalSequence) · SHA-256 <span id="signature-hash">\(esc(s.entryHash))</span></p>
                <p class="small">\(lang.t("报告已锁定：不能复检、不能增加项目、不能再次签字。", "This report is locked: no re-test, no new item, no second signature."))</p>
                </div>
                """
        } else {
            b += "<p class=\"print-only\">\(lang.t("未签字", "Not signed"))</p>"
            let mayAct = c.user.map { ReportDesk.signingRoles.contains($0.role) } ?? false
            if !mayAct {
                b += "<p class=\"no-print\" id=\"cannot-sign\">\(lang.t("只有检验员可以签字或安排复检。", "Only an inspector signs reports or orders re-tests."))</p>"
            }
            if status != nil {
                b += """
                    <form method="post" action="/reports/\(esc(id.rawValue))/sign?lang=\(lang.code)" id="sign-form" class="no-print search">
                    <label>\(lang.t("再次输入密码", "Your password again")) <input type="password" name="password" id="sign-password" autocomplete="current-password"></label>
                    <label>\(lang.t("备注", "Comment")) <input name="comment" id="sign-comment" size="30"></label>
                    <button type="submit" id="sign-button"\(mayAct ? "" : " disabled")>\(lang.t("签字并锁定", "Sign and lock"))</button>
                    </form>
                    """
            }
            if let status, status != .pass, c.retestedBy == nil, c.canOrderRetests {
                b += """
                    <form method="post" action="/reports/\(esc(id.rawValue))/retest?lang=\(lang.code)" id="retest-form" class="no-print">
                    <button type="submit" id="retest-button"\(mayAct ? "" : " disabled")>\(lang.t("安排复检（仅不合格项目，重新抽取驾驶员）", "Order a re-test (failed items only, fresh driver draw)"))</button>
                    </form>
                    """
            }
        }
        if let retest = c.retestedBy {
            b += "<p id=\"retest-link\">\(lang.t("复检", "Re-tested as")) <a href=\"/reports/\(esc(retest.rawValue))?lang=\(lang.code)\">\(esc(retest.rawValue))</a></p>"
        }
        b += "</section>"
        b += """
            <p class="no-print links"><a id="bundle-link" href="/reports/\(esc(id.rawValue))/evidence.json">\(lang.t("证据包 (JSON)", "Evidence bundle (JSON)"))</a> ·
            <a href="javascript:window.print()" id="print-link">\(lang.t("打印 / PDF", "Print / PDF"))</a></p>
            <footer class="print-footer small">\(lang.t("日志链头", "Journal head")) #\(c.bundle.chainHeadSequence) \(c.bundle.chainHeadHash.prefix(16))… · \(lang.t("导出", "Exported")) \(localTime(c.bundle.exportedAt, offset))</footer>
            """
        return layout(
            title: "\(v.plate) · \(id.rawValue)", lang: lang, user: c.user, path: "/reports/\(id.rawValue)", body: b)
    }

    /// True when `seed` (hex) hashes to `commitment`, as the bytes it spells or, failing that, as text.
    static func seedMatches(_ seed: String, commitment: String?) -> Bool {
        guard let commitment else { return false }
        var bytes: [UInt8] = []
        var index = seed.startIndex
        while index < seed.endIndex, let next = seed.index(index, offsetBy: 2, limitedBy: seed.endIndex),
            let byte = UInt8(seed[index..<next], radix: 16)
        {
            bytes.append(byte)
            index = next
        }
        if index == seed.endIndex, !bytes.isEmpty, sha256Hex(bytes) == commitment { return true }
        return sha256Hex(Array(seed.utf8)) == commitment
    }

    /// A short human line for a journal entry of the timeline.
    static func summary(of entry: JournalEntry) -> String {
        switch entry.kind {
        case .itemJudged:
            if let i = try? entry.decodePayload(ItemRecord.self) {
                return "\(i.item) = \(i.value.map { fmt($0, 2) } ?? "–") \(i.unit ?? "") → \(i.verdict.rawValue)"
            }
        case .promptIssued:
            if let p = try? entry.decodePayload(PromptRecord.self) { return "→ \(p.recipient): \(p.text)" }
        case .promptAcknowledged:
            if let a = try? entry.decodePayload(AcknowledgementRecord.self) { return "\(a.promptID): \(a.response)" }
        case .driverDrawn:
            if let d = try? entry.decodePayload(DrawRecord.self) {
                return "\(d.chosen.rawValue) ∈ {\(d.eligible.map(\.rawValue).joined(separator: ", "))}"
            }
        case .driverAssigned:
            if let a = try? entry.decodePayload(AssignmentRecord.self) { return "\(a.driver.rawValue): \(a.task)" }
        case .inspectionClosed:
            if let o = try? entry.decodePayload(OutcomeRecord.self) { return o.status.rawValue + (o.reason.map { ": \($0)" } ?? "") }
        case .inspectionSigned:
            if let s = try? entry.decodePayload(SignOffRecord.self) { return "\(s.userID): \(s.decision.rawValue)\(s.comment.map { " (\($0))" } ?? "")" }
        case .signOffRefused:
            if let r = try? entry.decodePayload(ReportRefusal.self) {
                return "\(r.action) refused: \(r.reason) (\(r.user), \(r.role ?? "?"))"
            }
        case .inspectionOpened:
            if let i = try? entry.decodePayload(InspectionRecord.self) {
                return "attempt \(i.attempt) · \(i.lane.rawValue)" + (i.retestOf.map { " · re-test of \($0.rawValue)" } ?? "")
            }
        case .measurementRecorded:
            if let m = try? entry.decodePayload(MeasurementRecord.self) { return m.name }
        case .vehicleRegistered:
            if let v = try? entry.decodePayload(VehicleRecord.self) { return v.plate }
        case .shiftOpened:
            if let s = try? entry.decodePayload(ShiftRecord.self) { return "\(s.id) seed_hash \(s.seedHash.prefix(12))…" }
        case .shiftClosed:
            if let s = try? entry.decodePayload(ShiftCloseRecord.self) { return "\(s.shiftID) seed \(s.seed.prefix(12))…" }
        case .curveRecorded:
            if let p = try? entry.decodePayload(CurvePayload.self) { return "\(p.measurementID) \(p.channel)" }
        default: break
        }
        return String(entry.payload.prefix(80))
    }
}
