import Foundation

/// How many columns a picture may use: COLUMNS when set (as shells and kubectl honour it),
/// else the terminal's width, else 80.
enum TerminalWidth {
    static func columns(of stream: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return min(columns, 1000) }
        var size = winsize()
        if isatty(stream) == 1, ioctl(stream, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
