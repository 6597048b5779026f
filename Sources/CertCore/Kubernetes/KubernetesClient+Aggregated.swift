extension KubernetesClient {
    /// POSTs `body` to `path` on the API server and returns its JSON answer: for APIs that are
    /// not objects, such as a cert-manager webhook solver served through an aggregated API
    /// (`/apis/<group>/v1alpha1/<solver>`).
    public func post(_ path: String, body: JSONValue) async throws(KubernetesError) -> JSONValue {
        try await request("POST", path, body: body)
    }
}
