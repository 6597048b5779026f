import CertCore
import DNS01
import Foundation
import Logging
import Synchronization

/// What every command sets up from the global flags: logging on stderr at the chosen
/// verbosity, colour, and the Kubernetes client.
struct CommandContext {
    var global: GlobalOptions

    init(_ global: GlobalOptions) {
        self.global = global
        Self.bootstrapLogging(verbosity: global.verbose)
    }

    /// Colour only on a terminal, and never under --no-color or a NO_COLOR that is set and not
    /// empty (no-color.org's rule).
    func colour(for stream: Int32) -> Bool {
        !global.noColor && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty && isatty(stream) == 1
    }

    func kubernetesClient(rate: KubernetesClient.RequestRate = .kubectl) throws -> KubernetesClient {
        // As kubectl: no flag, the default bound; 0, no bound at all.
        let timeout = try global.requestTimeout.map { try Duration(parsing: $0) } ?? KubernetesClient.defaultRequestTimeout
        var logger = Logger(label: "kubectl-certs.kubernetes")
        logger.logLevel = Self.level(global.verbose)
        return try KubernetesClient(options: KubeConfigOptions(kubeconfig: global.kubeconfig, context: global.context, namespace: global.namespace), requestTimeout: timeout == .zero ? nil : timeout, rate: rate, logger: logger)
    }

    /// -v: info, -vv: debug (every request with its status and time), -vvv: trace (bodies,
    /// with Secret data and credentials redacted).
    static func level(_ verbosity: Int) -> Logger.Level {
        switch verbosity {
        case 0: return .warning
        case 1: return .info
        case 2: return .debug
        default: return .trace
        }
    }

    /// Every logger of every module — DNS01's and the providers' included — writes to stderr
    /// at the level `-v` chose. The logging system takes one bootstrap per process; a command
    /// runs once per process, so the first command's level holds.
    private static func bootstrapLogging(verbosity: Int) {
        let level = level(verbosity)
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }

    private static let bootstrapped = Mutex(false)
}
