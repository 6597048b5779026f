import CertCore
import DNS01
import Foundation
import Logging

/// What every command sets up from the global flags: logging on stderr at the chosen
/// verbosity, colour, and the Kubernetes client.
struct CommandContext {
    var global: GlobalOptions

    init(_ global: GlobalOptions) {
        self.global = global
        Self.bootstrapLogging(verbosity: global.verbose)
    }

    /// Colour only on a terminal, and never under NO_COLOR or --no-color.
    func colour(for stream: Int32) -> Bool {
        !global.noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(stream) == 1
    }

    func kubernetesClient() throws -> KubernetesClient {
        // As kubectl: no flag, the default bound; 0, no bound at all.
        let timeout = try global.requestTimeout.map { try Duration(parsing: $0) } ?? KubernetesClient.defaultRequestTimeout
        var logger = Logger(label: "kubectl-certs.kubernetes")
        logger.logLevel = Self.level(global.verbose)
        return try KubernetesClient(options: KubeConfigOptions(kubeconfig: global.kubeconfig, context: global.context, namespace: global.namespace), requestTimeout: timeout == .zero ? nil : timeout, logger: logger)
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

    private static let bootstrapOnce: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
    }()

    private static func bootstrapLogging(verbosity: Int) {
        _ = bootstrapOnce
    }
}

extension CommandFailure {
    /// The exit status the contract gives each kind of failure.
    init(_ error: any Error) {
        switch error {
        case let error as CommandFailure:
            self = error
        case let error as KubernetesError:
            switch error.kind {
            case .unauthorized, .forbidden: self.init(message: error.message, exitStatus: .accessRefused)
            case .configuration: self.init(message: error.message, exitStatus: .usage)
            default: self.init(message: error.message)
            }
        case let error as PropagationTimeoutError:
            self.init(message: error.description, exitStatus: .propagationTimedOut)
        case let error as ACMEError:
            self.init(message: error.description, exitStatus: error.kind == .problem || error.kind == .validationFailed ? .acmeRefused : .error)
        default:
            self.init(message: "\(error)")
        }
    }
}
