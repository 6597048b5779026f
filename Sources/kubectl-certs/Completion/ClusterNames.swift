import CertCore
import Foundation
import Logging
import Synchronization

/// Names completion takes from the kubeconfig and the cluster, for the `--kubeconfig`,
/// `--context` and `-n` already on the command line. Each answer costs at most one request,
/// bounded by `timeout`; any failure is an empty answer, never a message.
struct ClusterNames: Sendable {
    var kubeconfig: String?
    var context: String?
    var namespace: String?
    var environment: [String: String]
    var timeout: Duration = .seconds(2)

    private var options: KubeConfigOptions {
        KubeConfigOptions(kubeconfig: kubeconfig, context: context, namespace: namespace)
    }

    /// The contexts of the kubeconfig files kubectl would load (no request).
    func contexts() -> [String] {
        let merged = try? KubeConfigLoader.merged(options, environment: KubeConfigLoader.Environment(variables: environment))
        return merged?.config.contexts.map(\.name) ?? []
    }

    func namespaces() async -> [String] {
        await within(timeout) { client in try await client.listNames(.namespaces, namespace: nil) }
    }

    /// The names of the objects of `type` in the namespace (`-n`, else the context's).
    func names(of type: ResourceType) async -> [String] {
        await within(timeout) { client in try await client.listNames(type, namespace: type.namespaced ? client.connection.namespace : nil) }
    }

    /// Runs `work` with a client, giving up after `limit` (a request that hangs past its own
    /// timeout, a credential plugin that never answers) with no names.
    private func within(_ limit: Duration, _ work: @escaping @Sendable (KubernetesClient) async throws -> [String]) async -> [String] {
        let environment = KubeConfigLoader.Environment(variables: environment)
        let silent = Logger(label: "kubectl-certs.completion") { _ in SwiftLogNoOpLogHandler() }
        guard let connection = try? KubeConfigLoader.connection(options, environment: environment) else { return [] }
        let client = KubernetesClient(connection: connection, requestTimeout: limit, rate: .kubectl, logger: silent)
        let answer = Answer()
        return await withCheckedContinuation { continuation in
            answer.waiting(continuation)
            let work = Task { answer.give((try? await work(client)) ?? []) }
            Task {
                try? await Task.sleep(for: limit + .milliseconds(500))
                work.cancel()
                answer.give([])
            }
        }
    }

    /// The first of the two answers (the names, or the deadline's nothing) resumes the waiter.
    private final class Answer: Sendable {
        private let continuation = Mutex<CheckedContinuation<[String], Never>?>(nil)

        func waiting(_ waiter: CheckedContinuation<[String], Never>) {
            continuation.withLock { $0 = waiter }
        }

        func give(_ names: [String]) {
            continuation.withLock { waiter in
                waiter?.resume(returning: names)
                waiter = nil
            }
        }
    }
}
