import CertCore
import DNS01
import Providers

/// The exit codes of the command surface; scripts and CI rely on them.
enum ExitStatus: Int32 {
    case ok = 0
    case error = 1
    case usage = 2
    case problemsFound = 3
    case accessRefused = 4
    case acmeRefused = 5
    case propagationTimedOut = 6
    case interrupted = 130
}

/// A failure the CLI reports on stderr as `error: <message>` and exits with its status.
struct CommandFailure: Error {
    var message: String
    var exitStatus: ExitStatus = .error
}

extension CommandFailure {
    /// The one table from errors to the exit codes of the contract.
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
        case let error as ProviderError:
            switch error.code {
            case .configuration: self.init(message: error.message, exitStatus: .usage)
            case .credentialsRefused: self.init(message: error.message, exitStatus: .accessRefused)
            default: self.init(message: error.message)
            }
        case let error as DNSError:
            switch error.code {
            case .invalidInput: self.init(message: error.message, exitStatus: .usage)
            case .tsig where error.tsigError == 16 || error.tsigError == 17: self.init(message: error.message, exitStatus: .accessRefused)
            default: self.init(message: error.message)
            }
        case let error as PropagationTimeoutError:
            self.init(message: error.description, exitStatus: .propagationTimedOut)
        case let error as ACMEError:
            self.init(message: error.description, exitStatus: error.kind == .problem || error.kind == .validationFailed ? .acmeRefused : .error)
        case let error as HTTPError:
            self.init(message: error.description, exitStatus: error.kind == .cancelled ? .interrupted : .error)
        default:
            self.init(message: "\(error)")
        }
    }
}
