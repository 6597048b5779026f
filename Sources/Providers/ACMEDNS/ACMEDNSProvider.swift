public import DNS01
internal import CertCore
internal import Foundation
internal import Logging

/// An acme-dns server (https://github.com/joohoi/acme-dns), as lego and cert-manager use it.
///
/// Each domain has an account on the server: a subdomain whose `fulldomain` the domain's
/// `_acme-challenge` name is a CNAME to. A value is published with `POST /update`
/// (`X-Api-User`, `X-Api-Key`, `{"subdomain", "txt"}`); the server keeps the two newest values
/// of a subdomain and has no delete, so cleanup leaves the value until newer ones replace it.
///
/// When no account exists for a domain, one is registered (`POST /register`), saved in
/// `ACME_DNS_STORAGE_PATH`, and the run stops, telling the user which CNAME to create.
public struct ACMEDNSProvider: DNSProviderAdapter {
    public static let code = "acme-dns"
    var api: ProviderAPIClient
    var accounts: ACMEDNSAccounts

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let base = settings.parsed("ACME_DNS_API_BASE", expected: "an http(s) URL such as https://auth.example.org", required: true) { text in
            URLComponents(string: text).flatMap { ["http", "https"].contains($0.scheme?.lowercased() ?? "") && $0.host != nil && $0.query == nil ? text : nil }
        }
        let inline = settings.optional("ACME_DNS_ACCOUNTS_JSON")
        let path = settings.optional("ACME_DNS_STORAGE_PATH")
        if inline == nil && path == nil {
            settings.missing("ACME_DNS_STORAGE_PATH (or ACME_DNS_ACCOUNTS_JSON)")
        }
        try settings.validate()
        guard let base, let source = inline.map(ACMEDNSAccounts.Source.inline) ?? path.map(ACMEDNSAccounts.Source.file) else {
            throw ProviderError(.configuration, provider: Self.code, "ACME_DNS_API_BASE and ACME_DNS_STORAGE_PATH (or ACME_DNS_ACCOUNTS_JSON) are needed")
        }
        api = ProviderAPIClient(settings: settings, baseURL: base)
        accounts = ACMEDNSAccounts(source: source)
    }

    static let logger = Logger(label: "kubectl-certs.providers.acme-dns")

    public func present(_ record: ChallengeRecord) async throws {
        let account = try await account(for: record)
        let key = "\(api.baseURL) \(account.subdomain)"
        switch ACMEDNSLiveValues.claim(record.value, at: key) {
        case .alreadyThere:
            return
        case .full(let values):
            throw ProviderError(.rejected, provider: Self.code, "TXT \"\(record.value)\" at \(record.fqdn) (zone \(record.zone)) is refused: acme-dns keeps only the two newest values of subdomain \(account.subdomain), and \(values.map { "\"\($0)\"" }.joined(separator: " and ")) are still needed by this run; issue certificates whose names share this subdomain in separate runs")
        case .send:
            break
        }
        do {
            try await api.send("POST", "/update", json: ["subdomain": .string(account.subdomain), "txt": .string(record.value)],
                               headers: ["X-Api-User": account.username, "X-Api-Key": account.password],
                               doing: "updating TXT \"\(record.value)\" at \(record.fqdn) (subdomain \(account.subdomain), zone \(record.zone))")
        } catch {
            ACMEDNSLiveValues.release(record.value, at: key)
            throw error
        }
    }

    /// acme-dns has no delete: the value stays until two newer ones replace it.
    public func cleanUp(_ record: ChallengeRecord) async throws {
        guard let account = try? accounts.account(publishingAt: record.fqdn, in: accounts.load()) else { return }
        ACMEDNSLiveValues.release(record.value, at: "\(api.baseURL) \(account.subdomain)")
        Self.logger.debug("acme-dns: nothing to delete at \(record.fqdn): acme-dns has no delete, so TXT \"\(record.value)\" stays until two newer values replace it")
    }

    /// The account that publishes at the record's name (its CNAME's target); when the name is
    /// still `_acme-challenge.<domain>` and no account exists for the domain, registers one,
    /// saves it and stops with the CNAME to create.
    private func account(for record: ChallengeRecord) async throws -> ACMEDNSAccount {
        let stored = try accounts.load()
        if let account = accounts.account(publishingAt: record.fqdn, in: stored) { return account }
        let prefix = "_acme-challenge."
        guard record.fqdn.hasPrefix(prefix) else {
            throw ProviderError(.configuration, provider: Self.code, "\(record.fqdn) (where the challenge name's CNAME leads) is the fulldomain of no account in \(accounts.origin); check that CNAME, or add its account")
        }
        let domain = String(record.fqdn.dropFirst(prefix.count).dropLast())
        if let account = accounts.account(for: domain, in: stored) {
            throw Self.cnameNeeded(domain: domain, fulldomain: account.fulldomain, new: false)
        }
        let path = try accounts.storagePath(for: domain)
        // Wildcard and apex ask at the same moment: one registration per domain.
        return try await RecordSetLock.run("\(Self.code) register \(api.baseURL) \(domain)") { () async throws -> ACMEDNSAccount in
            if let account = accounts.account(for: domain, in: try accounts.load()) {
                throw Self.cnameNeeded(domain: domain, fulldomain: account.fulldomain, new: false)
            }
            let registered = try await api.json("POST", "/register", json: [:], doing: "registering an account for \(domain)")
            guard let account = ACMEDNSAccount(registered) else {
                throw ProviderError(.rejected, provider: Self.code, "registering an account for \(domain): the answer lacks one of username, password, fulldomain, subdomain")
            }
            try accounts.save(registered, for: domain, at: path)
            Self.logger.debug("acme-dns: registered subdomain \(account.subdomain) for \(domain)")
            throw Self.cnameNeeded(domain: domain, fulldomain: account.fulldomain, new: true)
        }
    }

    static func cnameNeeded(domain: String, fulldomain: String, new: Bool) -> ProviderError {
        let record = "_acme-challenge.\(domain). CNAME \(DNSName.normalized(fulldomain))"
        let what = new ? "a new account was registered for \(domain) and saved" : "the acme-dns account for \(domain) publishes at \(DNSName.normalized(fulldomain)), but _acme-challenge.\(domain) does not lead there"
        return ProviderError(.configuration, provider: code, "\(what); create this record in \(domain)'s DNS, then run again: \(record)")
    }
}
