/// A table as kubectl prints one: columns three spaces apart, each as wide as its widest cell,
/// the last one not padded. `decorate` may dress a padded cell (colour) by row and column; row
/// 0 is the header.
enum TextTable {
    static func render(_ rows: [[String]], decorate: ((_ row: Int, _ column: Int, _ padded: String) -> String)? = nil) -> String {
        guard let header = rows.first else { return "" }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.enumerated().map { index, cells in
            cells.enumerated().map { column, cell in
                let padded = column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                return decorate?(index, column, padded) ?? padded
            }.joined(separator: "   ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}
