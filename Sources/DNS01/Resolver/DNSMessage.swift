/// A DNS record type, by number; the common ones have names.
public struct DNSRecordType: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)

    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        default: "TYPE\(rawValue)"
        }
    }
}

/// The response code of a DNS message (RFC 1035, 2136, 8945), extended rcodes included.
public struct DNSResponseCode: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)
    public static let yxDomain = DNSResponseCode(rawValue: 6)
    public static let yxRRSet = DNSResponseCode(rawValue: 7)
    public static let nxRRSet = DNSResponseCode(rawValue: 8)
    public static let notAuth = DNSResponseCode(rawValue: 9)
    public static let notZone = DNSResponseCode(rawValue: 10)

    public var description: String {
        switch rawValue {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        default: "RCODE\(rawValue)"
        }
    }
}

/// One resource record of an answer, as plain Swift values.
public struct DNSRecord: Hashable, Sendable, CustomStringConvertible {
    /// Owner name, absolute, lower-case, with a trailing dot.
    public var name: String
    public var type: DNSRecordType
    public var ttl: Int
    /// The rdata fields in presentation format (e.g. an address, a target name, a quoted string).
    public var fields: [String]
    /// For TXT records: the character-strings joined, unescaped, as the value an ACME CA compares.
    public var text: String?

    public init(name: String, type: DNSRecordType, ttl: Int, fields: [String], text: String? = nil) {
        self.name = name
        self.type = type
        self.ttl = ttl
        self.fields = fields
        self.text = text
    }

    /// For CNAME and NS records: the target name (absolute, lower-case).
    public var target: String? {
        guard type == .cname || type == .ns, let first = fields.first else { return nil }
        return DNSName.normalized(first)
    }

    public var description: String {
        "\(name) \(ttl) \(type) \(fields.joined(separator: " "))"
    }
}

/// A server's answer to one query.
public struct DNSResponse: Hashable, Sendable {
    public var rcode: DNSResponseCode
    public var answers: [DNSRecord]
    public var authority: [DNSRecord]
    public var additional: [DNSRecord]
    /// The answer came from a server authoritative for the name (AA bit).
    public var authoritative: Bool
    /// The server set TC on the UDP answer (the library then retried over TCP).
    public var truncated: Bool
    /// The answer carried an EDNS0 OPT record.
    public var edns: Bool
    /// The server that answered.
    public var server: DNSServer

    public init(
        rcode: DNSResponseCode, answers: [DNSRecord] = [], authority: [DNSRecord] = [],
        additional: [DNSRecord] = [], authoritative: Bool = false, truncated: Bool = false,
        edns: Bool = false, server: DNSServer
    ) {
        self.rcode = rcode
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.authoritative = authoritative
        self.truncated = truncated
        self.edns = edns
        self.server = server
    }

    /// The TXT values at `name` in the answer section.
    public func txtValues(at name: String) -> [String] {
        let owner = DNSName.normalized(name)
        return answers.filter { $0.type == .txt && $0.name == owner }.compactMap(\.text)
    }
}

/// Helpers for domain names in presentation format.
public enum DNSName {
    /// Lower-case, absolute (trailing dot) form of `name`; the root is ".".
    public static func normalized(_ name: String) -> String {
        var lowered = name.lowercased()
        while lowered.hasSuffix("..") { lowered.removeLast() }
        if lowered.isEmpty { return "." }
        return lowered.hasSuffix(".") ? lowered : lowered + "."
    }

    /// The name one label up (`a.b.c.` → `b.c.`), or nil at the root.
    public static func parent(of name: String) -> String? {
        let name = normalized(name)
        guard name != "." else { return nil }
        guard let dot = firstUnescapedDot(in: name) else { return nil }
        let rest = String(name[name.index(after: dot)...])
        return rest.isEmpty ? "." : rest
    }

    /// `_acme-challenge.<domain>.` for a domain, a wildcard's `*.` dropped.
    public static func challengeName(for domain: String) -> String {
        var domain = domain
        if domain.hasPrefix("*.") { domain.removeFirst(2) }
        return normalized("_acme-challenge." + domain)
    }

    /// Whether `name` is `zone` or below it.
    public static func isSubdomain(_ name: String, of zone: String) -> Bool {
        let name = normalized(name), zone = normalized(zone)
        return zone == "." || name == zone || name.hasSuffix("." + zone)
    }

    private static func firstUnescapedDot(in name: String) -> String.Index? {
        var escaped = false
        for index in name.indices {
            let character = name[index]
            if escaped { escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == "." { return index }
        }
        return nil
    }
}
