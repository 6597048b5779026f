@testable import kubectl_certs
import CertCore
import Foundation
import Testing

/// The timeline's layout on fixtures with fixed dates and a fixed width.
@Suite struct StatusTimelineTests {
    /// 2027-03-10T12:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_804_680_000)
    static let day: TimeInterval = 86400

    static func row(_ namespace: String, _ name: String, _ state: HealthState, expiresIn: Double?, renewalIn: Double? = nil, reason: String? = nil) -> StatusRow {
        StatusRow(namespace: namespace, name: name, hosts: [], secret: "\(name.split(separator: "/").last!)-tls", state: state, reason: reason,
                  dnsNames: [], notAfter: expiresIn.map { now.addingTimeInterval($0 * day) }, manager: "kubectl-certs",
                  renewalTime: renewalIn.map { now.addingTimeInterval($0 * day) }, uncoveredHosts: [], chain: [], conditions: [])
    }

    /// One of each: healthy, beyond the axis, expired, expiring, invalid, missing — not in
    /// the order the picture shows them.
    static let rows = [
        row("shop", "ingress/store", .valid, expiresIn: 60, renewalIn: 30),
        row("ops", "secret/archive-tls", .valid, expiresIn: 200, renewalIn: 130),
        row("shop", "secret/old-tls", .expired, expiresIn: -4, renewalIn: -34, reason: "expired 4d ago"),
        row("billing", "certificate/api", .expiring, expiresIn: 5, renewalIn: -25),
        row("team", "ingress/admin", .invalid, expiresIn: 40, renewalIn: 10, reason: "tls.key is missing or does not match the certificate"),
        row("shop", "ingress/web", .missing, expiresIn: nil, reason: "Secret web-tls does not exist"),
    ]

    @Test func plainTextOnANinetyDayAxis() {
        let text = StatusTimeline(now: Self.now, width: 80, days: 90, style: .plain).render(Self.rows)
        #expect(text == """
            CERTIFICATE              STATE     Mar 10      Apr 09      May 09        EXPIRES
                                               +-----------+-----------+-----------
            shop/ingress/web         Missing   Secret web-tls does not exist               -
            team/ingress/admin       Invalid   tls.key is missing or does not matc~   in 40d
            shop/secret/old-tls      Expired   expired 4d ago                         4d ago
            billing/certificate/api  Expiring  --                                      in 5d
            shop/ingress/store       Valid     ============|-----------               in 60d
            ops/secret/archive-tls   Valid     ===================================>  in 200d
            left edge: today; | renewal point; - renewal due; > expires after Jun 08

            """)
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func aTerminalGetsBlocksInTheStatesColours() {
        let text = StatusTimeline(now: Self.now, width: 80, days: nil, style: .terminal).render(Array(Self.rows.prefix(4)))
        let (red, yellow, green, reset) = ("\u{1B}[31m", "\u{1B}[33m", "\u{1B}[32m", "\u{1B}[0m")
        #expect(text == """
            CERTIFICATE              STATE     Mar 10      Apr 09      May 09        EXPIRES
                                               ┬───────────┬───────────┬───────────
            shop/secret/old-tls      \(red)Expired\(reset)   expired 4d ago                         4d ago
            billing/certificate/api  \(yellow)Expiring\(reset)  \(yellow)░░\(reset)                                      in 5d
            shop/ingress/store       \(green)Valid\(reset)     \(green)████████████◆░░░░░░░░░░░\(reset)               in 60d
            ops/secret/archive-tls   \(green)Valid\(reset)     \(green)███████████████████████████████████▶\(reset)  in 200d
            left edge: today; ◆ renewal point; ░ renewal due; ▶ expires after Jun 08

            """)
    }

    @Test func withoutDaysTheAxisReachesTheLatestExpiry() {
        let rows = [
            Self.row("web", "ingress/blog", .valid, expiresIn: 45.5, renewalIn: 15.5),
            Self.row("web", "ingress/docs", .expiring, expiresIn: 12, renewalIn: -3),
        ]
        let text = StatusTimeline(now: Self.now, width: 70, days: nil, style: .plain).render(rows)
        // 46 days over 33 columns: a tick every 14 days; the latest bar ends at the edge, no arrow.
        #expect(text == """
            CERTIFICATE       STATE     Mar 10    Mar 24    Apr 07         EXPIRES
                                        +---------+---------+---------+--
            web/ingress/docs  Expiring  ---------                           in 12d
            web/ingress/blog  Valid     ===========|---------------------   in 45d
            left edge: today; | renewal point; - renewal due
            > expires after Apr 25

            """)
    }

    @Test func withNothingToDrawTheAxisIsAWeek() {
        let text = StatusTimeline(now: Self.now, width: 80, days: nil, style: .plain).render([Self.rows[5]])
        #expect(text.hasSuffix("> expires after Mar 17\n"), "\(text)")
        #expect(text.contains("ingress/web"))
    }

    @Test func theRiskiestComeFirstWhateverTheOrderGiven() {
        let picture = StatusTimeline(now: Self.now, width: 100, days: 30, style: .plain)
        let shown = picture.render(Self.rows)
        #expect(picture.render(Self.rows.reversed()) == shown)
        let names = shown.split(separator: "\n").dropFirst(2).dropLast().map { String($0.prefix { $0 != " " }) }
        #expect(names == ["shop/ingress/web", "team/ingress/admin", "shop/secret/old-tls", "billing/certificate/api", "shop/ingress/store", "ops/secret/archive-tls"])
    }

    @Test func aNarrowTerminalCutsTheNamespaceBeforeTheName() {
        let rows = [
            Self.row("a-very-long-namespace-name", "certificate/pay", .valid, expiresIn: 20, renewalIn: 10),
            Self.row("a-very-long-namespace-name", "certificate/payments-gateway", .valid, expiresIn: 21, renewalIn: 11),
        ]
        let text = StatusTimeline(now: Self.now, width: 60, days: 20, style: .plain).render(rows)
        #expect(text == """
            CERTIFICATE            STATE  Mar 10        Mar 24   EXPIRES
                                          +-------------+------
            a-ve~/certificate/pay  Valid  ==========|----------   in 20d
            ~/certificate/paymen~  Valid  ===========|-------->   in 21d
            left edge: today; | renewal point; - renewal due
            > expires after Mar 30

            """)
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 60 }, "\(text)")
    }

    @Test func aReasonStaysOnItsLineAndPlainStaysASCII() {
        let odd = Self.row("shop", "secret/odd-tls", .invalid, expiresIn: nil, reason: "subject “Café”\nsecond line\tend")
        let plain = StatusTimeline(now: Self.now, width: 80, days: 30, style: .plain).render([odd])
        #expect(plain.split(separator: "\n")[2] == "shop/secret/odd-tls  Invalid  subject ?Caf?? second line end                   -", "\(plain)")
        #expect(plain.unicodeScalars.allSatisfy { $0.isASCII })
        let terminal = StatusTimeline(now: Self.now, width: 80, days: 30, style: .terminal).render([odd])
        #expect(terminal.contains("subject “Café” second line end"), "\(terminal)")
    }

    @Test func noRowsSaySo() {
        #expect(StatusTimeline(now: Self.now, width: 80, days: nil, style: .plain).render([]) == "No certificates found.\n")
    }
}
