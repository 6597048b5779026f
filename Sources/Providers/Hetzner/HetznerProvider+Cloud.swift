internal import CertCore
internal import DNS01
internal import Foundation

/// The Hetzner Cloud API's DNS: the TXT RRset at a name gains or loses one value through the
/// RRset's `add_records` / `remove_records` actions (no read-merge-write: the API merges), and
/// each action is waited for until it reports success. The zone is addressed by its name.
extension HetznerProvider {
    /// How long an action may stay "running" before the change is given up.
    static let actionTimeout = Duration.seconds(60)

    func changeCloudRRset(_ record: ChallengeRecord, adding: Bool, doing: String) async throws {
        let zone = Self.bare(record.zone)
        let path = "/zones/\(zone)/rrsets/\(Self.relative(record.fqdn, in: record.zone))/TXT/actions/\(adding ? "add_records" : "remove_records")"
        // TXT values go quoted, in presentation format, as the Cloud API takes them.
        let values: JSONValue = [["value": .string("\"\(record.value)\"")]]
        let body: JSONValue = adding ? ["ttl": .number(Double(max(record.ttl, 60))), "records": values] : ["records": values]
        // Removing from an RRset that is already gone (404) is what cleanup wants.
        let response = try await api.send("POST", path, json: body, accept: adding ? [] : [404], doing: doing)
        guard response.status != 404 else { return }
        guard let id = (try? JSONValue.decode(response.body))?["action"]?["id"]?.numberValue else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the API answered \(response.status) without an action: \(ProviderAPIClient.start(of: response.text))")
        }
        try await waitForAction(Int(id), doing: doing)
    }

    /// Polls the action until it succeeds; its error, or running past `actionTimeout`, fails the change.
    private func waitForAction(_ id: Int, doing: String) async throws {
        let deadline = ContinuousClock.now + Self.actionTimeout
        var pause = Duration.milliseconds(200)
        while true {
            let action = try await api.json("GET", "/actions/\(id)", doing: doing)["action"]
            switch action?["status"]?.stringValue {
            case "success":
                return
            case "error":
                let said = action?["error"]?["message"]?.stringValue ?? "no reason given"
                throw ProviderError(.rejected, provider: Self.code, "\(doing): the API's action \(id) failed: \(said)")
            default:
                guard ContinuousClock.now + pause < deadline else {
                    throw ProviderError(.rejected, provider: Self.code, "\(doing): the API's action \(id) was still running after \(Self.actionTimeout)")
                }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }
}
