@testable import CertCore
import Testing

/// Numbers too large (or not numbers at all) are refused with an error, never trap.
@Suite struct NumberBoundsTests {
    @Test(arguments: ["1e16", "99999999999999999h", "1e300", "inf", "nan", "-0.5", "876001h", "36501d", "1e400s", "5000000000000000000ms"])
    func outOfRangeDurationsAreRefused(text: String) {
        let error = #expect(throws: DurationParseError.self) { try Duration(parsing: text) }
        #expect(error?.description.contains("\"\(text)\"") == true)
    }

    @Test func aHundredYearsIsTheLongestDuration() throws {
        #expect(try Duration(parsing: "876000h").seconds == 876_000 * 3600)
        #expect(try Duration(parsing: "36500d") == Duration(parsing: "876000h"))
        let error = #expect(throws: DurationParseError.self) { try Duration(parsing: "1e16") }
        #expect(error?.description.contains("100 years") == true)
    }

    @Test(arguments: [Double(Int.max), 1e300, -1e300, 2048.5, .infinity, .nan])
    func numbersThatAreNoIntAreNil(value: Double) {
        #expect(JSONValue.number(value).intValue == nil)
    }

    @Test func wholeNumbersAreInts() {
        #expect(JSONValue.number(4096).intValue == 4096)
        #expect(JSONValue.string("4096").intValue == nil)
    }

    @Test func aCertificatesHugeKeySizeIsKeptAsUnreadable() {
        var certificate = CertManagerCertificate(name: "web", namespace: "default")
        certificate.object[["spec"]] = ["privateKey": ["algorithm": "RSA", "size": .number(Double(Int.max))]]
        #expect(certificate.privateKey.size == nil)
        #expect(certificate.privateKey.unreadableSize != nil)
    }

    @Test func aLeasesHugeDurationIsNil() {
        var lease = Lease(name: "l", namespace: "default")
        lease.object[["spec"]] = ["leaseDurationSeconds": .number(1e300)]
        #expect(lease.leaseDurationSeconds == nil)
    }

    @Test func veryLongDurationsHaveSaturatedMilliseconds() {
        #expect(Duration.seconds(Int64.max).milliseconds == Int.max)
        #expect(Duration.seconds(2).milliseconds == 2000)
    }
}
