import CertCore
import Testing

/// Plain HTTP is for test servers on this machine only: the URL's host, properly parsed,
/// must be localhost, 127.0.0.0/8 or ::1.
@Suite struct ACMEServerLoopbackTests {
    @Test(arguments: [
        "http://localhost/dir", "http://localhost:14000/dir", "http://LOCALHOST:14000/dir", "http://127.0.0.1:14000/dir",
        "http://127.1.2.3/dir", "http://[::1]:14000/dir", "https://acme.example.org/directory", "https://localhost.evil.net/dir",
    ])
    func accepts(url: String) throws {
        #expect(try ACMEServer(url).directoryURL == url)
    }

    @Test(arguments: [
        "http://localhost.evil.net/", "http://localhost.evil.net:80/dir", "http://127.0.0.1.evil.net/dir", "http://127.evil.net/dir",
        "http://localhost@evil.net/dir", "http://127.0.0.1@evil.net/dir", "http://localhostevil.net/dir", "http://[::2]/dir",
        "http://128.0.0.1/dir", "http://127.0.0.256/dir", "http://example.org/dir", "http:///dir", "https:///dir", "ftp://localhost/dir",
    ])
    func refuses(url: String) {
        let error = #expect(throws: ACMEError.self) { try ACMEServer(url) }
        #expect(error?.message.contains("https://") == true)
    }
}
