internal import CertCore
public import DNS01
internal import Foundation

/// Settings of the RFC 2136 adapter, read from an environment dictionary with lego's names.
/// Every variable may instead be given as `NAME_FILE`, a file holding the value.
public struct RFC2136Configuration: Sendable {
    /// The primary nameserver that takes the updates (`RFC2136_NAMESERVER`, HOST[:PORT]).
    public var nameserver: DNSServer
    /// The TSIG key (`RFC2136_TSIG_KEY`, `RFC2136_TSIG_SECRET`, `RFC2136_TSIG_ALGORITHM`); nil sends unsigned updates.
    public var key: TSIGKey?
    /// TTL of the TXT record (`RFC2136_TTL`, default 120).
    public var ttl: Int
    /// How long to wait for propagation (`RFC2136_PROPAGATION_TIMEOUT`, default 5m).
    public var propagationTimeout: Duration
    /// The longest pause between two propagation polls (`RFC2136_POLLING_INTERVAL`, default 2s).
    public var pollingInterval: Duration
    /// How long to wait for the server's answer to one update (`RFC2136_DNS_TIMEOUT`, default 10s).
    public var updateTimeout: Duration

    public init(nameserver: DNSServer, key: TSIGKey?, ttl: Int = 120, propagationTimeout: Duration = .seconds(300), pollingInterval: Duration = .seconds(2), updateTimeout: Duration = .seconds(10)) {
        self.nameserver = nameserver
        self.key = key
        self.ttl = ttl
        self.propagationTimeout = propagationTimeout
        self.pollingInterval = pollingInterval
        self.updateTimeout = updateTimeout
    }

    /// Reads the settings from `environment`, reporting every problem at once.
    public init(environment: [String: String]) throws(RFC2136Error) {
        var problems: [String] = []
        var missing: [String] = []

        func value(_ name: String) -> String? {
            if let direct = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !direct.isEmpty {
                return direct
            }
            guard let path = environment[name + "_FILE"], !path.isEmpty else { return nil }
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                problems.append("\(name)_FILE names \(path), which cannot be read")
                return nil
            }
            let trimmed = contents.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { problems.append("\(name)_FILE names \(path), which is empty") }
            return trimmed.isEmpty ? nil : trimmed
        }

        func duration(_ name: String, default fallback: Duration) -> Duration {
            guard let text = value(name) else { return fallback }
            guard let parsed = try? Duration(parsing: text), parsed > .zero else {
                problems.append("\(name)=\(text) is not a duration (write seconds, or e.g. 90s, 5m)")
                return fallback
            }
            return parsed
        }

        var server = DNSServer(host: "")
        if let text = value("RFC2136_NAMESERVER") {
            do { server = try DNSServer(parsing: text) } catch { problems.append("RFC2136_NAMESERVER: \(error.message)") }
        } else {
            missing.append("RFC2136_NAMESERVER")
        }

        let keyName = value("RFC2136_TSIG_KEY")
        let secret = value("RFC2136_TSIG_SECRET")
        var algorithm = TSIGAlgorithm.hmacSHA256
        if let text = value("RFC2136_TSIG_ALGORITHM") {
            if let parsed = TSIGAlgorithm(name: text) {
                algorithm = parsed
            } else {
                problems.append("RFC2136_TSIG_ALGORITHM=\(text) is not one of \(TSIGAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var key: TSIGKey? = nil
        switch (keyName, secret) {
        case let (name?, secret?):
            key = TSIGKey(name: name, algorithm: algorithm, secret: secret)
            if key?.secretIsBase64 == false { problems.append("RFC2136_TSIG_SECRET is not base64 (the value is not shown)") }
        case (_?, nil):
            missing.append("RFC2136_TSIG_SECRET (RFC2136_TSIG_KEY is set)")
        case (nil, _?):
            missing.append("RFC2136_TSIG_KEY (RFC2136_TSIG_SECRET is set)")
        case (nil, nil):
            break
        }

        var ttl = 120
        if let text = value("RFC2136_TTL") {
            if let parsed = Int(text), parsed > 0 { ttl = parsed } else { problems.append("RFC2136_TTL=\(text) is not a positive number of seconds") }
        }
        let propagationTimeout = duration("RFC2136_PROPAGATION_TIMEOUT", default: .seconds(300))
        let pollingInterval = duration("RFC2136_POLLING_INTERVAL", default: .seconds(2))
        let updateTimeout = duration("RFC2136_DNS_TIMEOUT", default: .seconds(10))

        if !missing.isEmpty {
            problems.insert("missing \(missing.joined(separator: ", ")) (each may also be given as NAME_FILE)", at: 0)
        }
        guard problems.isEmpty else {
            throw RFC2136Error("rfc2136: " + problems.joined(separator: "; "))
        }
        self.init(nameserver: server, key: key, ttl: ttl, propagationTimeout: propagationTimeout, pollingInterval: pollingInterval, updateTimeout: updateTimeout)
    }
}

/// An error of the RFC 2136 adapter; the message starts with "rfc2136: " and never contains the TSIG secret.
public struct RFC2136Error: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The RFC 8945 TSIG error the server returned (16 BADSIG, 17 BADKEY, 18 BADTIME), if any.
    public var tsigError: Int?
    public init(_ message: String, tsigError: Int? = nil) {
        self.message = message
        self.tsigError = tsigError
    }
    public var description: String { message }
}
