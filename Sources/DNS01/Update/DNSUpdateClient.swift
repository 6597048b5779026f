internal import Logging

/// Sends RFC 2136 dynamic updates, TSIG-signed, to one server through libldns (UDP, TCP when
/// the answer is truncated), on the same dedicated threads as queries.
///
/// Only TXT values are touched, one at a time: adding puts one RR into the RRset (the others
/// stay), deleting removes exactly that RR.
public struct DNSUpdateClient: Sendable {
    public var server: DNSServer
    public var key: TSIGKey?
    public var timeout: Duration

    public init(server: DNSServer, key: TSIGKey?, timeout: Duration = .seconds(5)) {
        self.server = server
        self.key = key
        self.timeout = timeout
    }

    static let logger = Logger(label: "kubectl-certs.dns01.update")

    /// Adds the TXT value `value` at `name` in `zone` with `ttl`.
    public func addTXT(name: String, value: String, ttl: Int, zone: String) async throws {
        let record = "\(DNSName.normalized(name)) \(ttl) IN TXT \(Self.quoted(value))"
        try await send(zone: zone, additions: [record], deletions: [], what: "add TXT \(value) at \(DNSName.normalized(name))")
    }

    /// Deletes exactly the TXT value `value` at `name` in `zone` (absent is fine).
    public func deleteTXT(name: String, value: String, zone: String) async throws {
        let record = "\(DNSName.normalized(name)) 0 IN TXT \(Self.quoted(value))"
        try await send(zone: zone, additions: [], deletions: [record], what: "delete TXT \(value) at \(DNSName.normalized(name))")
    }

    private func send(zone: String, additions: [String], deletions: [String], what: String) async throws {
        try Task.checkCancellation()
        let server = server, key = key, timeout = timeout
        let signed = key.map { " signed with \($0)" } ?? ""
        let started = ContinuousClock.now
        let (response, tsigError, verified): (DNSResponse, Int?, Bool)
        do {
            (response, tsigError, verified) = try await BlockingWorkPool.shared.run {
                try LDNSExchange.update(zone: zone, additions: additions, deletions: deletions, server: server, key: key, timeout: timeout)
            }
        } catch {
            Self.logger.debug("update: \(what) in zone \(zone) via \(server)\(signed): \(error) after \(started.millisecondsAgo) ms")
            throw error
        }
        let failure = Self.error(rcode: response.rcode, tsigError: tsigError, verified: verified, key: key, zone: zone, server: server, what: what)
        Self.logger.debug("update: \(what) in zone \(zone) via \(server)\(signed): \(failure == nil ? "accepted" : "\(response.rcode)") in \(started.millisecondsAgo) ms")
        if let failure { throw failure }
    }

    /// The error for an UPDATE answer, or nil when it succeeded.
    static func error(rcode: DNSResponseCode, tsigError: Int?, verified: Bool, key: TSIGKey?, zone: String, server: DNSServer, what: String) -> DNSError? {
        let zone = DNSName.normalized(zone)
        let keyName = key.map { "\"\($0.name)\"" } ?? "(none)"
        switch tsigError {
        case 16:
            return DNSError(.tsig, "\(server) answered BADSIG to \(what): the TSIG signature does not match, so the secret (or the algorithm \(key?.algorithm.rawValue ?? "-")) differs from the server's for key \(keyName)", responseCode: rcode, tsigError: 16)
        case 17:
            return DNSError(.tsig, "\(server) answered BADKEY to \(what): the server does not know the TSIG key \(keyName) with algorithm \(key?.algorithm.rawValue ?? "-")", responseCode: rcode, tsigError: 17)
        case 18:
            return DNSError(.tsig, "\(server) answered BADTIME to \(what): this machine's clock and the server's differ by more than the allowed fudge", responseCode: rcode, tsigError: 18)
        default:
            break
        }
        switch rcode {
        case .noError:
            if !verified {
                return DNSError(.tsig, "\(server) accepted \(what) but its reply does not carry a valid signature for TSIG key \(keyName)", responseCode: rcode)
            }
            return nil
        case .notAuth:
            return DNSError(.refused, "\(server) answered NOTAUTH to \(what): it is not authoritative for zone \(zone) or does not accept key \(keyName) for it", responseCode: rcode, tsigError: tsigError)
        case .refused:
            return DNSError(.refused, "\(server) answered REFUSED to \(what): its update policy for zone \(zone) does not allow key \(keyName) to change this name", responseCode: rcode, tsigError: tsigError)
        case .notZone:
            return DNSError(.serverError, "\(server) answered NOTZONE to \(what): the name is not inside zone \(zone)", responseCode: rcode)
        case .notImplemented:
            return DNSError(.serverError, "\(server) answered NOTIMP to \(what): it does not accept dynamic updates", responseCode: rcode)
        default:
            return DNSError(.serverError, "\(server) answered \(rcode) to \(what) in zone \(zone)", responseCode: rcode)
        }
    }

    /// A TXT value as one zone-file character-string: quoted, `"` and `\` escaped.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for character in value {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}
