import Foundation
public import Logging
import Synchronization

/// An HTTP/1.1 and HTTP/2 client over libcurl. Requests from any task share one pool of
/// connections; TLS trust and client identity come from memory. Safe to use concurrently.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let engine: CurlMultiEngine
    private let settings: CurlSettings
    private let logger: Logger

    public init(configuration: HTTPClientConfiguration = .init(), logger: Logger = Logger(label: "kubectl-certs.http")) throws(HTTPClientSetupError) {
        self.configuration = configuration
        self.logger = logger
        self.settings = CurlSettings(
            caBundle: try Self.caBundle(for: configuration.trust),
            clientIdentity: configuration.clientIdentity,
            insecureSkipVerify: configuration.insecureSkipVerify,
            serverName: configuration.serverName,
            proxy: configuration.proxy,
            connectTimeoutMilliseconds: configuration.connectTimeout.milliseconds,
            timeoutMilliseconds: configuration.timeout?.milliseconds,
            userAgent: configuration.userAgent
        )
        self.engine = CurlMultiEngine(maxConnectionsPerHost: configuration.maxConnectionsPerHost)
    }

    deinit {
        engine.shutdown()
    }

    /// Sends a request and waits for the whole response. Throws `HTTPError` when no response
    /// came (any HTTP status is a response). Cancelling the task abandons the request.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        logger.debug("\(request.method) \(request.url)")
        let box = TransferBox()
        do {
            let response = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                    let transfer: CurlTransfer
                    do {
                        transfer = try CurlTransfer(request: request, settings: settings, continuation: continuation)
                    } catch {
                        continuation.resume(throwing: error)
                        return
                    }
                    box.id.withLock { $0 = transfer.id }
                    engine.submit(transfer)
                    if Task.isCancelled { engine.cancel(transfer.id) }
                }
            } onCancel: {
                if let id = box.id.withLock({ $0 }) { engine.cancel(id) }
            }
            logger.debug("\(request.method) \(request.url) -> \(response.status) HTTP/\(response.httpVersion) in \(response.duration)")
            return response
        } catch let error as HTTPError {
            logger.debug("\(request.method) \(request.url) failed: \(error.reason)")
            throw error
        } catch {
            throw HTTPError(kind: .other, method: request.method, url: request.url, reason: "\(error)")
        }
    }

    private final class TransferBox: Sendable {
        let id = Mutex<CurlTransfer.ID?>(nil)
    }

    private static func caBundle(for trust: HTTPClientConfiguration.Trust) throws(HTTPClientSetupError) -> Data? {
        switch trust {
        case .system:
            return nil
        case .only(let pem):
            return pem
        case .systemAnd(let pem):
            guard let path = CurlLibrary.defaultCABundlePath,
                  let system = FileManager.default.contents(atPath: path) else {
                throw HTTPClientSetupError(message: "the system's CA bundle could not be read (libcurl names \(CurlLibrary.defaultCABundlePath ?? "none")); install ca-certificates")
            }
            return system + Data("\n".utf8) + pem
        }
    }
}

/// The client could not be set up from its configuration.
public struct HTTPClientSetupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
