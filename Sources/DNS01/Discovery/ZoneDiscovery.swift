internal import Foundation
internal import Logging

/// Finds, for a domain, where its `_acme-challenge` record lives: follows CNAMEs, walks up to
/// the zone with SOA queries, lists the zone's NS set and resolves every nameserver's A and
/// AAAA addresses — all through one (recursive) resolver.
public struct ZoneDiscovery: Sendable {
    public var resolver: DNSResolver
    /// How many CNAMEs to follow before giving up.
    public var maxCNAMEDepth: Int
    /// Whether to check that this machine has a route to each address (IPv6 often has none).
    public var checkRoutes: Bool
    /// Every answer this discovery (and its copies) had, for the names asked about after.
    private let answers = SharedAnswers()

    public init(resolver: DNSResolver, maxCNAMEDepth: Int = 8, checkRoutes: Bool = true) {
        self.resolver = resolver
        self.maxCNAMEDepth = maxCNAMEDepth
        self.checkRoutes = checkRoutes
    }

    static let logger = Logger(label: "kubectl-certs.dns01.discovery")

    /// Everything needed to publish and check the challenge for `domain`.
    public func discover(domain: String) async throws -> ChallengeTarget {
        let challengeName = DNSName.challengeName(for: domain)
        let chain = try await followCNAMEs(from: challengeName)
        let fqdn = chain.last ?? challengeName
        let zone = try await zone(of: fqdn)
        let nameservers = try await nameservers(of: zone)
        Self.logger.debug("\(domain): record \(fqdn) in zone \(zone), nameservers \(nameservers)")
        return ChallengeTarget(domain: domain, challengeName: challengeName, cnameChain: chain, fqdn: fqdn, zone: zone, nameservers: nameservers)
    }

    /// The CNAME targets from `name`, one hop at a time; empty when `name` is no CNAME.
    /// Throws `.cnameLoop` on a loop or a chain longer than `maxCNAMEDepth`.
    public func followCNAMEs(from name: String) async throws -> [String] {
        var current = DNSName.normalized(name)
        var seen: [String] = [current]
        var chain: [String] = []
        while true {
            let response = try await query(current, .cname)
            guard response.rcode == .noError || response.rcode == .nameError else {
                throw DNSError(.serverError, "looking up CNAME at \(current): \(response.server) answered \(response.rcode)", responseCode: response.rcode)
            }
            guard let target = response.answers.first(where: { $0.type == .cname && $0.name == current })?.target else {
                return chain
            }
            if seen.contains(target) {
                throw DNSError(.cnameLoop, "the CNAME chain from \(seen[0]) loops: \((seen + [target]).joined(separator: " → ")); fix the CNAME records so the chain ends at a name that can hold a TXT record")
            }
            guard chain.count < maxCNAMEDepth else {
                throw DNSError(.cnameLoop, "the CNAME chain from \(seen[0]) is longer than \(maxCNAMEDepth) hops: \(seen.joined(separator: " → ")) → …")
            }
            chain.append(target)
            seen.append(target)
            current = target
        }
    }

    /// The zone holding `name`: the nearest name at or above it that has an SOA record.
    /// NXDOMAIN or an empty answer means "keep climbing".
    public func zone(of name: String) async throws -> String {
        var current: String? = DNSName.normalized(name)
        while let candidate = current {
            let response = try await query(candidate, .soa)
            switch response.rcode {
            case .noError, .nameError:
                if response.answers.contains(where: { $0.type == .soa && $0.name == candidate }) {
                    return candidate
                }
            default:
                throw DNSError(.serverError, "looking up the zone of \(DNSName.normalized(name)): \(response.server) answered \(response.rcode) for \(candidate) SOA", responseCode: response.rcode)
            }
            current = DNSName.parent(of: candidate)
        }
        throw DNSError(.notFound, "no zone (SOA record) found at or above \(DNSName.normalized(name)); is the domain delegated, and do the resolvers (--dns-resolver) see it?")
    }

    /// The zone's nameservers with their addresses, looked up concurrently.
    public func nameservers(of zone: String) async throws -> [Nameserver] {
        let zone = DNSName.normalized(zone)
        let response = try await query(zone, .ns)
        let names = Set(response.answers.filter { $0.type == .ns && $0.name == zone }.compactMap(\.target)).sorted()
        guard response.rcode == .noError, !names.isEmpty else {
            throw DNSError(.notFound, "zone \(zone) has no NS records (\(response.server) answered \(response.rcode))", responseCode: response.rcode)
        }
        let found = try await withThrowingTaskGroup(of: Nameserver.self) { group in
            for name in names {
                group.addTask { try await addresses(of: name) }
            }
            var found: [Nameserver] = []
            for try await nameserver in group { found.append(nameserver) }
            return found.sorted { $0.name < $1.name }
        }
        let reachable = found.filter { !$0.addresses.isEmpty }
        guard !reachable.isEmpty else {
            throw DNSError(.notFound, "none of zone \(zone)'s nameservers (\(names.joined(separator: ", "))) has an address reachable from here: \(found.flatMap(\.skipped).map(\.description).joined(separator: "; "))")
        }
        return found
    }

    /// The resolver's answer, or the one this discovery already had (or awaits) for the same question.
    private func query(_ name: String, _ type: DNSRecordType) async throws -> DNSResponse {
        let resolver = resolver
        return try await answers.answer(name, type) { try await resolver.query(name, type) }
    }

    func addresses(of name: String) async throws -> Nameserver {
        async let v4 = query(name, .a)
        async let v6 = query(name, .aaaa)
        var addresses: [DNSServer] = []
        var skipped: [Nameserver.SkippedAddress] = []
        for (response, type) in [(try await v4, DNSRecordType.a), (try await v6, .aaaa)] {
            for record in response.answers where record.type == type {
                guard let host = record.fields.first else { continue }
                let server = DNSServer(host: host, port: 53)
                if checkRoutes, let reason = RouteCheck.noRoute(to: host) {
                    skipped.append(.init(address: server, reason: reason))
                } else {
                    addresses.append(server)
                }
            }
        }
        if addresses.isEmpty && skipped.isEmpty {
            skipped.append(.init(address: DNSServer(host: name), reason: "no A or AAAA record"))
        }
        return Nameserver(name: name, addresses: addresses, skipped: skipped)
    }
}

/// Whether this machine has a route to an address, asked of the kernel by connecting a UDP
/// socket (nothing is sent).
enum RouteCheck {
    /// nil when there is a route; otherwise why not.
    static func noRoute(to host: String) -> String? {
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            family = AF_INET
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    $0.pointee.sin_family = sa_family_t(AF_INET)
                    $0.pointee.sin_port = UInt16(53).bigEndian
                    $0.pointee.sin_addr = v4
                }
            }
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            family = AF_INET6
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    $0.pointee.sin6_family = sa_family_t(AF_INET6)
                    $0.pointee.sin6_port = UInt16(53).bigEndian
                    $0.pointee.sin6_addr = v6
                }
            }
        } else {
            return "not an IP address"
        }
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return family == AF_INET6 ? "IPv6 is not available on this machine" : "cannot open a socket" }
        defer { close(fd) }
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard result != 0 else { return nil }
        let code = errno
        return "no route from this machine (\(String(decoding: Array(String(cString: strerror(code)).utf8), as: UTF8.self)))"
    }
}
