import CertCore
import Foundation

/// `status --timeline`: what expires when, as a picture. One row per certificate, riskiest
/// first; today is the left edge of a shared day axis, and each certificate's bar runs to its
/// expiry with its renewal point marked. On a terminal it draws with block characters in the
/// state's colour; elsewhere with plain ASCII.
struct StatusTimeline {
    enum Style {
        /// ASCII only, no colour: pipes, files, NO_COLOR.
        case plain
        /// Unicode block characters in the states' colours.
        case terminal
    }

    /// The characters a style draws with.
    private struct Glyphs {
        var solid: Character
        var renewal: Character
        var window: Character
        var beyond: Character
        var axis: Character
        var tick: Character
        var cut: Character

        static let plain = Glyphs(solid: "=", renewal: "|", window: "-", beyond: ">", axis: "-", tick: "+", cut: "~")
        static let terminal = Glyphs(solid: "█", renewal: "◆", window: "░", beyond: "▶", axis: "─", tick: "┬", cut: "…")
    }

    var now: Date
    /// The whole line, in columns.
    var width: Int
    /// How many days the axis spans; nil: enough for the latest expiry, from 7 up to 90.
    var days: Int?
    var style: Style

    static let defaultDays = 7...90
    private static let day: TimeInterval = 86400
    private static let gap = "  "
    /// The chart is never narrower than this, however narrow the terminal.
    private static let minimumChart = 20

    func render(_ rows: [StatusRow]) -> String {
        if rows.isEmpty { return "No certificates found.\n" }
        let glyphs = style == .terminal ? Glyphs.terminal : Glyphs.plain
        let rows = Self.byRisk(rows)
        let span = Double(days ?? axisDays(rows))
        let expires = rows.map(expiresCell)
        let stateWidth = max(5, rows.map(\.state.rawValue.count).max()!)
        let expiresWidth = max(7, expires.map(\.count).max()!)
        let fixed = 3 * Self.gap.count + stateWidth + expiresWidth
        let longest = rows.map { $0.namespace.count + 1 + $0.name.count }.max()!
        let nameWidth = min(max(11, longest), max(16, (width - fixed) / 2))
        let chart = max(Self.minimumChart, width - fixed - nameWidth)

        var lines: [String] = []
        let (labels, axis) = self.axis(columns: chart, span: span, glyphs: glyphs)
        lines.append(pad("CERTIFICATE", nameWidth) + Self.gap + pad("STATE", stateWidth) + Self.gap + labels + Self.gap + leftPad("EXPIRES", expiresWidth))
        lines.append(String(repeating: " ", count: nameWidth + stateWidth + 2 * Self.gap.count) + axis)
        for (index, row) in rows.enumerated() {
            let state = paint(row.state.rawValue, row.state) + String(repeating: " ", count: stateWidth - row.state.rawValue.count)
            lines.append(pad(label(row, width: nameWidth, glyphs: glyphs), nameWidth) + Self.gap + state + Self.gap
                + bar(row, columns: chart, span: span, glyphs: glyphs) + Self.gap + leftPad(expires[index], expiresWidth))
        }
        lines += legend(span: span, glyphs: glyphs)
        return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n") + "\n"
    }

    /// The states drawn with no bar (their reason stands in its place), first in the order.
    private static func isBroken(_ row: StatusRow) -> Bool {
        [.missing, .invalid, .expired].contains(row.state)
    }

    /// Missing, Invalid and Expired first (in that order), then the soonest expiry.
    private static func byRisk(_ rows: [StatusRow]) -> [StatusRow] {
        let broken = isBroken
        return rows.sorted { a, b in
            if broken(a) != broken(b) { return broken(a) }
            if broken(a), a.state != b.state { return a.state < b.state }
            let (x, y) = (a.notAfter ?? .distantFuture, b.notAfter ?? .distantFuture)
            if x != y { return x < y }
            if a.state != b.state { return a.state < b.state }
            return (a.namespace, a.name) < (b.namespace, b.name)
        }
    }

    /// Days enough to show the latest expiry, within `defaultDays`.
    private func axisDays(_ rows: [StatusRow]) -> Int {
        let latest = rows.compactMap(\.notAfter).map { $0.timeIntervalSince(now) / Self.day }.max() ?? 0
        let bounded = min(max(latest.rounded(.up), Double(Self.defaultDays.lowerBound)), Double(Self.defaultDays.upperBound))
        return Int(bounded)
    }

