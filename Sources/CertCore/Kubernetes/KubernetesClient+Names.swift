import Foundation

extension KubernetesClient {
    /// The names of up to `limit` objects of `type` (one request, no paging), as shell
    /// completion wants them: asked as metadata only (`PartialObjectMetadataList`), so a list
    /// of Secrets carries no Secret data; a server that cannot answer so answers the full list.
    public func listNames(_ type: ResourceType, namespace: String?, limit: Int = 500) async throws(KubernetesError) -> [String] {
        let accept = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io, application/json"
        let response = try await send("GET", type.path(namespace: namespace), query: [("limit", String(limit))], accept: accept)
        guard let body = try? JSONValue.decode(response.body) else {
            throw KubernetesError(kind: .server, message: "the API server's list of \(type.plural) is not JSON")
        }
        return (body["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
    }
}
