internal import CLDNS
internal import Foundation

/// Blocking exchanges with one server through libldns. Called only on `BlockingWorkPool`
/// threads; every function builds its own handles, so calls never share C state.
enum LDNSExchange {
    /// Sends one query and returns the answer.
    static func query(
        name: String, type: DNSRecordType, server: DNSServer, recursion: Bool, timeout: Duration, ednsUDPSize: Int
    ) throws(DNSError) -> DNSResponse {
        let what = "query \(DNSName.normalized(name)) \(type) at \(server)"
        let address = try address(of: server, doing: what)
        let resolver = try LDNSResolverHandle(address: address, port: server.port, recursion: recursion, timeout: timeout, ednsUDPSize: ednsUDPSize)
        guard let owner = ldns_dname_new_frm_str(DNSName.normalized(name)) else {
            throw DNSError(.invalidInput, "\"\(name)\" is not a valid domain name")
        }
        defer { ldns_rdf_deep_free(owner) }
        var answer: UnsafeMutablePointer<ldns_pkt>? = nil
        let flags: UInt16 = recursion ? UInt16(LDNS_RD) : 0
        let start = ContinuousClock.now
        errno = 0
        let status = ldns_resolver_send(&answer, resolver.pointer, owner, ldns_rr_type(rawValue: UInt32(type.rawValue)), LDNS_RR_CLASS_IN, flags)
        let failure = errno
        let packet = answer.map(LDNSPacket.init(taking:))
        guard status == LDNS_STATUS_OK, let packet else {
            let timedOut = ContinuousClock.now - start >= timeout * 0.9
            throw LDNSStatus.error(status == LDNS_STATUS_OK ? LDNS_STATUS_NETWORK_ERR : status, doing: what, timedOut: timedOut, errnoValue: failure)
        }
        return packet.response(from: server)
    }

    /// Sends one RFC 2136 UPDATE for `zone` (signed when `key` is set) and returns the answer
    /// with the TSIG error field of the reply. A reply that fails TSIG verification is
    /// returned too (`verified` false) so the caller can tell BADSIG from BADKEY from BADTIME.
    static func update(
        zone: String, additions: [String], deletions: [String], server: DNSServer, key: TSIGKey?, timeout: Duration
    ) throws(DNSError) -> (response: DNSResponse, tsigError: Int?, verified: Bool) {
        let what = "UPDATE of zone \(DNSName.normalized(zone)) at \(server)"
        let address = try address(of: server, doing: what)
        let resolver = try LDNSResolverHandle(address: address, port: server.port, recursion: false, timeout: timeout, ednsUDPSize: 0)
        if let key { resolver.setTSIG(key) }
        let updates = try LDNSRecordList()
        for text in additions { try updates.append(text) }
        for text in deletions { try updates.append(text, deleting: true) }
        // ldns_update_pkt_new takes ownership of the zone name and copies the record list.
        guard let zoneName = ldns_dname_new_frm_str(DNSName.normalized(zone)) else {
            throw DNSError(.invalidInput, "\"\(zone)\" is not a valid zone name")
        }
        guard let raw = ldns_update_pkt_new(zoneName, LDNS_RR_CLASS_IN, nil, updates.pointer, nil) else {
            ldns_rdf_deep_free(zoneName)
            throw DNSError(.library, "libldns could not build an UPDATE message")
        }
        let request = LDNSPacket(taking: raw)
        ldns_pkt_set_rd(request.pointer, false)
        ldns_pkt_set_random_id(request.pointer)
        if key != nil {
            let status = ldns_update_pkt_tsig_add(request.pointer, resolver.pointer)
            guard status == LDNS_STATUS_OK else {
                throw LDNSStatus.error(status == LDNS_STATUS_ERR ? LDNS_STATUS_CRYPTO_TSIG_ERR : status, doing: what, timedOut: false, errnoValue: 0)
            }
        }
        var answer: UnsafeMutablePointer<ldns_pkt>? = nil
        let start = ContinuousClock.now
        errno = 0
        // ldns_send, not ldns_resolver_send_pkt: the latter drops a reply whose TSIG fails to verify, and
        // that reply carries the rcode and TSIG error (BADSIG, BADKEY, BADTIME) the user needs.
        let status = ldns_send(&answer, resolver.pointer, request.pointer)
        let failure = errno
        let packet = answer.map(LDNSPacket.init(taking:))
        if let packet, status == LDNS_STATUS_OK || status == LDNS_STATUS_CRYPTO_TSIG_BOGUS {
            return (packet.response(from: server), packet.tsigError, status == LDNS_STATUS_OK)
        }
        let timedOut = ContinuousClock.now - start >= timeout * 0.9
        throw LDNSStatus.error(status == LDNS_STATUS_OK ? LDNS_STATUS_NETWORK_ERR : status, doing: what, timedOut: timedOut, errnoValue: failure)
    }

    /// The server's IP address; a host name is looked up with the system's resolver (getaddrinfo).
    static func address(of server: DNSServer, doing what: String) throws(DNSError) -> String {
        if isIPAddress(server.host) { return server.host }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        guard getaddrinfo(server.host, nil, &hints, &list) == 0, let list else {
            throw DNSError(.notFound, "\(what): the host name \(server.host) does not resolve")
        }
        defer { freeaddrinfo(list) }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(list.pointee.ai_addr, list.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else {
            throw DNSError(.notFound, "\(what): the host name \(server.host) does not resolve")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
