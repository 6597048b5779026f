/// A CronJob schedule in the syntax Kubernetes accepts: five fields (minute, hour, day of the
/// month, month, day of the week), each `*`, a value, a range `a-b`, any of these with a step
/// `/n`, or a comma-separated list of them; or one of the shorthands `@hourly` ... `@yearly`.
struct CronSchedule: Equatable, CustomStringConvertible {
    let description: String

    /// Why a schedule was refused, worded for the user.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static let shorthands = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]

    init(validating text: String) throws(Invalid) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("@") {
            guard Self.shorthands.contains(trimmed.lowercased()) else {
                throw Invalid(description: "\(trimmed) is not a shorthand Kubernetes knows; use one of \(Self.shorthands.joined(separator: ", ")) or five fields")
            }
            description = trimmed.lowercased()
            return
        }
        if trimmed.hasPrefix("TZ=") || trimmed.hasPrefix("CRON_TZ=") {
            throw Invalid(description: "Kubernetes refuses a time zone inside the schedule; give the five fields alone (the CronJob runs on the cluster's time zone, usually UTC)")
        }
        let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else {
            throw Invalid(description: "expected five fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        for (field, text) in zip(Field.all, fields) {
            try field.check(String(text))
        }
        description = fields.joined(separator: " ")
    }

    /// Twice a day, twelve hours apart, at `minute` past `hour` and past `hour + 12`.
    static func twiceDaily(minute: Int, hour: Int) -> CronSchedule {
        precondition((0..<60).contains(minute) && (0..<12).contains(hour), "minute 0-59, hour 0-11")
        return CronSchedule(uncheckedText: "\(minute) \(hour),\(hour + 12) * * *")
    }

    /// Twice a day at a minute and hour picked at random, so that renewals of many clusters do
    /// not all reach the CA at the same moment.
    static func randomTwiceDaily() -> CronSchedule {
        twiceDaily(minute: Int.random(in: 0..<60), hour: Int.random(in: 0..<12))
    }

    private init(uncheckedText: String) {
        description = uncheckedText
    }

    /// One of the five fields, with the values it allows.
    private struct Field {
        var name: String
        var range: ClosedRange<Int>
        /// Names that stand for values, e.g. `jan` for 1 in the month field.
        var names: [String] = []
        var firstNamed = 0

        static let all = [
            Field(name: "minute", range: 0...59),
            Field(name: "hour", range: 0...23),
            Field(name: "day of the month", range: 1...31),
            Field(name: "month", range: 1...12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], firstNamed: 1),
            Field(name: "day of the week", range: 0...6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
        ]

        func check(_ text: String) throws(Invalid) {
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                try checkPart(String(part), in: text)
            }
        }

        private func checkPart(_ part: String, in text: String) throws(Invalid) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw problem("\(part) has more than one step (/)", text) }
            if pieces.count == 2 {
                guard let step = Int(pieces[1]), step >= 1 else {
                    throw problem("the step in \(part) must be a whole number of at least 1", text)
                }
                if step > range.upperBound { throw problem("the step in \(part) is larger than the field's largest value, \(range.upperBound)", text) }
            }
            let span = String(pieces[0])
            if span == "*" || span == "?" { return }
            let ends = span.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count <= 2 else { throw problem("\(span) is not a value or a range a-b", text) }
            let low = try value(String(ends[0]), text)
            if ends.count == 2 {
                let high = try value(String(ends[1]), text)
                guard low <= high else { throw problem("the range \(span) runs backwards", text) }
            }
        }

        private func value(_ text: String, _ field: String) throws(Invalid) -> Int {
            if let number = Int(text) {
                guard range.contains(number) else {
                    throw problem("\(number) is outside \(range.lowerBound)-\(range.upperBound)", field)
                }
                return number
            }
            if let index = names.firstIndex(of: text.lowercased()) { return index + firstNamed }
            let allowed = names.isEmpty ? "" : " or a name (\(names.first!)-\(names.last!))"
            throw problem("\"\(text)\" is not a number\(allowed)", field)
        }

        private func problem(_ what: String, _ field: String) -> Invalid {
            Invalid(description: "the \(name) field \"\(field)\": \(what)")
        }
    }
}
