internal import CLDNS
internal import Foundation

/// The one place where libldns status codes become `DNSError`s.
enum LDNSStatus {
    static func text(_ status: ldns_status) -> String {
        guard let chars = ldns_get_errorstr_by_id(status) else { return "libldns status \(status.rawValue)" }
        return String(cString: chars)
    }

    /// Throws unless `status` is OK.
    static func check(_ status: ldns_status, doing what: String) throws(DNSError) {
        guard status != LDNS_STATUS_OK else { return }
        throw error(status, doing: what, timedOut: false, errnoValue: 0)
    }

    /// The error for a failed exchange with a server; `timedOut` says the wait used up the
    /// per-query timeout (libldns reports timeouts and refused sockets with one status).
    static func error(_ status: ldns_status, doing what: String, timedOut: Bool, errnoValue: Int32) -> DNSError {
        switch status {
        case LDNS_STATUS_NETWORK_ERR, LDNS_STATUS_SOCKET_ERROR, LDNS_STATUS_ERR, LDNS_STATUS_RES_NO_NS:
            if timedOut {
                return DNSError(.timeout, "\(what): no answer within the timeout")
            }
            if errnoValue == ENETUNREACH || errnoValue == EHOSTUNREACH || errnoValue == EAFNOSUPPORT || errnoValue == EADDRNOTAVAIL {
                return DNSError(.network, "\(what): no route to the server (\(String(cString: strerror(errnoValue))))")
            }
            if errnoValue == ECONNREFUSED {
                return DNSError(.network, "\(what): connection refused (is a DNS server listening there?)")
            }
            return DNSError(.network, "\(what): \(text(status))" + (errnoValue != 0 ? " (\(String(cString: strerror(errnoValue))))" : ""))
        case LDNS_STATUS_CRYPTO_TSIG_BOGUS:
            return DNSError(.tsig, "\(what): the server's reply is not signed with our TSIG key (it rejected the key name, algorithm or secret)")
        case LDNS_STATUS_CRYPTO_TSIG_ERR:
            return DNSError(.tsig, "\(what): the message could not be signed with the TSIG key (check the key name, algorithm and that the secret is base64)")
        case LDNS_STATUS_MEM_ERR:
            return DNSError(.library, "\(what): libldns ran out of memory")
        case LDNS_STATUS_PACKET_OVERFLOW, LDNS_STATUS_WIRE_INCOMPLETE_HEADER, LDNS_STATUS_WIRE_INCOMPLETE_QUESTION,
             LDNS_STATUS_WIRE_INCOMPLETE_ANSWER, LDNS_STATUS_WIRE_INCOMPLETE_AUTHORITY, LDNS_STATUS_WIRE_INCOMPLETE_ADDITIONAL:
            return DNSError(.malformedResponse, "\(what): the answer is malformed (\(text(status)))")
        default:
            return DNSError(.library, "\(what): \(text(status))")
        }
    }
}
