import Foundation
public import Journal

/// Escapes text for HTML and SVG (elements and attribute values).
func esc(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}

/// A number with a fixed count of decimals (`fmt(4120.46, 1)` is `4120.5`).
func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

/// The bounds a limit string states: `≤ 20` (upper), `≥ 15000` (lower), `[0.70, 0.90]` (both).
public struct LimitBounds: Hashable, Sendable {
    public var lower: Double?
    public var upper: Double?

    /// Parses the limit as items carry it; nil when it states no number.
    public static func parse(_ text: String?) -> LimitBounds? {
        guard var s = text?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
        s = s.replacingOccurrences(of: "−", with: "-").replacingOccurrences(of: "+", with: "")
        func number(_ t: Substring) -> Double? {
            Double(t.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? "")
        }
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            let parts = s[s.index(after: s.startIndex)..<close].split(separator: ",")
            guard parts.count == 2, let a = number(parts[0]), let b = number(parts[1]) else { return nil }
            return LimitBounds(lower: min(a, b), upper: max(a, b))
        }
        for (prefix, isUpper) in [("≤", true), ("<=", true), ("<", true), ("≥", false), (">=", false), (">", false)] {
            if s.hasPrefix(prefix), let v = number(s.dropFirst(prefix.count)) {
                return isUpper ? LimitBounds(lower: nil, upper: v) : LimitBounds(lower: v, upper: nil)
            }
        }
        return nil
    }
}

/// What a brake chart marks: each side's peak and the point of the largest left/right difference during the rise.
public struct BrakeAnalysis: Sendable {
    /// Index, seconds from the first point, value (N).
    public var peakLeft: (index: Int, seconds: Double, value: Double)
    public var peakRight: (index: Int, seconds: Double, value: Double)
    /// The largest |left − right| up to the later peak: where, and how large (N and % of the larger peak).
    public var riseDifference: (index: Int, seconds: Double, newtons: Double, percent: Double)

    /// Analyses two curves sampled at the same times (the right curve is read at the left's points by index).
    public init?(left: Curve, right: Curve) {
        let n = min(left.values.count, right.values.count)
        guard n > 0, let t0 = left.timesNs.first else { return nil }
        func seconds(_ i: Int) -> Double { Double(left.timesNs[i] - t0) / 1e9 }
        let l = left.values.prefix(n), r = right.values.prefix(n)
        let li = l.indices.max { l[$0] < l[$1] }!, ri = r.indices.max { r[$0] < r[$1] }!
        peakLeft = (li, seconds(li), l[li])
        peakRight = (ri, seconds(ri), r[ri])
        var best = 0
        for i in 0...max(li, ri) where abs(l[i] - r[i]) > abs(l[best] - r[best]) { best = i }
        let larger = max(l[li], r[ri])
        let diff = abs(l[best] - r[best])
        riseDifference = (best, seconds(best), diff, larger > 0 ? diff / larger * 100 : 0)
    }
}

