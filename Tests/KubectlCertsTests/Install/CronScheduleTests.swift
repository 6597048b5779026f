@testable import kubectl_certs
import Testing

/// The schedules `install --schedule` takes are the ones Kubernetes' CronJob validation takes.
@Suite struct CronScheduleTests {
    @Test(arguments: [
        "0 3 * * *",
        "*/15 * * * *",
        "5 0,12 1-15/2 * 1-5",
        "30 4 * jan-MAR sun,sat",
        "0 0 ? * ?",
        "7/10 * * * *",
        "@daily",
        "@HOURLY",
        "59 23 31 12 6",
    ])
    func kubernetesFormsAreTaken(_ text: String) throws {
        let schedule = try CronSchedule(validating: text)
        #expect(schedule.description.lowercased() == text.lowercased())
    }

    @Test(arguments: [
        ("", "expected five fields"),
        ("0 3 * *", "found 4"),
        ("0 3 * * * *", "found 6"),
        ("60 * * * *", "the minute field \"60\": 60 is outside 0-59"),
        ("0 24 * * *", "the hour field \"24\": 24 is outside 0-23"),
        ("0 0 0 * *", "the day of the month field \"0\": 0 is outside 1-31"),
        ("0 0 * 13 *", "the month field \"13\": 13 is outside 1-12"),
        ("0 0 * * 7", "the day of the week field \"7\": 7 is outside 0-6"),
        ("0 0 * smarch *", "\"smarch\" is not a number or a name (jan-dec)"),
        ("5-1 * * * *", "the range 5-1 runs backwards"),
        ("*/0 * * * *", "the step in */0 must be a whole number of at least 1"),
        ("*/61 * * * *", "larger than the field's largest value, 59"),
        ("1,,2 * * * *", "\"\" is not a number"),
        ("@every 1h", "@every 1h is not a shorthand Kubernetes knows"),
        ("CRON_TZ=UTC 0 3 * * *", "time zone"),
        ("daily", "found 1"),
    ])
    func otherTextIsRefusedSayingWhy(_ text: String, _ reason: String) {
        #expect {
            _ = try CronSchedule(validating: text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func theDefaultRunsTwiceADayTwelveHoursApart() throws {
        #expect(CronSchedule.twiceDaily(minute: 7, hour: 4).description == "7 4,16 * * *")
        #expect(CronSchedule.twiceDaily(minute: 59, hour: 11).description == "59 11,23 * * *")
        for _ in 0..<50 {
            let schedule = CronSchedule.randomTwiceDaily()
            let fields = schedule.description.split(separator: " ")
            #expect(fields.count == 5 && fields[2...] == ["*", "*", "*"], "\(schedule)")
            let minute = try #require(Int(fields[0]))
            let hours = fields[1].split(separator: ",").compactMap { Int($0) }
            #expect((0..<60).contains(minute))
            #expect(hours.count == 2 && (0..<12).contains(hours[0]) && hours[1] == hours[0] + 12, "\(schedule)")
            #expect(try CronSchedule(validating: schedule.description) == schedule)
        }
    }
}
