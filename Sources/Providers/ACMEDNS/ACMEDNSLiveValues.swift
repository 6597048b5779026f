internal import Synchronization

/// The TXT values this process has published at each acme-dns subdomain and still needs.
///
/// acme-dns keeps only the two newest values of a subdomain: a wildcard and its apex fit, a
/// third value would silently push out one still being validated. So a third is refused, and
/// a value already there is not sent again (sending it again would push out the other one).
enum ACMEDNSLiveValues {
    private static let live = Mutex<[String: [String]]>([:])

    enum Claim: Equatable {
        /// Send the value: it is now one of the subdomain's live values.
        case send
        /// The value is live already: sending it again would replace the other one.
        case alreadyThere
        /// Two other values are live: these.
        case full([String])
    }

    static func claim(_ value: String, at key: String) -> Claim {
        live.withLock { live in
            let values = live[key, default: []]
            if values.contains(value) { return .alreadyThere }
            if values.count >= 2 { return .full(values) }
            live[key] = values + [value]
            return .send
        }
    }

    static func release(_ value: String, at key: String) {
        live.withLock { live in
            live[key]?.removeAll { $0 == value }
            if live[key]?.isEmpty == true { live[key] = nil }
        }
    }
}
