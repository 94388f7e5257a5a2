import Foundation

/// Building blocks of the self-contained HTML reports: escaping, the page skeleton with its
/// inline style sheet, tables and deterministic number formatting for SVG coordinates.
///
/// The page references nothing outside itself: no scripts, no web fonts (a system font stack),
/// no images, no links to other sites. It has a white background and prints cleanly.
enum HTMLPage {
    /// Escapes text for HTML element content and (double- or single-quoted) attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline have no place in a report.
                if c.value < 0x20 && c != "\n" && c != "\t" || (c.value >= 0x7F && c.value < 0xA0) {
                    out += "&#xFFFD;"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// The complete document: `body` is already HTML.
    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="Subcast">
        <title>\(escape(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    static let css = """
    :root { color-scheme: light; }
    html { background: #fff; }
    body { margin: 0; background: #fff; color: #1b1b1b;
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", "DejaVu Sans", sans-serif;
      font-size: 15px; line-height: 1.5; }
    main { max-width: 1000px; margin: 0 auto; padding: 28px 24px 56px; }
    h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; }
    h2 { font-size: 19px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d9d9d9; }
    h3 { font-size: 16px; margin: 22px 0 8px; }
    p { margin: 8px 0; }
    .subtitle { color: #555; margin: 0 0 16px; }
    .summary { font-size: 16px; background: #f5f7fa; border-left: 4px solid #0072b2; padding: 10px 16px; margin: 16px 0; }
    .summary p { margin: 6px 0; }
    .note { color: #555; font-size: 13.5px; }
    table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; font-size: 14px; }
    caption { text-align: left; font-weight: 600; padding: 4px 0; }
    th, td { padding: 4px 12px 4px 0; border-bottom: 1px solid #e6e6e6; vertical-align: top; text-align: left; }
    th { font-weight: 600; border-bottom: 1.5px solid #bdbdbd; }
    td.num, th.num { text-align: right; padding-left: 12px; }
    td.num { white-space: nowrap; }
    table.kv th { font-weight: 600; border-bottom: 1px solid #e6e6e6; padding-right: 24px; white-space: nowrap; }
    .wide { overflow-x: auto; }
    .columns { display: flex; flex-wrap: wrap; gap: 0 36px; align-items: flex-start; }
    .columns > .wide { flex: 1 1 420px; }
    .columns table { width: 100%; }
    figure { margin: 18px 0 24px; }
    figcaption { font-size: 14px; color: #333; margin-top: 6px; }
    figcaption b { color: #1b1b1b; }
    svg.chart { display: block; width: 100%; max-width: 1000px; height: auto; background: #fff; }
    svg.chart text { font-family: inherit; }
    pre { background: #f6f6f6; border: 1px solid #e0e0e0; padding: 10px 12px; overflow-x: auto; font-size: 13px; line-height: 1.4;
      font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
    footer code { white-space: nowrap; }
    code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 0.92em; }
    footer { margin-top: 40px; padding-top: 8px; border-top: 1px solid #d9d9d9; color: #555; font-size: 13px; }
    @media print {
      @page { margin: 14mm; }
      body { font-size: 11pt; }
      main { max-width: none; padding: 0; }
      h2 { break-after: avoid; }
      figure, table, .summary, pre { break-inside: avoid; }
      .summary { background: none; border-left: 3px solid #000; }
      pre { background: none; white-space: pre-wrap; }
      .wide { overflow: visible; }
    }
    """

    /// A table; every cell is plain text (escaped here). Columns in `numeric` are right-aligned.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], caption: String? = nil,
                      className: String? = nil) -> String {
        var out = "<div class=\"wide\"><table\(className.map { " class=\"\($0)\"" } ?? "")>\n"
        if let c = caption { out += "<caption>\(escape(c))</caption>\n" }
        out += "<thead><tr>"
        for (j, h) in header.enumerated() {
            out += numeric.contains(j) ? "<th class=\"num\" scope=\"col\">" : "<th scope=\"col\">"
            out += escape(h) + "</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>"
            for (j, cell) in row.enumerated() {
                out += numeric.contains(j) ? "<td class=\"num\">" : "<td>"
                out += escape(cell) + "</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    /// A two-column table of labelled values.
    static func keyValueTable(_ rows: [(String, String)], caption: String? = nil) -> String {
        var out = "<div class=\"wide\"><table class=\"kv\">\n"
        if let c = caption { out += "<caption>\(escape(c))</caption>\n" }
        out += "<tbody>\n"
        for (k, v) in rows { out += "<tr><th scope=\"row\">\(escape(k))</th><td>\(escape(v))</td></tr>\n" }
        return out + "</tbody>\n</table></div>\n"
    }

    /// A figure around a chart; `caption` is plain text, `heading` a short bold lead.
    static func figure(_ svg: String, heading: String, caption: String) -> String {
        "<figure>\n\(svg)<figcaption><b>\(escape(heading))</b> \(escape(caption))</figcaption>\n</figure>\n"
    }

    /// A paragraph of plain text.
    static func paragraph(_ text: String, className: String? = nil) -> String {
        "<p\(className.map { " class=\"\($0)\"" } ?? "")>\(escape(text))</p>\n"
    }
}

/// Fixed-precision formatting for SVG coordinates: one decimal, no "-0.0", independent of locale.
@inline(__always)
func svgNumber(_ x: Double) -> String {
    guard x.isFinite else { return "0" }
    let r = (x * 10).rounded() / 10
    if r == 0 { return "0" }
    if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
    return String(format: "%.1f", r)
}
