import CertCore
import DNS01
import Foundation

/// What one look at a challenge URL found.
enum ProbeObservation: Sendable, Equatable {
    /// The name has no address: the resolver's answer, in words.
    case noAddress(String)
    /// No HTTP answer from the address (refused, timed out, …).
    case unreachable(address: String, reason: String)
    /// An answer other than 200: a 404 or 503 from the controller, a redirect (`location`).
    case status(address: String, code: Int, location: String?)
    /// 200 with something other than the key authorization (the start of it).
    case wrongBody(address: String, start: String)
    case served(address: String)

    var isServed: Bool {
        if case .served = self { return true }
        return false
    }
}

/// Fetches a challenge URL as the CA will: the host's address from the resolvers the DNS
/// options name (not the system's), then plain HTTP on port 80 to that address, no proxy, no
/// redirect followed.
struct HTTP01Probe: Sendable {
    var resolver: DNSResolver
    var http: HTTPClient

    init(resolver: DNSResolver) throws {
        self.resolver = resolver
        do {
            http = try HTTPClient(configuration: HTTPClientConfiguration(proxy: "", connectTimeout: .seconds(3), timeout: .seconds(5), maxConnectionsPerHost: 2,
                                                                         userAgent: "kubectl-certs HTTP-01 self-check"))
        } catch {
            throw CommandFailure(message: "cannot set up the HTTP-01 self-check: \(error)")
        }
    }

    func observe(_ challenge: HTTP01Challenge) async -> ProbeObservation {
        let address: String
        switch await self.address(of: challenge.domain) {
        case .success(let found): address = found
        case .failure(let problem): return .noAddress(problem.text)
        }
        let request = HTTPRequest(url: challenge.url, headers: ["Accept": "*/*"], connectAddress: address)
        do {
            let response = try await http.send(request)
            guard response.status == 200 else {
                return .status(address: address, code: response.status, location: response.headers["Location"])
            }
            let body = response.text
            if Self.trimmedEnd(body) == challenge.keyAuthorization { return .served(address: address) }
            return .wrongBody(address: address, start: String(body.prefix(60)))
        } catch {
            return .unreachable(address: address, reason: error.reason)
        }
    }

    private struct Problem: Error { var text: String }

    /// The first IPv4 address of the name, else its first IPv6 address.
    private func address(of host: String) async -> Result<String, Problem> {
        var answered: [String] = []
        for type in [DNSRecordType.a, .aaaa] {
            do {
                let response = try await resolver.query(host, type)
                if let record = response.answers.first(where: { $0.type == type }), let address = record.fields.first {
                    return .success(address)
                }
                answered.append(response.rcode == .noError ? "no \(type) record" : "\(response.rcode)")
            } catch {
                answered.append("\(type): \(error)")
            }
        }
        return .failure(Problem(text: "\(host) has no address (\(answered.joined(separator: ", ")))"))
    }

    /// A CA ignores whitespace at the end of the body (RFC 8555, 8.3).
    private static func trimmedEnd(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
