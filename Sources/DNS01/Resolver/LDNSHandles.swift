internal import CLDNS
internal import Foundation

// Owners of libldns handles. Each frees its handle in `deinit`; the pointers never leave
// DNS01 and are only used on the blocking pool's threads, one exchange per handle.

/// An `ldns_resolver` aimed at exactly one server address.
final class LDNSResolverHandle {
    let pointer: UnsafeMutablePointer<ldns_resolver>

    init(address: String, port: Int, recursion: Bool, timeout: Duration, ednsUDPSize: Int) throws(DNSError) {
        guard let resolver = ldns_resolver_new() else {
            throw DNSError(.library, "libldns could not allocate a resolver")
        }
        pointer = resolver
        let rdf = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, address) ?? ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, address)
        guard let rdf else {
            throw DNSError(.invalidInput, "\"\(address)\" is not an IPv4 or IPv6 address")
        }
        defer { ldns_rdf_deep_free(rdf) }
        try LDNSStatus.check(ldns_resolver_push_nameserver(resolver, rdf), doing: "adding nameserver \(address)")
        ldns_resolver_set_port(resolver, UInt16(port))
        ldns_resolver_set_recursive(resolver, recursion)
        ldns_resolver_set_random(resolver, false)
        ldns_resolver_set_retry(resolver, 1)
        ldns_resolver_set_retrans(resolver, 0)
        ldns_resolver_set_fail(resolver, false)
        ldns_resolver_set_defnames(resolver, false)
        ldns_resolver_set_dnsrch(resolver, false)
        ldns_resolver_set_usevc(resolver, false)
        ldns_resolver_set_fallback(resolver, true)   // retry over TCP when the UDP answer is truncated
        ldns_resolver_set_edns_udp_size(resolver, UInt16(ednsUDPSize))
        let parts = timeout.components
        let micro = parts.attoseconds / 1_000_000_000_000
        ldns_resolver_set_timeout(resolver, timeval(tv_sec: Int(parts.seconds), tv_usec: Int(micro)))
    }

    /// Configures TSIG signing; libldns copies the strings.
    func setTSIG(_ key: TSIGKey) {
        ldns_resolver_set_tsig_keyname(pointer, DNSName.normalized(key.name))
        ldns_resolver_set_tsig_algorithm(pointer, key.algorithm.ldnsName)
        key.withSecret { ldns_resolver_set_tsig_keydata(pointer, $0) }
    }

    deinit { ldns_resolver_deep_free(pointer) }
}

/// An `ldns_pkt`.
final class LDNSPacket {
    let pointer: UnsafeMutablePointer<ldns_pkt>
    init(taking pointer: UnsafeMutablePointer<ldns_pkt>) { self.pointer = pointer }
    deinit { ldns_pkt_free(pointer) }

    /// The packet as Swift values.
    func response(from server: DNSServer) -> DNSResponse {
        DNSResponse(
            rcode: DNSResponseCode(rawValue: Int(ldns_pkt_get_rcode(pointer).rawValue)),
            answers: Self.records(ldns_pkt_answer(pointer)),
            authority: Self.records(ldns_pkt_authority(pointer)),
            additional: Self.records(ldns_pkt_additional(pointer)),
            authoritative: ldns_pkt_aa(pointer),
            truncated: ldns_pkt_tc(pointer),
            edns: ldns_pkt_edns(pointer),
            server: server
        )
    }

    /// The error field of the answer's TSIG record (RFC 8945: 16 BADSIG, 17 BADKEY, 18 BADTIME), if any.
    var tsigError: Int? {
        guard let tsig = ldns_pkt_tsig(pointer), ldns_rr_rd_count(tsig) > 5, let field = ldns_rr_rdf(tsig, 5) else { return nil }
        return Int(ldns_rdf2native_int16(field))
    }

    private static func records(_ list: UnsafeMutablePointer<ldns_rr_list>?) -> [DNSRecord] {
        guard let list else { return [] }
        var records: [DNSRecord] = []
        for index in 0..<ldns_rr_list_rr_count(list) {
            guard let rr = ldns_rr_list_rr(list, index) else { continue }
            records.append(record(rr))
        }
        return records
    }

    private static func record(_ rr: UnsafeMutablePointer<ldns_rr>) -> DNSRecord {
        let type = DNSRecordType(rawValue: UInt16(truncatingIfNeeded: ldns_rr_get_type(rr).rawValue))
        var fields: [String] = []
        var text: String? = nil
        var textBytes: [UInt8] = []
        for index in 0..<ldns_rr_rd_count(rr) {
            guard let rdf = ldns_rr_rdf(rr, index) else { continue }
            fields.append(string(rdf))
            if type == .txt, let data = ldns_rdf_data(rdf), ldns_rdf_size(rdf) > 0 {
                let size = ldns_rdf_size(rdf)
                let length = min(Int(data[0]), size - 1)
                textBytes.append(contentsOf: UnsafeBufferPointer(start: data + 1, count: length))
            }
        }
        if type == .txt { text = String(decoding: textBytes, as: UTF8.self) }
        let owner = ldns_rr_owner(rr).map(string) ?? "."
        return DNSRecord(name: DNSName.normalized(owner), type: type, ttl: Int(ldns_rr_ttl(rr)), fields: fields, text: text)
    }

    /// Presentation format of one rdata field (libldns allocates; we free).
    static func string(_ rdf: UnsafeMutablePointer<ldns_rdf>) -> String {
        guard let chars = ldns_rdf2str(rdf) else { return "" }
        defer { free(chars) }
        return String(cString: chars)
    }
}

/// An `ldns_rr_list` we own until it is handed over.
final class LDNSRecordList {
    let pointer: UnsafeMutablePointer<ldns_rr_list>

    init() throws(DNSError) {
        guard let list = ldns_rr_list_new() else { throw DNSError(.library, "libldns could not allocate a record list") }
        pointer = list
    }

    /// Parses `text` (one record in zone-file syntax) and appends it; `deleting` turns it into
    /// an RFC 2136 "delete this exact RR" (class NONE, TTL 0).
    func append(_ text: String, deleting: Bool = false) throws(DNSError) {
        var rr: UnsafeMutablePointer<ldns_rr>? = nil
        let status = ldns_rr_new_frm_str(&rr, text, 0, nil, nil)
        guard status == LDNS_STATUS_OK, let rr else {
            throw DNSError(.invalidInput, "the record \(text) does not parse: \(LDNSStatus.text(status))")
        }
        if deleting {
            ldns_rr_set_class(rr, LDNS_RR_CLASS_NONE)
            ldns_rr_set_ttl(rr, 0)
        }
        guard ldns_rr_list_push_rr(pointer, rr) else {
            ldns_rr_free(rr)
            throw DNSError(.library, "libldns could not append a record")
        }
    }

    deinit { ldns_rr_list_deep_free(pointer) }
}