/// The SVG charts of a report and of the statistics page, drawn on the server.
public enum ReportCharts {
    /// Left and right brake force of one axle against time, both peaks and the largest rise difference
    /// marked, the difference curve and its limit (`limitPercent` of the larger peak) drawn.
    public static func brake(
        title: String, left: Curve, right: Curve, limitPercent: Double?, zh: Bool
    ) -> String {
        guard let a = BrakeAnalysis(left: left, right: right) else { return "" }
        let w = 640.0, h = 300.0, ml = 56.0, mr = 16.0, mt = 28.0, mb = 36.0
        let n = min(left.values.count, right.values.count)
        let t0 = left.timesNs[0]
        let tMax = max(Double(left.timesNs[n - 1] - t0) / 1e9, 0.001)
        let larger = max(a.peakLeft.value, a.peakRight.value)
        let yMax = max(larger * 1.1, 1)
        func x(_ s: Double) -> Double { ml + s / tMax * (w - ml - mr) }
        func y(_ v: Double) -> Double { mt + (1 - v / yMax) * (h - mt - mb) }
        func sec(_ i: Int) -> Double { Double(left.timesNs[i] - t0) / 1e9 }
        let step = max(1, n / 400)
        func path(_ values: (Int) -> Double) -> String {
            stride(from: 0, to: n, by: step).map { "\(fmt(x(sec($0)), 1)),\(fmt(y(values($0)), 1))" }.joined(separator: " ")
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart brake" viewBox="0 0 \(Int(w)) \(Int(h))" role="img" \
            aria-label="\(esc(title))" data-peak-left="\(fmt(a.peakLeft.value, 1))" data-peak-right="\(fmt(a.peakRight.value, 1))">
            <text x="\(ml)" y="16" class="title">\(esc(title))</text>
            """
        // Axes with ticks: five on each.
        svg += "<line x1=\"\(ml)\" y1=\"\(y(0))\" x2=\"\(w - mr)\" y2=\"\(y(0))\" class=\"axis\"/>"
        svg += "<line x1=\"\(ml)\" y1=\"\(mt)\" x2=\"\(ml)\" y2=\"\(y(0))\" class=\"axis\"/>"
        for k in 0...4 {
            let v = yMax * Double(k) / 4
            svg += "<text x=\"\(ml - 4)\" y=\"\(fmt(y(v) + 4, 1))\" class=\"tick\" text-anchor=\"end\">\(fmt(v / 1000, 1))</text>"
            let s = tMax * Double(k) / 4
            svg += "<text x=\"\(fmt(x(s), 1))\" y=\"\(fmt(h - mb + 16, 1))\" class=\"tick\" text-anchor=\"middle\">\(fmt(s, 1))</text>"
        }
        svg += "<text x=\"\(w - mr)\" y=\"\(h - 4)\" class=\"tick\" text-anchor=\"end\">\(zh ? "时间 s" : "time s")</text>"
        svg += "<text x=\"4\" y=\"\(mt - 8)\" class=\"tick\">kN</text>"
        // The allowed difference, as a line, and the difference curve under it.
        if let limitPercent {
            let allowed = larger * limitPercent / 100
            svg += """
                <line x1="\(ml)" y1="\(fmt(y(allowed), 1))" x2="\(w - mr)" y2="\(fmt(y(allowed), 1))" class="limit" \
                data-limit-n="\(fmt(allowed, 1))" data-limit-percent="\(fmt(limitPercent, 1))"/>
                <text x="\(w - mr - 4)" y="\(fmt(y(allowed) - 4, 1))" class="limit-label" text-anchor="end">\
                \(zh ? "允许差值" : "allowed difference") \(fmt(limitPercent, 0))% = \(fmt(allowed / 1000, 2)) kN</text>
                """
        }
        svg += "<polyline class=\"diff\" points=\"\(path { abs(left.values[$0] - right.values[$0]) })\"/>"
        svg += "<polyline class=\"left\" data-channel=\"\(esc(left.channel))\" points=\"\(path { left.values[$0] })\"/>"
        svg += "<polyline class=\"right\" data-channel=\"\(esc(right.channel))\" points=\"\(path { right.values[$0] })\"/>"
        // Peaks.
        for (side, peak, cls) in [(zh ? "左" : "L", a.peakLeft, "left"), (zh ? "右" : "R", a.peakRight, "right")] {
            svg += """
                <circle cx="\(fmt(x(peak.seconds), 1))" cy="\(fmt(y(peak.value), 1))" r="4" class="peak \(cls)" \
                data-peak="\(cls)" data-value="\(fmt(peak.value, 1))"/>
                <text x="\(fmt(x(peak.seconds) + 6, 1))" y="\(fmt(y(peak.value) - (cls == "left" ? 6 : -14), 1))" class="peak-label">\
                \(side) \(zh ? "峰值" : "peak") \(fmt(peak.value / 1000, 2)) kN</text>
                """
        }
        // The largest difference during the rise.
        let d = a.riseDifference
        let lv = left.values[d.index], rv = right.values[d.index]
        svg += """
            <line x1="\(fmt(x(d.seconds), 1))" y1="\(fmt(y(max(lv, rv)), 1))" x2="\(fmt(x(d.seconds), 1))" y2="\(fmt(y(min(lv, rv)), 1))" \
            class="rise-diff" data-rise-diff-n="\(fmt(d.newtons, 1))" data-rise-diff-percent="\(fmt(d.percent, 1))" data-seconds="\(fmt(d.seconds, 2))"/>
            <circle cx="\(fmt(x(d.seconds), 1))" cy="\(fmt(y(abs(lv - rv)), 1))" r="3" class="rise-diff-point"/>
            <text x="\(fmt(x(d.seconds) + 6, 1))" y="\(fmt(y((lv + rv) / 2), 1))" class="rise-label">\
            \(zh ? "过程最大差" : "max rise difference") \(fmt(d.newtons / 1000, 2)) kN (\(fmt(d.percent, 1))%)</text>
            <g class="legend" transform="translate(\(w - 200), 12)">\
            <line x1="0" y1="0" x2="16" y2="0" class="left"/><text x="20" y="4">\(zh ? "左轮" : "left")</text>\
            <line x1="60" y1="0" x2="76" y2="0" class="right"/><text x="80" y="4">\(zh ? "右轮" : "right")</text>\
            <line x1="120" y1="0" x2="136" y2="0" class="diff"/><text x="140" y="4">|L−R|</text></g>
            </svg>
            """
        return svg
    }

    /// One headlamp's low-beam cut-off on the 10 m screen.
    public struct LampAim: Sendable {
        public var side: String
        /// Cut-off height as a share of the lamp height (`0.82` H) and horizontal offset in mm (+ right).
        public var verticalH: Double?
        public var horizontalMM: Double?
        public var lampHeightMM: Double
        public var verticalLimit: LimitBounds?
        public var horizontalLimit: LimitBounds?
        public var verticalPass: Bool?
        public var horizontalPass: Bool?

        public init(side: String, verticalH: Double?, horizontalMM: Double?, lampHeightMM: Double,
                    verticalLimit: LimitBounds?, horizontalLimit: LimitBounds?, verticalPass: Bool?, horizontalPass: Bool?) {
            self.side = side
            self.verticalH = verticalH
            self.horizontalMM = horizontalMM
            self.lampHeightMM = lampHeightMM
            self.verticalLimit = verticalLimit
            self.horizontalLimit = horizontalLimit
            self.verticalPass = verticalPass
            self.horizontalPass = horizontalPass
        }
    }

    /// The 10 m aiming screen: per lamp, its centre (height H), the permitted zone of the low-beam cut-off
    /// and the measured cut-off point.
    public static func headlampScreen(_ lamps: [LampAim], zh: Bool) -> String {
        let panel = 300.0, h = 280.0, top = 30.0, bottom = 30.0
        let w = panel * Double(max(lamps.count, 1))
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart headlamp" viewBox="0 0 \(Int(w)) \(Int(h))" role="img" \
            aria-label="\(zh ? "10 米屏幕" : "10 m screen")">
            """
        for (k, lamp) in lamps.enumerated() {
            let x0 = Double(k) * panel
            // Horizontal: −500…+500 mm; vertical: 0…1.2 H.
            let span = 500.0
            func x(_ mm: Double) -> Double { x0 + 20 + (mm + span) / (2 * span) * (panel - 40) }
            func y(_ ratio: Double) -> Double { top + (1 - ratio / 1.2) * (h - top - bottom) }
            svg += "<g class=\"lamp\" data-side=\"\(esc(lamp.side))\">"
            svg += "<rect x=\"\(x0 + 20)\" y=\"\(top)\" width=\"\(panel - 40)\" height=\"\(h - top - bottom)\" class=\"screen\"/>"
            svg += "<text x=\"\(x0 + 20)\" y=\"18\" class=\"title\">\(esc(lamp.side)) · \(zh ? "屏幕距离 10 m" : "screen at 10 m")</text>"
            // Lamp centre height H and the lamp's axis.
            svg += "<line x1=\"\(x0 + 20)\" y1=\"\(fmt(y(1), 1))\" x2=\"\(x0 + panel - 20)\" y2=\"\(fmt(y(1), 1))\" class=\"axis h-line\"/>"
            svg += "<text x=\"\(x0 + panel - 22)\" y=\"\(fmt(y(1) - 3, 1))\" class=\"tick\" text-anchor=\"end\">H = \(Int(lamp.lampHeightMM)) mm</text>"
            svg += "<line x1=\"\(fmt(x(0), 1))\" y1=\"\(top)\" x2=\"\(fmt(x(0), 1))\" y2=\"\(h - bottom)\" class=\"axis\"/>"
            for mm in [-400.0, -200, 200, 400] {
                svg += "<text x=\"\(fmt(x(mm), 1))\" y=\"\(h - bottom + 14)\" class=\"tick\" text-anchor=\"middle\">\(Int(mm))</text>"
            }
            svg += "<text x=\"\(fmt(x(0), 1))\" y=\"\(h - 4)\" class=\"tick\" text-anchor=\"middle\">mm</text>"
            // The permitted zone.
            let vLo = lamp.verticalLimit?.lower ?? 0, vHi = lamp.verticalLimit?.upper ?? 1.2
            let hLo = lamp.horizontalLimit?.lower ?? -span, hHi = lamp.horizontalLimit?.upper ?? span
            svg += """
                <rect x="\(fmt(x(max(hLo, -span)), 1))" y="\(fmt(y(min(vHi, 1.2)), 1))" width="\(fmt(x(min(hHi, span)) - x(max(hLo, -span)), 1))" \
                height="\(fmt(y(max(vLo, 0)) - y(min(vHi, 1.2)), 1))" class="zone" data-zone="\(fmt(vLo, 2)),\(fmt(vHi, 2)),\(fmt(hLo, 0)),\(fmt(hHi, 0))"/>
                """
            if let v = lamp.verticalH, let hz = lamp.horizontalMM {
                let ok = (lamp.verticalPass ?? true) && (lamp.horizontalPass ?? true)
                let cx = x(min(max(hz, -span), span)), cy = y(min(max(v, 0), 1.2))
                // The cut-off line: flat to the left of the elbow, rising 15° to the right.
                svg += """
                    <polyline points="\(fmt(x0 + 20, 1)),\(fmt(cy, 1)) \(fmt(cx, 1)),\(fmt(cy, 1)) \(fmt(cx + 60, 1)),\(fmt(cy - 16, 1))" class="cutoff"/>
                    <circle cx="\(fmt(cx, 1))" cy="\(fmt(cy, 1))" r="5" class="aim \(ok ? "pass" : "fail")" \
                    data-vertical-h="\(fmt(v, 2))" data-horizontal-mm="\(fmt(hz, 0))"/>
                    <text x="\(fmt(cx + 8, 1))" y="\(fmt(cy + 16, 1))" class="peak-label">\(fmt(v, 2)) H, \(fmt(hz, 0)) mm</text>
                    """
            }
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    /// One horizontal bar per reading: the value against its limit (marked), red when it fails.
    public static func emission(_ items: [ItemRecord], zh: Bool) -> String {
        let rows = items.compactMap { item -> (ItemRecord, Double, LimitBounds)? in
            guard let v = item.value, let b = LimitBounds.parse(item.limit) else { return nil }
            return (item, v, b)
        }
        guard !rows.isEmpty else { return "" }
        let w = 680.0, row = 34.0, ml = 170.0, mr = 150.0
        let h = Double(rows.count) * row + 20
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart emission" viewBox="0 0 \(Int(w)) \(Int(h))" role="img" \
            aria-label="\(zh ? "排放读数与限值" : "emission readings against limits")">
            """
        for (k, (item, v, b)) in rows.enumerated() {
            let scale = max(v, b.upper ?? 0, b.lower ?? 0) * 1.25
            func x(_ value: Double) -> Double { ml + value / max(scale, 1e-9) * (w - ml - mr) }
            let y0 = 10 + Double(k) * row
            let cls = item.verdict == .fail ? "bar fail" : "bar"
            svg += "<text x=\"\(ml - 6)\" y=\"\(fmt(y0 + 16, 1))\" class=\"tick\" text-anchor=\"end\">\(esc(item.item))</text>"
            svg += "<rect x=\"\(ml)\" y=\"\(fmt(y0 + 4, 1))\" width=\"\(fmt(x(v) - ml, 1))\" height=\"16\" class=\"\(cls)\" data-item=\"\(esc(item.item))\" data-value=\"\(v)\"/>"
            for bound in [b.lower, b.upper].compactMap({ $0 }) {
                svg += "<line x1=\"\(fmt(x(bound), 1))\" y1=\"\(fmt(y0, 1))\" x2=\"\(fmt(x(bound), 1))\" y2=\"\(fmt(y0 + 24, 1))\" class=\"limit\" data-limit=\"\(bound)\"/>"
            }
            svg += "<text x=\"\(fmt(w - mr + 6, 1))\" y=\"\(fmt(y0 + 16, 1))\" class=\"tick\">\(fmt(v, 3)) \(esc(item.unit ?? "")) (\(esc(item.limit ?? "")))</text>"
        }
        return svg + "</svg>"
    }

    /// A bar per row; `values` in the unit shown after each bar.
    public static func bars(_ rows: [(label: String, value: Double, text: String)], id: String, caption: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\" data-chart=\"\(esc(id))\">–</p>" }
        let w = 680.0, row = 20.0, ml = 240.0, mr = 110.0
        let h = Double(rows.count) * row + 24
        let top = max(rows.map(\.value).max() ?? 1, 1e-9)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart bars" viewBox="0 0 \(Int(w)) \(Int(h))" role="img" \
            aria-label="\(esc(caption))" data-chart="\(esc(id))">
            """
        for (k, r) in rows.enumerated() {
            let y0 = 12 + Double(k) * row
            svg += "<text x=\"\(ml - 6)\" y=\"\(fmt(y0 + 12, 1))\" class=\"tick\" text-anchor=\"end\">\(esc(r.label))</text>"
            svg += "<rect x=\"\(ml)\" y=\"\(fmt(y0 + 2, 1))\" width=\"\(fmt(max(0, r.value) / top * (w - ml - mr), 1))\" height=\"14\" class=\"bar\" data-label=\"\(esc(r.label))\" data-value=\"\(r.value)\"/>"
            svg += "<text x=\"\(fmt(ml + max(0, r.value) / top * (w - ml - mr) + 4, 1))\" y=\"\(fmt(y0 + 12, 1))\" class=\"tick\">\(esc(r.text))</text>"
        }
        return svg + "</svg>"
    }
}
