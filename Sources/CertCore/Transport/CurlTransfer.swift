import Foundation
import Synchronization
internal import CCurl

/// One request in flight: owns its curl easy handle and collects the response. After it is
/// handed to the engine, only the engine's thread touches it, which is why it may be
/// `@unchecked Sendable`.
final class CurlTransfer: @unchecked Sendable {
    /// A number no other transfer of this process has or will have: a cancel that arrives
    /// after its transfer ended can never match a later one (an object's address can).
    typealias ID = UInt64
    let id: ID = CurlTransfer.nextID.add(1, ordering: .relaxed).newValue
    private static let nextID = Atomic<UInt64>(0)
    let handle: UnsafeMutableRawPointer
    let request: HTTPRequest
    let continuation: CheckedContinuation<HTTPResponse, any Error>
    /// Header, CONNECT_TO and RESOLVE lists curl reads during the transfer; freed in deinit.
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    private(set) var body = Data()
    private(set) var headers = HTTPHeaders()
    private let started = ContinuousClock.now

    init(
        request: HTTPRequest,
        settings: CurlSettings,
        continuation: CheckedContinuation<HTTPResponse, any Error>
    ) throws(HTTPError) {
        guard let handle = curl_easy_init() else {
            throw HTTPError(kind: .other, method: request.method, url: request.url, reason: "libcurl could not create a handle")
        }
        self.handle = handle
        self.request = request
        self.continuation = continuation
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configure(settings)
    }

    deinit {
        curl_easy_cleanup(handle)
        lists.forEach { curl_slist_free_all($0) }
        errorBuffer.deallocate()
    }

