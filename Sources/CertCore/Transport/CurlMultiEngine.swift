import Foundation
import Synchronization
internal import CCurl

/// Drives libcurl's multi interface on a thread of its own, so no transfer ever blocks
/// Swift's cooperative thread pool. Requests arrive through a locked queue; the thread adds
/// them to the multi handle (which pools connections and multiplexes HTTP/2 streams), runs
/// them, and resumes each waiting task with its response.
final class CurlMultiEngine: @unchecked Sendable {
    private struct Inbox {
        var added: [CurlTransfer] = []
        var cancelled: Set<CurlTransfer.ID> = []
        var stopping = false
        /// Set, under the lock, just before the multi handle is freed: from then on nobody may
        /// wake it. Wake-ups happen under the same lock, so none can reach a freed handle.
        var closed = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    /// Only the engine's thread reads or writes this.
    private var running: [CurlTransfer.ID: CurlTransfer] = [:]
    private var thread: Thread?

    init(maxConnectionsPerHost: Int) {
        _ = CurlLibrary.initialized
        guard let multi = curl_multi_init() else { fatalError("libcurl could not create a multi handle (out of memory)") }
        self.multi = multi
        _ = CCurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        _ = CCurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        let thread = Thread { [self] in self.loop() }
        thread.name = "kubectl-certs.http"
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// Hands a transfer to the engine's thread.
    func submit(_ transfer: CurlTransfer) {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.stopping else { return false }
            inbox.added.append(transfer)
            curl_multi_wakeup(multi)
            return true
        }
        if !accepted {
            transfer.continuation.resume(throwing: HTTPError(kind: .cancelled, method: transfer.request.method, url: transfer.request.url, reason: "the HTTP client was shut down"))
        }
    }

    /// Asks the engine's thread to abandon a transfer; its task gets a `.cancelled` error. A
    /// transfer that already ended is left alone.
    func cancel(_ id: CurlTransfer.ID) {
        inbox.withLock { inbox in
            guard !inbox.closed else { return }
            inbox.cancelled.insert(id)
            curl_multi_wakeup(multi)
        }
    }

    /// Finishes what is running, then stops the thread and frees the multi handle.
    func shutdown() {
        inbox.withLock { inbox in
            inbox.stopping = true
            if !inbox.closed { curl_multi_wakeup(multi) }
        }
    }

    private func loop() {
        while true {
            let (added, cancelled, stopping) = inbox.withLock { inbox in
                defer { inbox.added.removeAll(); inbox.cancelled.removeAll() }
                return (inbox.added, inbox.cancelled, inbox.stopping)
            }
            // Cancels first: a transfer cancelled before it was added ends without starting.
            for id in cancelled {
                guard let transfer = running.removeValue(forKey: id) else { continue }
                curl_multi_remove_handle(multi, transfer.handle)
                Self.resumeCancelled(transfer)
            }
            for transfer in added {
                if cancelled.contains(transfer.id) {
                    Self.resumeCancelled(transfer)
                    continue
                }
                running[transfer.id] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            }
            if stopping && running.isEmpty { break }

            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            collectFinished()
            if running.isEmpty && !stopping {
                // Nothing in flight: sleep until a request arrives.
                curl_multi_poll(multi, nil, 0, 60_000, nil)
            } else {
                curl_multi_poll(multi, nil, 0, 1000, nil)
            }
        }
        inbox.withLock { $0.closed = true }
        curl_multi_cleanup(multi)
    }

    private static func resumeCancelled(_ transfer: CurlTransfer) {
        transfer.continuation.resume(throwing: HTTPError(kind: .cancelled, method: transfer.request.method, url: transfer.request.url, reason: "the request was cancelled"))
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = CCurl_message_result(message)
            var context: UnsafeMutableRawPointer?
            _ = CCurl_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &context)
            guard let context else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            curl_multi_remove_handle(multi, handle)
            running.removeValue(forKey: transfer.id)
            transfer.continuation.resume(with: transfer.result(code: code).mapError { $0 as any Error })
        }
    }
}
