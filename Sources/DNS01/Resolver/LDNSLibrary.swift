internal import CLDNS

/// Facts about the ldns library this program runs with.
public enum LDNSLibrary {
    /// The version of the linked library (e.g. "1.8.3").
    public static var version: String {
        String(cString: ldns_version())
    }
}