    private func configure(_ settings: CurlSettings) throws(HTTPError) {
        var url = request.url
        var headers = request.headers
        // A TLS server name unlike the URL's host: connect to the URL's host, but speak TLS
        // (SNI and verification) as the server name, and keep the Host header the URL's.
        if let serverName = settings.serverName, let target = RequestTarget(url) {
            url = target.replacingHost(with: serverName)
            try set(CURLOPT_CONNECT_TO, list: ["\(serverName):\(target.port):\(target.hostForConnectTo):\(target.port)"])
            if headers["Host"] == nil { headers.set("Host", target.hostHeader) }
        }
        if let address = request.connectAddress, let target = RequestTarget(url) {
            let literal = address.contains(":") ? "[\(address)]" : address
            try set(CURLOPT_RESOLVE, list: ["\(target.host):\(target.port):\(literal)"])
        }
        try set(CURLOPT_URL, url)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeRawPointer(errorBuffer))
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_PRIVATE, pointer: Unmanaged.passUnretained(self).toOpaque())
        try set(CURLOPT_USERAGENT, settings.userAgent)
        try set(CURLOPT_ACCEPT_ENCODING, "")
        try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        try set(CURLOPT_PIPEWAIT, 1)
        try set(CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMilliseconds)
        if let timeout = request.timeout?.milliseconds ?? settings.timeoutMilliseconds {
            try set(CURLOPT_TIMEOUT_MS, timeout)
        }
        if let proxy = settings.proxy { try set(CURLOPT_PROXY, proxy) }
        if settings.insecureSkipVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let caBundle = settings.caBundle { try set(CURLOPT_CAINFO_BLOB, blob: caBundle) }
        if let identity = settings.clientIdentity {
            try set(CURLOPT_SSLCERTTYPE, "PEM")
            try set(CURLOPT_SSLCERT_BLOB, blob: identity.certificatePEM)
            try set(CURLOPT_SSLKEYTYPE, "PEM")
            try set(CURLOPT_SSLKEY_BLOB, blob: identity.privateKeyPEM)
        }

        switch request.method {
        case "GET": break
        case "HEAD": try set(CURLOPT_NOBODY, 1)
        case "POST": try set(CURLOPT_POST, 1)
        default: try set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        // A POST always sends its body from memory: without one curl would read stdin.
        if let body = request.body ?? (request.method == "POST" ? Data() : nil) {
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
            // COPYPOSTFIELDS copies the bytes, so they need not outlive this call.
            let code = body.withUnsafeBytes { bytes in
                CCurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress ?? UnsafeRawPointer(errorBuffer))
            }
            try check(code, CURLOPT_COPYPOSTFIELDS)
            // curl would otherwise add "Expect: 100-continue" to larger bodies and wait for it.
            if headers["Expect"] == nil { headers.add("Expect", "") }
        }
        // "Name:" with nothing after it removes a header curl would add by itself.
        let lines = headers.map { field in field.value.isEmpty ? "\(field.name):" : "\(field.name): \(field.value)" }
        if !lines.isEmpty { try set(CURLOPT_HTTPHEADER, list: lines) }

        let context = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_WRITEFUNCTION, callback: { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data, length > 0 {
                transfer.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
            }
            return length
        })
        try set(CURLOPT_WRITEDATA, pointer: context)
        try set(CURLOPT_HEADERFUNCTION, callback: { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data {
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                transfer.receivedHeaderLine(line)
            }
            return length
        })
        try set(CURLOPT_HEADERDATA, pointer: context)
    }

    private func receivedHeaderLine(_ raw: String) {
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new status line (after 100 Continue, or a proxy's CONNECT answer) starts over.
            headers = HTTPHeaders()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        headers.add(name, value)
    }

    /// The response, or the error, once curl reports the transfer done.
    func result(code: CURLcode) -> Result<HTTPResponse, HTTPError> {
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let reason = detail.isEmpty ? curlDescription(code) : detail
            return .failure(HTTPError(kind: HTTPError.Kind(curlCode: code, detail: reason), method: request.method, url: request.url, reason: reason))
        }
        var status = 0
        _ = CCurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var version = 0
        _ = CCurl_easy_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        let versionText: String
        switch version {
        case Int(CURL_HTTP_VERSION_2_0): versionText = "2"
        case Int(CURL_HTTP_VERSION_1_0): versionText = "1.0"
        case Int(CURL_HTTP_VERSION_3): versionText = "3"
        default: versionText = "1.1"
        }
        return .success(HTTPResponse(status: status, headers: headers, body: body, httpVersion: versionText, duration: ContinuousClock.now - started))
    }

    // MARK: typed option setters (curl_easy_setopt is variadic)

    private func check(_ code: CURLcode, _ option: CURLoption) throws(HTTPError) {
        guard code == CURLE_OK else {
            throw HTTPError(kind: .invalidRequest, method: request.method, url: request.url,
                            reason: "libcurl refused option \(option.rawValue): \(curlDescription(code))")
        }
    }

    private func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(CCurl_easy_setopt_long(handle, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws(HTTPError) {
        // curl copies string options.
        try check(value.withCString { CCurl_easy_setopt_pointer(handle, option, $0) }, option)
    }

    private func set(_ option: CURLoption, pointer: UnsafeRawPointer) throws(HTTPError) {
        try check(CCurl_easy_setopt_pointer(handle, option, pointer), option)
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer) throws(HTTPError) {
        try check(CCurl_easy_setopt_pointer(handle, option, UnsafeRawPointer(pointer)), option)
    }

    private func set(_ option: CURLoption, offset: curl_off_t) throws(HTTPError) {
        try check(CCurl_easy_setopt_off(handle, option, offset), option)
    }

    private func set(_ option: CURLoption, blob: Data) throws(HTTPError) {
        let code = blob.withUnsafeBytes { CCurl_easy_setopt_blob(handle, option, $0.baseAddress, $0.count) }
        try check(code, option)
    }

    private func set(_ option: CURLoption, callback: CCurlDataCallback) throws(HTTPError) {
        try check(CCurl_easy_setopt_callback(handle, option, callback), option)
    }

    private func set(_ option: CURLoption, list: [String]) throws(HTTPError) {
        var slist: UnsafeMutablePointer<curl_slist>?
        for item in list { slist = curl_slist_append(slist, item) }
        if let slist { lists.append(slist) }
        try check(CCurl_easy_setopt_pointer(handle, option, UnsafeRawPointer(slist)), option)
    }
}

/// The client-wide part of a transfer's set-up, computed once per client.
struct CurlSettings: Sendable {
    var caBundle: Data?
    var clientIdentity: HTTPClientConfiguration.ClientIdentity?
    var insecureSkipVerify: Bool
    var serverName: String?
    var proxy: String?
    var connectTimeoutMilliseconds: Int
    var timeoutMilliseconds: Int?
    var userAgent: String
}

/// The parts of a URL needed to redirect the TLS name while keeping where it connects.
struct RequestTarget {
    var components: URLComponents
    var host: String
    var port: Int

    init?(_ url: String) {
        guard let components = URLComponents(string: url), let host = components.host else { return nil }
        self.components = components
        self.host = host
        self.port = components.port ?? (components.scheme == "http" ? 80 : 443)
    }

    /// IPv6 literals are written in brackets in CONNECT_TO.
    var hostForConnectTo: String { host.contains(":") ? "[\(host)]" : host }

    var hostHeader: String {
        let defaultPort = components.scheme == "http" ? 80 : 443
        return port == defaultPort ? hostForConnectTo : "\(hostForConnectTo):\(port)"
    }

    func replacingHost(with name: String) -> String {
        var copy = components
        copy.host = name
        copy.port = port
        return copy.string ?? components.string ?? ""
    }
}
