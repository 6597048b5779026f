internal import CertCore
internal import DNS01
internal import Foundation

/// One acme-dns account: the credentials of one subdomain of the acme-dns server, and the name
/// (`fulldomain`) where that server publishes its TXT values.
struct ACMEDNSAccount: Sendable, Equatable {
    var username: String
    var password: String
    var fulldomain: String
    var subdomain: String

    /// From an account object as acme-dns's `/register` answers it and lego and cert-manager
    /// store it; nil when a field is missing.
    init?(_ json: JSONValue) {
        guard let username = json["username"]?.stringValue, let password = json["password"]?.stringValue,
              let fulldomain = json["fulldomain"]?.stringValue, let subdomain = json["subdomain"]?.stringValue,
              !username.isEmpty, !password.isEmpty, !fulldomain.isEmpty, !subdomain.isEmpty else { return nil }
        self.username = username
        self.password = password
        self.fulldomain = fulldomain
        self.subdomain = subdomain
    }
}

/// The accounts JSON lego and cert-manager share: an object mapping each domain (without
/// `*.`) to its account, `{"example.com": {"username", "password", "fulldomain", "subdomain",
/// "allowfrom"}}`. Read from `ACME_DNS_ACCOUNTS_JSON` (inline, e.g. from a Secret) or from the
/// file `ACME_DNS_STORAGE_PATH`, where new registrations are saved too.
struct ACMEDNSAccounts: Sendable {
    enum Source: Sendable {
        case inline(String)
        case file(String)
    }

    var source: Source

    /// Where the accounts come from, in words for messages (never the inline JSON itself).
    var origin: String {
        switch source {
        case .inline: "ACME_DNS_ACCOUNTS_JSON"
        case .file(let path): "ACME_DNS_STORAGE_PATH (\(path))"
        }
    }

    /// Every account by domain; a domain whose entry is incomplete is reported, naming only the domain.
    func load() throws(ProviderError) -> [String: ACMEDNSAccount] {
        let object = try raw()
        var accounts: [String: ACMEDNSAccount] = [:]
        for (domain, value) in object {
            guard let account = ACMEDNSAccount(value) else {
                throw ProviderError(.configuration, provider: ACMEDNSProvider.code, "the account for \(domain) in \(origin) lacks one of username, password, fulldomain, subdomain")
            }
            accounts[domain] = account
        }
        return accounts
    }

    /// The account whose `fulldomain` is `fqdn`: where a challenge name's CNAME leads.
    func account(publishingAt fqdn: String, in accounts: [String: ACMEDNSAccount]) -> ACMEDNSAccount? {
        accounts.values.first { DNSName.normalized($0.fulldomain) == DNSName.normalized(fqdn) }
    }

    /// The account stored for `domain` (or for `*.domain`).
    func account(for domain: String, in accounts: [String: ACMEDNSAccount]) -> ACMEDNSAccount? {
        let wanted = DNSName.normalized(domain)
        return accounts.first { DNSName.normalized($0.key) == wanted || DNSName.normalized($0.key) == DNSName.normalized("*." + domain) }?.value
    }

    /// The file a new account for `domain` will be saved in; with inline accounts there is
    /// none, and registering one would lose it.
    func storagePath(for domain: String) throws(ProviderError) -> String {
        guard case .file(let path) = source else {
            throw ProviderError(.configuration, provider: ACMEDNSProvider.code, "there is no account for \(domain) in ACME_DNS_ACCOUNTS_JSON, and a new one could not be saved; set ACME_DNS_STORAGE_PATH instead, or register with acme-dns yourself and add the account to ACME_DNS_ACCOUNTS_JSON")
        }
        return path
    }

    /// Adds `registered` (the account as the server answered it) under `domain` to the storage
    /// file at `path`, keeping every other entry as it was; the file is written whole, readable
    /// by its owner only.
    func save(_ registered: JSONValue, for domain: String, at path: String) throws(ProviderError) {
        var object = FileManager.default.fileExists(atPath: path) ? try raw() : [:]
        object[domain] = registered
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: JSONValue.object(object).encoded(), attributes: [.posixPermissions: 0o600]) else {
            throw ProviderError(.configuration, provider: ACMEDNSProvider.code, "the new account for \(domain) cannot be saved: \(temporary) cannot be written — check ACME_DNS_STORAGE_PATH")
        }
        // rename(2): readers see the old file or the new one, never a half-written one.
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ProviderError(.configuration, provider: ACMEDNSProvider.code, "the new account for \(domain) cannot be saved in \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func raw() throws(ProviderError) -> [String: JSONValue] {
        let data: Data
        switch source {
        case .inline(let text):
            data = Data(text.utf8)
        case .file(let path):
            guard FileManager.default.fileExists(atPath: path) else { return [:] }
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ProviderError(.configuration, provider: ACMEDNSProvider.code, "\(origin) cannot be read")
            }
            data = contents
        }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let object = (try? JSONValue.decode(data))?.objectValue else {
            throw ProviderError(.configuration, provider: ACMEDNSProvider.code, "\(origin) is not a JSON object mapping each domain to its acme-dns account")
        }
        return object
    }
}
