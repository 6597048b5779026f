internal import DNS01
internal import CertCore
internal import Foundation

/// Azure DNS through Azure Resource Manager. A name's TXT values form one record set, replaced
/// whole by a PUT, so adding or removing one value is a read-merge-write whose write carries
/// the etag read (`If-Match`, or `If-None-Match: *` for a new set): a set changed meanwhile
/// answers 412 and is read again; the set is read once more after writing.
public struct AzureDNSProvider: DNSProviderAdapter, TXTSetReplacing {
    public static let code = "azuredns"
    static let apiVersion = "2018-05-01"
    static let attempts = 6

    /// An Azure cloud: its Resource Manager and its identity platform.
    struct Cloud {
        var resourceManager: String
        var authority: String
    }

    static let publicCloud = Cloud(resourceManager: "https://management.azure.com", authority: "https://login.microsoftonline.com")
    static let clouds: [String: Cloud] = [
        "public": publicCloud,
        "usgovernment": Cloud(resourceManager: "https://management.usgovcloudapi.net", authority: "https://login.microsoftonline.us"),
        "china": Cloud(resourceManager: "https://management.chinacloudapi.cn", authority: "https://login.chinacloudapi.cn"),
    ]

    var api: ProviderAPIClient
    let credentials: AzureCredentials
    let subscriptionID: String?
    let resourceGroup: String?
    let zoneName: String?
    private let places = LookupCache()

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let clientID = settings.optional("AZURE_CLIENT_ID")
        let secret = settings.optional("AZURE_CLIENT_SECRET")
        let tenant = settings.optional("AZURE_TENANT_ID")
        let tokenFile = settings.optional("AZURE_FEDERATED_TOKEN_FILE")
        let method = settings.choice("AZURE_AUTH_METHOD", among: ["env", "wli", "msi"])
        let environment = settings.choice("AZURE_ENVIRONMENT", among: ["public", "usgovernment", "china"]) ?? "public"
        let cloud = Self.clouds[environment] ?? Self.publicCloud
        let https: (String) -> String? = { text in URL(string: text).flatMap { $0.scheme == "https" && $0.host != nil ? text : nil } }
        let base = settings.parsed("AZURE_BASE_URL", expected: "an https URL", https) ?? cloud.resourceManager
        let authority = settings.parsed("AZURE_AUTHORITY_HOST", expected: "an https URL", https) ?? cloud.authority
        let imds = settings.parsed("AZURE_METADATA_ENDPOINT", expected: "an http or https URL") { text in URL(string: text).flatMap { ($0.scheme == "http" || $0.scheme == "https") && $0.host != nil ? text : nil } } ?? "http://169.254.169.254"
        subscriptionID = settings.optional("AZURE_SUBSCRIPTION_ID")
        resourceGroup = settings.optional("AZURE_RESOURCE_GROUP")
        zoneName = settings.optional("AZURE_ZONE_NAME").map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
        if settings.optional("AZURE_PRIVATE_ZONE")?.lowercased() == "true" {
            settings.problem("AZURE_PRIVATE_ZONE=true: kubectl-certs changes public Azure DNS zones only")
        }
        let chosen = method ?? (secret != nil ? "env" : tokenFile != nil ? "wli" : "msi")
        var source: AzureCredentials.Source?
        switch chosen {
        case "env":
            if clientID == nil { settings.missing("AZURE_CLIENT_ID (for the client secret)") }
            if tenant == nil { settings.missing("AZURE_TENANT_ID (for the client secret)") }
            if secret == nil { settings.missing("AZURE_CLIENT_SECRET (AZURE_AUTH_METHOD=env)") }
            if let clientID, let tenant, let secret { source = .clientSecret(tenant: tenant, clientID: clientID, secret: secret) }
        case "wli":
            if clientID == nil { settings.missing("AZURE_CLIENT_ID (for the workload identity)") }
            if tenant == nil { settings.missing("AZURE_TENANT_ID (for the workload identity)") }
            if tokenFile == nil { settings.missing("AZURE_FEDERATED_TOKEN_FILE (AZURE_AUTH_METHOD=wli)") }
            if let clientID, let tenant, let tokenFile { source = .workloadIdentity(tenant: tenant, clientID: clientID, tokenFile: tokenFile) }
        default:
            source = .managedIdentity(clientID: clientID)
        }
        if chosen != "env", let by = settings.environment.suppliedBy {
            // An ambient identity's token goes only where the local environment says.
            for name in ["AZURE_BASE_URL", "AZURE_AUTHORITY_HOST", "AZURE_METADATA_ENDPOINT"] where settings.environment.supplied[name] != nil {
                settings.problem("\(name) in \(by) is refused without AZURE_CLIENT_SECRET there: the ambient identity's token is sent only where the local environment says")
            }
        }
        try settings.validate()
        guard let source else { throw ProviderError(.configuration, provider: Self.code, "no Azure credentials") }
        let endpoint: ProviderAPIClient
        if case .managedIdentity = source {
            endpoint = ProviderAPIClient(settings: settings, baseURL: imds, maxRetries: 2)
        } else {
            endpoint = ProviderAPIClient(settings: settings, baseURL: authority)
        }
        let credentials = AzureCredentials(source: source, endpoint: endpoint, resource: cloud.resourceManager)
        self.credentials = credentials
        api = ProviderAPIClient(settings: settings, baseURL: base, sign: { request in
            request.headers.set("Authorization", "Bearer \(try await credentials.accessToken(doing: "authenticating to Azure Resource Manager"))")
        })
    }

    /// Reads the name's TXT set and its etag, lets `merge` give its new values (nil: nothing to
    /// do), and writes them on the condition that the set is still as read.
    func replaceTXTValues(_ record: ChallengeRecord, doing: String, merge: @escaping @Sendable ([String]) -> [String]?) async throws {
        _ = try await credentials.accessToken(doing: doing)
        let zone = (zoneName ?? Self.bare(record.zone)).lowercased()
        let place = try await zonePath(zone, doing: doing)
        let relative = Self.relative(record.fqdn, in: zone)
        let path = "\(place)/TXT/\(AzureCredentials.escaped(relative))"
        let query = [("api-version", Self.apiVersion)]
        try await RecordSetLock.run("azuredns \(api.baseURL) \(path)") {
            var refusal = ""
            for _ in 1...Self.attempts {
                let current = try await api.send("GET", path, query: query, accept: [404], doing: doing)
                let set = current.status == 404 ? nil : try? JSONValue.decode(current.body)
                let etag = set?["etag"]?.stringValue ?? current.headers["ETag"]
                guard let values = merge(Self.values(of: set)) else { return }
                var condition: HTTPHeaders = [:]
                if let etag { condition.set("If-Match", etag) } else { condition.set("If-None-Match", "*") }
                let response: HTTPResponse
                if values.isEmpty {
                    guard set != nil else { return }
                    response = try await api.send("DELETE", path, query: query, headers: condition, accept: [412], doing: doing)
                } else {
                    let ttl = set?["properties"]?["TTL"]?.intValue ?? record.ttl
                    let body: JSONValue = ["properties": ["TTL": .number(Double(ttl)), "TXTRecords": .array(values.map { ["value": [.string($0)]] })]]
                    response = try await api.send("PUT", path, query: query, json: body, headers: condition, accept: [412], doing: doing)
                }
                if response.status == 412 {
                    refusal = ProviderAPIClient.message(in: response)
                    continue
                }
                let after = try await api.send("GET", path, query: query, accept: [404], doing: doing)
                if merge(Self.values(of: after.status == 404 ? nil : try? JSONValue.decode(after.body))) == nil { return }
                refusal = "the record set was changed again right after it was written"
            }
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the TXT record set \(relative) kept changing under us; gave up after \(Self.attempts) attempts (last: \(refusal))")
        }
    }

    /// `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Network/dnsZones/{zone}`:
    /// AZURE_SUBSCRIPTION_ID and AZURE_RESOURCE_GROUP when given, else found by listing the
    /// subscriptions the identity sees and their zones.
    private func zonePath(_ zone: String, doing: String) async throws -> String {
        if let known = places.get(zone) { return known }
        var found: String?
        if let subscriptionID, let resourceGroup {
            found = "/subscriptions/\(AzureCredentials.escaped(subscriptionID))/resourceGroups/\(AzureCredentials.escaped(resourceGroup))/providers/Microsoft.Network/dnsZones/\(zone)"
        } else {
            var subscriptions = subscriptionID.map { [$0] } ?? []
            if subscriptionID == nil {
                subscriptions = try await list("/subscriptions", apiVersion: "2022-12-01", doing: doing).compactMap { $0["subscriptionId"]?.stringValue }
            }
            search: for subscription in subscriptions {
                let zones = try await list("/subscriptions/\(AzureCredentials.escaped(subscription))/providers/Microsoft.Network/dnszones", apiVersion: Self.apiVersion, doing: doing)
                for item in zones where item["name"]?.stringValue?.lowercased() == zone {
                    guard let id = item["id"]?.stringValue else { continue }
                    let parts = id.split(separator: "/").map(String.init)
                    guard let index = parts.firstIndex(where: { $0.lowercased() == "resourcegroups" }), index + 1 < parts.count else { continue }
                    if let resourceGroup, parts[index + 1].lowercased() != resourceGroup.lowercased() { continue }
                    found = "/subscriptions/\(AzureCredentials.escaped(subscription))/resourceGroups/\(AzureCredentials.escaped(parts[index + 1]))/providers/Microsoft.Network/dnsZones/\(zone)"
                    break search
                }
            }
        }
        guard let found else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): no Azure DNS zone \(zone) in \(subscriptionID.map { "subscription \($0)" } ?? "the subscriptions \(credentials.description) can see")\(resourceGroup.map { ", resource group \($0)" } ?? "") (set AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP and AZURE_ZONE_NAME to name it)")
        }
        places.set(zone, found)
        return found
    }

    /// Every item of an ARM list, following nextLink (only to the same Resource Manager).
    private func list(_ path: String, apiVersion: String, doing: String) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var next: (path: String, query: [(String, String)])? = (path, [("api-version", apiVersion)])
        var pages = 0
        while let page = next, pages < 1000 {
            pages += 1
            let answer = try await api.json("GET", page.path, query: page.query, doing: doing)
            items += answer["value"]?.arrayValue ?? []
            next = nil
            if let link = answer["nextLink"]?.stringValue, !link.isEmpty {
                guard link.hasPrefix(api.baseURL + "/") else {
                    throw ProviderError(.rejected, provider: Self.code, "\(doing): the API's nextLink leaves \(api.baseURL); not following it")
                }
                next = (String(link.dropFirst(api.baseURL.count)), [])
            }
        }
        return items
    }

    /// The values of a record set (each TXT record's strings joined).
    static func values(of set: JSONValue?) -> [String] {
        (set?["properties"]?["TXTRecords"]?.arrayValue ?? []).map { record in
            (record["value"]?.arrayValue ?? []).compactMap(\.stringValue).joined()
        }
    }

    /// `_acme-challenge.www.example.com.` in `example.com` → `_acme-challenge.www`; the apex is `@`.
    static func relative(_ fqdn: String, in zone: String) -> String {
        let name = bare(fqdn).lowercased()
        if name == zone { return "@" }
        return name.hasSuffix("." + zone) ? String(name.dropLast(zone.count + 1)) : name
    }

    static func bare(_ name: String) -> String {
        name.hasSuffix(".") ? String(name.dropLast()) : name
    }
}
