public import DNS01
public import CertCore
internal import Foundation

/// A cert-manager webhook solver already installed in the cluster, called through the API
/// server exactly as cert-manager calls it: `POST /apis/<group>/v1alpha1/<solver>` with an
/// `acme.cert-manager.io/v1alpha1` ChallengePayload; the answer's `success` and
/// `status.message` are the result.
public struct WebhookProvider: DNSProviderAdapter {
    public static let code = "webhook"
    var groupName: String
    var solverName: String
    var config: JSONValue?
    var cluster: ProviderEnvironment.Cluster

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let group = settings.parsed("WEBHOOK_GROUP_NAME", expected: "an API group such as acme.example.com", required: true) { text in
            text.range(of: #"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"#, options: .regularExpression) != nil ? text : nil
        }
        let solver = settings.parsed("WEBHOOK_SOLVER_NAME", expected: "a resource name such as my-dns", required: true) { text in
            text.range(of: #"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"#, options: .regularExpression) != nil ? text : nil
        }
        let config = settings.parsed("WEBHOOK_CONFIG", expected: "a JSON value (the solver's webhook.config)") { try JSONValue.decode(Data($0.utf8)) }
        let cluster = settings.environment.cluster
        if cluster == nil { settings.problem("a webhook solver is called through the cluster's API server, and no cluster is configured (--kubeconfig, --context)") }
        try settings.validate()
        guard let group, let solver, let cluster else { throw ProviderError(.configuration, provider: Self.code, "WEBHOOK_GROUP_NAME, WEBHOOK_SOLVER_NAME and a cluster are needed") }
        self.groupName = group
        self.solverName = solver
        self.config = config
        self.cluster = cluster
    }

    public func present(_ record: ChallengeRecord) async throws {
        try await call("Present", record)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        try await call("CleanUp", record)
    }

    private var path: String { "/apis/\(groupName)/v1alpha1/\(solverName)" }

    private func call(_ action: String, _ record: ChallengeRecord) async throws {
        let uid = UUID().uuidString.lowercased()
        var request: JSONValue = [
            "uid": .string(uid),
            "action": .string(action),
            "type": "dns-01",
            "dnsName": .string(record.domain ?? Self.domain(fromChallengeName: record.fqdn)),
            "key": .string(record.value),
            "resourceNamespace": .string(cluster.resourceNamespace),
            "resolvedFQDN": .string(record.fqdn),
            "resolvedZone": .string(record.zone),
            "allowAmbientCredentials": false,
        ]
        if let config { request["config"] = config }
        let payload: JSONValue = ["apiVersion": "acme.cert-manager.io/v1alpha1", "kind": "ChallengePayload", "request": request]
        let doing = "\(action == "Present" ? "presenting" : "cleaning up") TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone) through \(path)"
        let answer: JSONValue
        do {
            answer = try await cluster.client.post(path, body: payload)
        } catch {
            let code: ProviderError.Code
            switch error.kind {
            case .unauthorized, .forbidden: code = .credentialsRefused
            case .transport: code = .unreachable
            case _ where error.status == 503: code = .unreachable  // the aggregator cannot reach the solver
            default: code = .rejected
            }
            let hint = error.kind == .notFound ? " — is the webhook's APIService for \(groupName) installed, and is the solver named \(solverName)?" : ""
            throw ProviderError(code, provider: Self.code, "\(doing): \(error.message)\(hint)")
        }
        let response = answer["response"]
        guard response?["success"]?.boolValue == true else {
            let message = response?["status"]?["message"]?.stringValue ?? "the solver answered without success and gave no message"
            throw ProviderError(.rejected, provider: Self.code, "\(doing): \(message)")
        }
    }

    /// `_acme-challenge.example.com.` → `example.com`, for a record whose name is all we know.
    static func domain(fromChallengeName fqdn: String) -> String {
        let name = fqdn.hasSuffix(".") ? String(fqdn.dropLast()) : fqdn
        return name.hasPrefix("_acme-challenge.") ? String(name.dropFirst("_acme-challenge.".count)) : name
    }

    /// cert-manager's `webhook` solver: `groupName`, `solverName`, `config`.
    public static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String] {
        var variables: [String: String] = [:]
        variables["WEBHOOK_GROUP_NAME"] = solver["groupName"]?.stringValue
        variables["WEBHOOK_SOLVER_NAME"] = solver["solverName"]?.stringValue
        if let config = solver["config"] { variables["WEBHOOK_CONFIG"] = String(decoding: config.encoded(), as: UTF8.self) }
        return variables
    }
}
