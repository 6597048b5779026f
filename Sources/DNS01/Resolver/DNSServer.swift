internal import Foundation

/// A DNS server to talk to: an IP address (or a host name, looked up when used) and a port.
public struct DNSServer: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 53) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST`, `HOST:PORT`, `IPv6`, `[IPv6]` or `[IPv6]:PORT`; the port defaults to 53.
    public init(parsing text: String, defaultPort: Int = 53) throws(DNSError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        func bad(_ why: String) -> DNSError {
            DNSError(.invalidInput, "\"\(text)\" is not a DNS server: \(why) (write HOST, HOST:PORT or [IPv6]:PORT)")
        }
        guard !text.isEmpty else { throw bad("it is empty") }
        var host = text
        var port = defaultPort
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw bad("the '[' has no ']'") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { throw bad("what follows ']' is not ':PORT'") }
                port = value
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let value = Int(text[text.index(after: colon)...]) else { throw bad("the port is not a number") }
            port = value
        }
        guard !host.isEmpty else { throw bad("the host is empty") }
        guard (1...65535).contains(port) else { throw bad("the port \(port) is out of range") }
        self.init(host: host, port: port)
    }

    /// Whether `host` is a literal IPv6 address.
    public var isIPv6: Bool { host.contains(":") }

    public var description: String {
        if port == 53 { return host }
        return isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The `nameserver` lines of a resolv.conf file (port 53; a scoped IPv6 `%zone` is dropped).
    public static func parseResolvConf(_ text: String) -> [DNSServer] {
        var servers: [DNSServer] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { continue }
            var host = String(words[1])
            if let percent = host.firstIndex(of: "%") { host = String(host[..<percent]) }
            servers.append(DNSServer(host: host))
        }
        return servers
    }

    /// The system's resolvers, from `/etc/resolv.conf` (or `path`).
    public static func systemResolvers(path: String = "/etc/resolv.conf") throws(DNSError) -> [DNSServer] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DNSError(.notFound, "cannot read \(path) to find the system's DNS resolvers; name them with --dns-resolver HOST[:PORT]")
        }
        let servers = parseResolvConf(text)
        guard !servers.isEmpty else {
            throw DNSError(.notFound, "\(path) names no nameserver; name one with --dns-resolver HOST[:PORT]")
        }
        return servers
    }
}
