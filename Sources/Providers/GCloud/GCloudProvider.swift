internal import DNS01
internal import CertCore
internal import Foundation

/// Google Cloud DNS (API v1). A name's TXT values form one record set, changed only through a
/// Change that deletes the set exactly as it is and adds its successor, so adding or removing
/// one value is a read-merge-write: the deletion is the precondition (a set that changed
/// meanwhile fails it, 412), and the set is read again after the change is done.
public struct GCloudProvider: DNSProviderAdapter, TXTSetReplacing {
    public static let code = "gcloud"
    static let defaultBaseURL = "https://dns.googleapis.com/dns/v1"
    static let defaultMetadataHost = "metadata.google.internal"
    /// How many times a change refused because the set changed meanwhile is made again.
    static let attempts = 6

    var api: ProviderAPIClient
    let credentials: GoogleCredentials
    /// GCE_ZONE_ID: the managed zone (name or id) to use instead of looking it up.
    let zoneID: String?
    let allowPrivateZone: Bool
    private let zoneIDs = LookupCache()

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let key = settings.optional("GCE_SERVICE_ACCOUNT")
        let applicationCredentials = settings.optional("GOOGLE_APPLICATION_CREDENTIALS")
        let project = settings.optional("GCE_PROJECT")
        let zoneID = settings.optional("GCE_ZONE_ID")
        let allowPrivate = settings.choice("GCE_ALLOW_PRIVATE_ZONE", among: ["true", "false"])
        let base = settings.parsed("GCE_BASE_URL", expected: "an https URL") { text in URL(string: text).flatMap { $0.scheme == "https" && $0.host != nil ? text : nil } } ?? Self.defaultBaseURL
        let metadataHost = settings.parsed("GCE_METADATA_HOST", expected: "a host or host:port") { text in URL(string: "http://\(text)/")?.host != nil && !text.contains("/") ? text : nil } ?? Self.defaultMetadataHost
        if settings.optional("GCE_IMPERSONATE_SERVICE_ACCOUNT") != nil {
            settings.problem("GCE_IMPERSONATE_SERVICE_ACCOUNT is not supported by kubectl-certs: give the key of the service account that may change the zone")
        }
        let ambient = key == nil
        if ambient, let by = settings.environment.suppliedBy {
            // Ambient credentials belong to whoever runs the tool: their token goes only where
            // that environment says.
            for name in ["GCE_BASE_URL", "GCE_METADATA_HOST"] where settings.environment.supplied[name] != nil {
                settings.problem("\(name) in \(by) is refused without GCE_SERVICE_ACCOUNT there: the ambient Google credentials' token is sent only where the local environment says")
            }
        }
        var source: GoogleCredentials.Source?
        do throws(ProviderError) {
            if let key {
                let parsed = try GoogleServiceAccountKey(json: key, origin: "GCE_SERVICE_ACCOUNT")
                source = .serviceAccount(parsed, tokenEndpoint: ProviderAPIClient(settings: settings, baseURL: parsed.tokenURI))
            } else if let applicationCredentials {
                guard let data = FileManager.default.contents(atPath: applicationCredentials) else {
                    throw ProviderError(.configuration, provider: Self.code, "GOOGLE_APPLICATION_CREDENTIALS names \(applicationCredentials), which cannot be read")
                }
                let parsed = try GoogleServiceAccountKey(json: String(decoding: data, as: UTF8.self), origin: "the file GOOGLE_APPLICATION_CREDENTIALS names")
                source = .serviceAccount(parsed, tokenEndpoint: ProviderAPIClient(settings: settings, baseURL: parsed.tokenURI))
            } else {
                source = .metadataServer(ProviderAPIClient(settings: settings, baseURL: "http://\(metadataHost)", headers: ["Metadata-Flavor": "Google"], maxRetries: 2))
            }
        } catch {
            settings.problem(error.message)
        }
        try settings.validate()
        guard let source else { throw ProviderError(.configuration, provider: Self.code, "no Google credentials") }
        let credentials = GoogleCredentials(source: source, project: project)
        self.credentials = credentials
        self.zoneID = zoneID
        allowPrivateZone = allowPrivate == "true"
        api = ProviderAPIClient(settings: settings, baseURL: base, sign: { request in
            request.headers.set("Authorization", "Bearer \(try await credentials.accessToken(doing: "authenticating to Cloud DNS"))")
        })
    }

    /// Reads the name's TXT set, lets `merge` give its new values (nil: nothing to do), and
    /// replaces the set exactly as read; a set that changed meanwhile is read again.
    func replaceTXTValues(_ record: ChallengeRecord, doing: String, merge: @escaping @Sendable ([String]) -> [String]?) async throws {
        _ = try await credentials.accessToken(doing: doing)
        let project = try await credentials.projectID(doing: doing)
        let zone = try await managedZone(record.zone, project: project, doing: doing)
        let name = Self.absolute(record.fqdn)
        let path = "/projects/\(Self.escaped(project))/managedZones/\(Self.escaped(zone))"
        try await RecordSetLock.run("gcloud \(api.baseURL) \(project) \(name)") {
            var refusal = ""
            for _ in 1...Self.attempts {
                let current = try await recordSet(name, at: path, doing: doing)
                guard let values = merge(Self.values(of: current)) else { return }
                var body: [String: JSONValue] = ["kind": "dns#change"]
                if let current { body["deletions"] = [current] }
                if !values.isEmpty {
                    let ttl = current?["ttl"]?.intValue ?? record.ttl
                    body["additions"] = [["kind": "dns#resourceRecordSet", "name": .string(name), "type": "TXT", "ttl": .number(Double(ttl)), "rrdatas": .array(values.map { .string(Self.quoted($0)) })]]
                }
                let response = try await api.send("POST", path + "/changes", json: .object(body), accept: [404, 409, 412], doing: doing)
                guard (200..<300).contains(response.status) else {
                    // The set is not as read any more (deleted, created or changed by another writer).
                    refusal = "\(response.status): \(ProviderAPIClient.message(in: response))"
                    continue
                }
                let made = (try? JSONValue.decode(response.body)) ?? .null
                try await waitUntilDone(made, at: path, doing: doing)
                if merge(Self.values(of: try await recordSet(name, at: path, doing: doing))) == nil { return }
                refusal = "the record set was changed again right after the change was done"
            }
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the TXT record set at \(name) kept changing under us; gave up after \(Self.attempts) attempts (last: \(refusal))")
        }
    }

    /// The name's TXT set as the API has it (exactly, for a deletion), or nil.
    private func recordSet(_ name: String, at path: String, doing: String) async throws -> JSONValue? {
        let sets = try await pages(path + "/rrsets", query: [("name", name), ("type", "TXT")], items: "rrsets", doing: doing)
        return sets.first { $0["name"]?.stringValue?.lowercased() == name && $0["type"]?.stringValue == "TXT" }
    }

    /// Waits for a change the API answered `pending` to be `done`.
    private func waitUntilDone(_ change: JSONValue, at path: String, doing: String) async throws {
        guard var status = change["status"]?.stringValue, status != "done", let id = change["id"]?.stringValue else { return }
        var pause = Duration.milliseconds(200)
        let deadline = ContinuousClock.now + .seconds(120)
        while status != "done" {
            guard ContinuousClock.now < deadline else {
                throw ProviderError(.rejected, provider: Self.code, "\(doing): change \(id) was still \(status) after 2 minutes")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(3))
            status = try await api.json("GET", path + "/changes/\(Self.escaped(id))", doing: doing)["status"]?.stringValue ?? "done"
        }
    }

    /// The managed zone for `zone`: GCE_ZONE_ID, else the project's zone with that DNS name
    /// (public ones only, unless GCE_ALLOW_PRIVATE_ZONE=true).
    private func managedZone(_ zone: String, project: String, doing: String) async throws -> String {
        if let zoneID { return zoneID }
        let dnsName = Self.absolute(zone)
        if let known = zoneIDs.get("\(project) \(dnsName)") { return known }
        let zones = try await pages("/projects/\(Self.escaped(project))/managedZones", query: [("dnsName", dnsName)], items: "managedZones", doing: doing)
        let usable = zones.filter { $0["dnsName"]?.stringValue?.lowercased() == dnsName && (allowPrivateZone || ($0["visibility"]?.stringValue ?? "public") == "public") }
        guard let name = usable.first?["name"]?.stringValue else {
            let privateOnly = !zones.isEmpty && !allowPrivateZone
            throw ProviderError(.rejected, provider: Self.code, "\(doing): project \(project) has no \(allowPrivateZone ? "" : "public ")managed zone for \(dnsName)\(privateOnly ? " (only a private one: set GCE_ALLOW_PRIVATE_ZONE=true to use it with a private ACME server)" : "") — or name the managed zone with GCE_ZONE_ID")
        }
        zoneIDs.set("\(project) \(dnsName)", name)
        return name
    }

    /// Every item of a paginated list (following nextPageToken).
    private func pages(_ path: String, query: [(String, String)], items: String, doing: String) async throws -> [JSONValue] {
        var found: [JSONValue] = []
        var token: String?
        for _ in 0..<1000 {
            let page = try await api.json("GET", path, query: query + (token.map { [("pageToken", $0)] } ?? []), doing: doing)
            found += page[items]?.arrayValue ?? []
            token = page["nextPageToken"]?.stringValue
            guard let next = token, !next.isEmpty else { return found }
        }
        throw ProviderError(.rejected, provider: Self.code, "\(doing): the API's list at \(path) did not end after 1000 pages")
    }

    /// The unquoted values of a TXT set.
    static func values(of set: JSONValue?) -> [String] {
        (set?["rrdatas"]?.arrayValue ?? []).compactMap(\.stringValue).map(unquoted)
    }

    static func quoted(_ value: String) -> String { "\"\(value)\"" }

    static func unquoted(_ data: String) -> String {
        data.count >= 2 && data.hasPrefix("\"") && data.hasSuffix("\"") ? String(data.dropFirst().dropLast()) : data
    }

    /// `Example.com` → `example.com.` (Cloud DNS names end with a dot).
    static func absolute(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix(".") ? lower : lower + "."
    }

    /// A path segment with anything but unreserved characters percent-encoded.
    static func escaped(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? segment
    }
}
