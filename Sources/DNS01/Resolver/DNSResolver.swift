internal import Logging

/// Sends DNS queries through libldns without blocking Swift's cooperative pool: each query
/// runs on a small fixed pool of dedicated threads, so any number can be awaited at once
/// while only a bounded number of sockets are open.
public struct DNSResolver: Sendable {
    /// The servers to ask, in order: the next is tried when one fails to answer.
    public var servers: [DNSServer]
    /// Whether to set RD (ask the server to recurse); off to ask authoritative servers directly.
    public var recursion: Bool
    /// How long to wait for each server's answer (a truncated UDP answer's TCP retry included).
    public var timeout: Duration
    /// The EDNS0 UDP payload size advertised; 0 sends no OPT record.
    public var ednsUDPSize: Int

    public init(servers: [DNSServer], recursion: Bool = true, timeout: Duration = .seconds(2), ednsUDPSize: Int = 1232) {
        self.servers = servers
        self.recursion = recursion
        self.timeout = timeout
        self.ednsUDPSize = ednsUDPSize
    }

    /// A recursive resolver asking `servers` (from `--dns-resolver HOST[:PORT]`), or the
    /// system's resolvers from /etc/resolv.conf when none are given.
    public static func recursive(_ servers: [DNSServer] = [], timeout: Duration = .seconds(2)) throws(DNSError) -> DNSResolver {
        DNSResolver(servers: servers.isEmpty ? try DNSServer.systemResolvers() : servers, recursion: true, timeout: timeout)
    }

    /// A non-recursive resolver that asks one server directly.
    public static func direct(_ server: DNSServer, timeout: Duration = .seconds(2)) -> DNSResolver {
        DNSResolver(servers: [server], recursion: false, timeout: timeout)
    }

    static let logger = Logger(label: "kubectl-certs.dns01.resolver")

    /// Asks the servers in order for `type` records at `name`, returning the first answer (any
    /// rcode). Throws the last server's error when none answers.
    public func query(_ name: String, _ type: DNSRecordType) async throws -> DNSResponse {
        guard !servers.isEmpty else { throw DNSError(.invalidInput, "no DNS server to ask for \(name) \(type)") }
        var lastError: (any Error)? = nil
        for server in servers {
            do {
                return try await Self.query(name, type, server: server, recursion: recursion, timeout: timeout, ednsUDPSize: ednsUDPSize)
            } catch let error as DNSError {
                Self.logger.debug("\(error.message)")
                lastError = error
            }
        }
        throw lastError!
    }

    static func query(_ name: String, _ type: DNSRecordType, server: DNSServer, recursion: Bool, timeout: Duration, ednsUDPSize: Int) async throws -> DNSResponse {
        try Task.checkCancellation()
        let started = ContinuousClock.now
        do {
            let response = try await BlockingWorkPool.shared.run {
                try LDNSExchange.query(name: name, type: type, server: server, recursion: recursion, timeout: timeout, ednsUDPSize: ednsUDPSize)
            }
            logger.debug("query \(name) \(type) at \(server)\(recursion ? "" : " (no recursion)"): \(response.rcode), \(response.answers.count) answer(s) in \(started.millisecondsAgo) ms")
            return response
        } catch {
            logger.debug("query \(name) \(type) at \(server): \(error) after \(started.millisecondsAgo) ms")
            throw error
        }
    }
}

extension ContinuousClock.Instant {
    /// Whole milliseconds since this instant, for debug lines.
    var millisecondsAgo: Int64 {
        let elapsed = ContinuousClock.now - self
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
