/// The report pages' style sheet, screen and print (A4): served at `/reports/assets/reports.css`.
enum ReportStyle {
    static let css = """
        :root { --ink: #1b1f24; --muted: #5b6570; --line: #d0d7de; --pass: #1a7f37; --fail: #cf222e; --left: #0969da; --right: #bc4c00; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: var(--ink); background: #f6f8fa; }
        header.bar { display: flex; gap: 16px; align-items: center; padding: 8px 16px; background: #24292f; color: #fff; }
        header.bar a { color: #fff; text-decoration: none; font-weight: 600; }
        header.bar .spacer { flex: 1; }
        main { max-width: 1000px; margin: 16px auto; padding: 16px 24px; background: #fff; border: 1px solid var(--line); }
        h1 { font-size: 20px; margin: 4px 0 12px; } h2 { font-size: 16px; margin: 18px 0 8px; border-bottom: 1px solid var(--line); }
        table { border-collapse: collapse; width: 100%; } th, td { padding: 3px 6px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
        th { color: var(--muted); font-weight: 600; white-space: nowrap; }
        .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; } .small { font-size: 12px; } .num { text-align: right; white-space: nowrap; }
        .status, .verdict { font-weight: 700; } .pass, .status.pass, .verdict.pass { color: var(--pass); } .fail, .status.fail, .verdict.fail { color: var(--fail); }
        .status.incomplete, .status.aborted, .status.interrupted, .verdict.incomplete { color: #9a6700; }
        tr.corrected td { text-decoration: line-through; color: var(--muted); }
        .report-head { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 2px solid var(--ink); margin-bottom: 8px; }
        .report-head .station { color: var(--muted); } .verdict-box { text-align: right; font-size: 18px; }
        .verdict-box span { display: block; } .locked { color: var(--pass); font-size: 14px; } .unsigned { color: var(--muted); font-size: 14px; }
        form.search { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: end; margin: 8px 0; }
        form.search label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
        input, select, button { font: inherit; padding: 4px 6px; } button { cursor: pointer; }
        .error { background: #ffebe9; border: 1px solid var(--fail); padding: 8px; } .notice { background: #dafbe1; border: 1px solid var(--pass); padding: 8px; }
        svg.chart { width: 100%; height: auto; max-width: 680px; display: block; margin: 4px 0; }
        svg .title { font-weight: 600; font-size: 12px; } svg .tick { font-size: 10px; fill: var(--muted); }
        svg .axis { stroke: #8c959f; stroke-width: 1; } svg .left { stroke: var(--left); fill: none; stroke-width: 1.5; }
        svg .right { stroke: var(--right); fill: none; stroke-width: 1.5; } svg .diff { stroke: #8c959f; fill: none; stroke-dasharray: 3 2; }
        svg .limit { stroke: var(--fail); stroke-width: 1.5; stroke-dasharray: 6 3; } svg .limit-label { fill: var(--fail); font-size: 10px; }
        svg circle.peak.left { fill: var(--left); } svg circle.peak.right { fill: var(--right); }
        svg .rise-diff { stroke: #8250df; stroke-width: 2; } svg .rise-diff-point { fill: #8250df; } svg .rise-label, svg .peak-label { font-size: 10px; }
        svg .legend text { font-size: 10px; } svg .screen { fill: #f6f8fa; stroke: #8c959f; } svg .zone { fill: rgba(26,127,55,.15); stroke: var(--pass); stroke-dasharray: 4 2; }
        svg .cutoff { stroke: var(--ink); fill: none; stroke-width: 1.5; } svg .aim.pass { fill: var(--pass); } svg .aim.fail { fill: var(--fail); }
        svg .bar { fill: #54aeff; } svg .bar.fail { fill: var(--fail); }
        figure { margin: 8px 0; break-inside: avoid; } figcaption { color: var(--muted); }
        section { break-inside: avoid-page; } section.timeline, section.items { break-inside: auto; }
        #signature { border: 2px solid var(--pass); padding: 8px 12px; } #signature-hash { word-break: break-all; }
        .print-only { display: none; } .print-footer { margin-top: 16px; color: var(--muted); }
        .stats-chart h2 a { font-size: 12px; margin-left: 8px; }
        @page { size: A4; margin: 12mm 10mm; }
        @media print {
          body { background: #fff; font-size: 10pt; } main { max-width: none; margin: 0; padding: 0; border: 0; }
          .no-print, header.bar { display: none !important; } .print-only { display: block; }
          a { color: inherit; text-decoration: none; } svg.chart { max-width: 170mm; }
          table { font-size: 9pt; } tr { break-inside: avoid; } h2 { break-after: avoid; }
        }
        """
}