    /// The column a moment `days` from now falls in.
    private func column(_ days: Double, columns: Int, span: Double) -> Int {
        Int((days / span * Double(columns)).rounded(.down))
    }

    /// The dates line and the tick line: a tick every 1, 2, 7, 14, 30… days, whichever first
    /// leaves room for each date.
    private func axis(columns: Int, span: Double, glyphs: Glyphs) -> (labels: String, ticks: String) {
        let labelWidth = 6
        let step = [1, 2, 7, 14, 30, 60, 90, 180, 365].first { Double($0) / span * Double(columns) >= Double(labelWidth + 2) } ?? Int(span.rounded(.up))
        var labels = [Character](repeating: " ", count: columns)
        var ticks = [Character](repeating: glyphs.axis, count: columns)
        var offset = 0
        while Double(offset) < span {
            let at = column(Double(offset), columns: columns, span: span)
            ticks[at] = glyphs.tick
            let label = Self.shortDate(now.addingTimeInterval(Double(offset) * Self.day))
            if at + label.count <= columns { labels.replaceSubrange(at..<at + label.count, with: label) }
            offset += step
        }
        return (String(labels), String(ticks))
    }

    /// One certificate's bar, or what stands in for it when there is nothing to draw.
    private func bar(_ row: StatusRow, columns: Int, span: Double, glyphs: Glyphs) -> String {
        guard !Self.isBroken(row), let notAfter = row.notAfter, notAfter > now else {
            return pad(cut(printable(row.reason ?? ""), to: columns, glyphs: glyphs), columns)
        }
        let expiry = notAfter.timeIntervalSince(now) / Self.day
        let beyond = expiry > span
        let filled = beyond ? columns : min(columns, max(1, Int((expiry / span * Double(columns)).rounded(.up))))
        var cells = [Character](repeating: glyphs.solid, count: filled)
        if let renewal = row.renewalTime.map({ $0.timeIntervalSince(now) / Self.day }), renewal < expiry {
            let mark = renewal < 0 ? 0 : column(renewal, columns: columns, span: span)
            if mark < filled {
                for index in mark..<filled { cells[index] = glyphs.window }
                if renewal >= 0 { cells[mark] = glyphs.renewal }
            }
        }
        if beyond { cells[filled - 1] = glyphs.beyond }
        return paint(String(cells), row.state) + String(repeating: " ", count: columns - filled)
    }

    /// What the marks mean, on as many lines as the width needs.
    private func legend(span: Double, glyphs: Glyphs) -> [String] {
        let end = Self.shortDate(now.addingTimeInterval(span * Self.day))
        let items = ["left edge: today", "\(glyphs.renewal) renewal point", "\(glyphs.window) renewal due", "\(glyphs.beyond) expires after \(end)"]
        var lines = [items[0]]
        for item in items.dropFirst() {
            if lines[lines.count - 1].count + 2 + item.count <= width { lines[lines.count - 1] += "; " + item } else { lines.append(item) }
        }
        return lines
    }

    /// NAMESPACE/KIND/NAME; when that is too long, the namespace is cut first, as the name
    /// tells rows apart better.
    private func label(_ row: StatusRow, width: Int, glyphs: Glyphs) -> String {
        let full = "\(row.namespace)/\(row.name)"
        if full.count <= width { return full }
        let room = width - row.name.count - 1
        if room >= 2 { return cut(row.namespace, to: room, glyphs: glyphs) + "/" + row.name }
        return String(glyphs.cut) + "/" + cut(row.name, to: width - 2, glyphs: glyphs)
    }

    private func expiresCell(_ row: StatusRow) -> String {
        guard let notAfter = row.notAfter else { return "-" }
        let interval = notAfter.timeIntervalSince(now)
        return interval >= 0 ? "in " + StatusEvaluation.age(interval) : StatusEvaluation.age(-interval) + " ago"
    }

    /// "Dec 02", in UTC.
    private static func shortDate(_ date: Date) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = RFC3339.day(date).split(separator: "-")
        return "\(months[Int(parts[1])! - 1]) \(parts[2])"
    }

    /// A reason fit for one line: control characters become spaces and, in plain style,
    /// anything beyond ASCII a question mark.
    private func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                result += " "
            } else if style == .plain && !scalar.isASCII {
                result += "?"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private func paint(_ text: String, _ state: HealthState) -> String {
        style == .terminal ? StatusRenderer.paint(text, state) : text
    }

    private func cut(_ text: String, to width: Int, glyphs: Glyphs) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + String(glyphs.cut)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
