public import DNS01
internal import CertCore
internal import Foundation

/// Amazon Route 53 through its REST API (`/2013-04-01/…`, XML, Signature Version 4).
///
/// Route 53 has no "append a value": a TXT record set is replaced whole (UPSERT) or deleted
/// whole (DELETE, which must match the current set exactly). So presenting and cleaning up are
/// read-merge-write, serialized per name within this process and checked by reading again
/// afterwards; a DELETE that no longer matches (another writer changed the set) is retried from
/// a fresh read. Each change is waited for until Route 53 reports it INSYNC.
public struct Route53Provider: DNSProviderAdapter {
    public static let code = "route53"
    var api: AWSAPI
    var hostedZoneID: String?
    var privateZone: Bool
    /// How long a change may stay PENDING, and the longest pause between two GetChange calls.
    var changeTimeout: Duration
    var pollingInterval: Duration

    static let apiVersion = "/2013-04-01"

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let configuration = try Route53Configuration(settings: &settings)
        let credentials = AWSCredentialProvider(source: configuration.source, stsEndpoint: configuration.stsEndpoint, region: configuration.region, maxRetries: configuration.maxRetries)
        api = AWSAPI(name: "Route 53", signingName: "route53", region: configuration.route53SigningRegion, endpoint: configuration.route53Endpoint, credentials: credentials, maxRetries: configuration.maxRetries)
        hostedZoneID = configuration.hostedZoneID
        privateZone = configuration.privateZone
        changeTimeout = configuration.tuning.propagationTimeout
        pollingInterval = configuration.tuning.pollingInterval
    }

    public func present(_ record: ChallengeRecord) async throws {
        try await change(record, keep: true)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        try await change(record, keep: false)
    }

    /// A hosted zone: its ID (without `/hostedzone/`) and its name, for messages.
    struct HostedZone: Equatable {
        var id: String
        var name: String
    }

    /// A TXT record set as Route 53 holds it: values exactly as it returns them (quoted).
    struct RecordSet: Equatable {
        var ttl: Int
        var values: [String]
    }

    /// Makes the TXT set at the record's name hold (`keep`) or not hold its value, leaving every
    /// other value as it is.
    private func change(_ record: ChallengeRecord, keep: Bool) async throws {
        let zone = try await hostedZone(for: record)
        let doing = "\(keep ? "adding" : "deleting") TXT \"\(record.value)\" at \(record.fqdn) in hosted zone \(zone.name) (\(zone.id))"
        try await RecordSetLock.run("\(Self.code) \(api.endpoint) \(zone.id) \(record.fqdn)") {
            for _ in 0..<5 {
                let current = try await recordSet(at: record.fqdn, in: zone, doing: doing)
                if Self.holds(current, record.value) == keep { return }
                let action: String
                let wanted: RecordSet
                if keep {
                    action = "UPSERT"
                    wanted = RecordSet(ttl: record.ttl, values: (current?.values ?? []) + ["\"\(record.value)\""])
                } else if let current {
                    let rest = current.values.filter { TXTContent.unquoted($0) != record.value }
                    // DELETE names the set exactly as it is now; with other values left, the rest is written instead.
                    action = rest.isEmpty ? "DELETE" : "UPSERT"
                    wanted = rest.isEmpty ? current : RecordSet(ttl: current.ttl, values: rest)
                } else {
                    return
                }
                let body = Self.changeBatch(action: action, name: record.fqdn, set: wanted, comment: "kubectl-certs ACME challenge")
                let outcome = try await api.attempt("POST", "\(Self.apiVersion)/hostedzone/\(zone.id)/rrset/", body: body, contentType: "application/xml", tolerating: ["InvalidChangeBatch"], doing: doing)
                switch outcome {
                case .answer(let answer):
                    try await waitUntilInSync(answer, doing: doing)
                    // Another writer may have replaced the set between our read and our write.
                    if Self.holds(try await recordSet(at: record.fqdn, in: zone, doing: doing), record.value) == keep { return }
                case .tolerated(_, let message):
                    // The set changed since it was read (a DELETE no longer matches): read again.
                    if action != "DELETE" {
                        throw ProviderError(.rejected, provider: Self.code, "\(doing): Route 53 answered InvalidChangeBatch: \(message)")
                    }
                }
            }
            throw ProviderError(.rejected, provider: Self.code, "\(doing): another writer kept changing the record set; try again")
        }
    }

    static func holds(_ set: RecordSet?, _ value: String) -> Bool {
        set?.values.contains { TXTContent.unquoted($0) == value } ?? false
    }

    /// The hosted zone that holds the record: `AWS_HOSTED_ZONE_ID`, else the zone whose name is
    /// the longest suffix of the record's name (ListHostedZonesByName, every page of each name),
    /// public zones only unless `AWS_PRIVATE_ZONE=true` (then private ones only, as lego).
    func hostedZone(for record: ChallengeRecord) async throws -> HostedZone {
        if let hostedZoneID { return HostedZone(id: hostedZoneID, name: record.zone) }
        let doing = "finding the hosted zone of \(record.fqdn) (zone \(record.zone))"
        var candidates: [String] = []
        var name: String? = record.fqdn
        while let current = name, current != "." {
            candidates.append(current)
            name = DNSName.parent(of: current)
        }
        var passedOver: [String] = []
        for candidate in candidates {
            var query = [("dnsname", candidate)]
            for _ in 0..<100 {
                let answer = try await api.call("GET", "\(Self.apiVersion)/hostedzonesbyname", query: query, doing: doing)
                var pastName = false
                for zone in answer.child("HostedZones")?.children("HostedZone") ?? [] {
                    guard DNSName.normalized(zone.text("Name") ?? "") == candidate else {
                        pastName = true
                        break
                    }
                    let id = Self.zoneID(zone.text("Id") ?? "")
                    if (zone.text("Config", "PrivateZone") == "true") == privateZone { return HostedZone(id: id, name: candidate) }
                    passedOver.append("\(candidate) (\(id))")
                }
                // Zones come sorted by name: the next page may hold more of this name.
                guard !pastName, answer.text("IsTruncated") == "true",
                      let next = answer.text("NextDNSName"), DNSName.normalized(next) == candidate,
                      let nextID = answer.text("NextHostedZoneId"), !nextID.isEmpty
                else { break }
                query = [("dnsname", next), ("hostedzoneid", Self.zoneID(nextID))]
            }
        }
        let kind = privateZone ? "private" : "public"
        let names = candidates.count > 1 ? candidates.dropLast().joined(separator: ", ") + " or " + (candidates.last ?? "") : record.fqdn
        var text = "\(doing): no \(kind) hosted zone of this account is named \(names)"
        if !passedOver.isEmpty { text += "; passed over the \(privateZone ? "public" : "private") zone(s) \(passedOver.joined(separator: ", ")) (AWS_PRIVATE_ZONE=\(privateZone ? "false" : "true") uses them)" }
        text += "; set AWS_HOSTED_ZONE_ID to name the zone"
        throw ProviderError(.rejected, provider: Self.code, text)
    }

    static func zoneID(_ text: String) -> String {
        text.hasPrefix("/hostedzone/") ? String(text.dropFirst("/hostedzone/".count)) : text
    }

    /// The TXT record set at `name` (simple routing), or nil when there is none.
    func recordSet(at name: String, in zone: HostedZone, doing: String) async throws -> RecordSet? {
        let answer = try await api.call("GET", "\(Self.apiVersion)/hostedzone/\(zone.id)/rrset", query: [("name", name), ("type", "TXT"), ("maxitems", "10")], doing: doing)
        for set in answer.child("ResourceRecordSets")?.children("ResourceRecordSet") ?? [] {
            guard DNSName.normalized(Self.unescaped(set.text("Name") ?? "")) == name, set.text("Type") == "TXT", set.child("SetIdentifier") == nil else { continue }
            let values = set.child("ResourceRecords")?.children("ResourceRecord").compactMap { $0.text("Value") } ?? []
            return RecordSet(ttl: Int(set.text("TTL") ?? "") ?? 300, values: values)
        }
        return nil
    }

    /// Route 53 writes some characters of names as `\DDD` (octal), e.g. `\052` for `*`.
    static func unescaped(_ name: String) -> String {
        guard name.contains("\\") else { return name }
        var result = ""
        var rest = Substring(name)
        while let slash = rest.firstIndex(of: "\\") {
            result += rest[..<slash]
            let digits = rest[rest.index(after: slash)...].prefix(3)
            if digits.count == 3, let code = UInt8(digits, radix: 8) {
                result.unicodeScalars.append(Unicode.Scalar(code))
                rest = rest[rest.index(slash, offsetBy: 4)...]
            } else {
                result += "\\"
                rest = rest[rest.index(after: slash)...]
            }
        }
        return result + rest
    }

    /// A ChangeResourceRecordSetsRequest with one change.
    static func changeBatch(action: String, name: String, set: RecordSet, comment: String) -> Data {
        let records = set.values.map { "<ResourceRecord><Value>\(AWSXML.escaped($0))</Value></ResourceRecord>" }.joined()
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch>\
            <Comment>\(AWSXML.escaped(comment))</Comment><Changes><Change><Action>\(action)</Action><ResourceRecordSet>\
            <Name>\(AWSXML.escaped(name))</Name><Type>TXT</Type><TTL>\(set.ttl)</TTL><ResourceRecords>\(records)</ResourceRecords>\
            </ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>
            """
        return Data(xml.utf8)
    }

    /// Polls GetChange until the change is INSYNC, at most `changeTimeout`.
    private func waitUntilInSync(_ answer: AWSXML, doing: String) async throws {
        guard let info = answer.first("ChangeInfo"), let id = info.text("Id").map({ $0.split(separator: "/").last.map(String.init) ?? $0 }), !id.isEmpty else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): Route 53 accepted the change but answered without a ChangeInfo Id")
        }
        var status = info.text("Status") ?? ""
        let deadline = ContinuousClock.now + changeTimeout
        var pause = min(Duration.seconds(1), pollingInterval)
        while status != "INSYNC" {
            guard ContinuousClock.now + pause <= deadline else {
                throw ProviderError(.rejected, provider: Self.code, "\(doing): change \(id) was still \(status.isEmpty ? "not INSYNC" : status) after \(changeTimeout) (AWS_PROPAGATION_TIMEOUT)")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, pollingInterval)
            status = try await api.call("GET", "\(Self.apiVersion)/change/\(id)", doing: "\(doing), waiting for change \(id)").text("ChangeInfo", "Status") ?? ""
        }
    }
}
