internal import CCurl

/// Facts about the libcurl this program runs with, and its one-time global set-up.
public enum CurlLibrary {
    /// The version of the linked library with its TLS and HTTP/2 back-ends,
    /// e.g. "7.88.1 (OpenSSL/3.0.15, nghttp2/1.52.0)".
    public static var version: String {
        guard let info = CCurl_version_info() else { return "unknown" }
        var parts: [String] = []
        if let ssl = info.pointee.ssl_version { parts.append(String(cString: ssl)) }
        if let nghttp2 = info.pointee.nghttp2_version { parts.append("nghttp2/" + String(cString: nghttp2)) }
        let base = String(cString: info.pointee.version)
        return parts.isEmpty ? base : "\(base) (\(parts.joined(separator: ", ")))"
    }

    /// The CA bundle libcurl uses by default (e.g. /etc/ssl/certs/ca-certificates.crt).
    static var defaultCABundlePath: String? {
        guard let handle = curl_easy_init() else { return nil }
        defer { curl_easy_cleanup(handle) }
        var path: UnsafeMutablePointer<CChar>?
        guard CCurl_easy_getinfo_string(handle, CURLINFO_CAINFO, &path) == CURLE_OK, let path else { return nil }
        return String(cString: path)
    }

    /// curl_global_init must run once, before any other thread uses libcurl.
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()
}
