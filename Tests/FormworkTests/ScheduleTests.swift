import Formwork
import FormworkTemplate
import Foundation
import Testing

@Suite("Schedule expressions")
struct ScheduleTests {
    private let utc = TimeZone(identifier: "UTC")!
    private let newYork = TimeZone(identifier: "America/New_York")!

    private func yaml(_ architecture: Architecture) throws -> String {
        var result = Synthesizer(architecture: architecture, environment: .dev).synthesize()
        #expect(!result.hasErrors, "\(result.diagnostics)")
        return try result.render(as: .yaml)
    }

    private func time(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    private func next(_ cron: String, after: String, in zone: TimeZone? = nil) throws -> String? {
        let recurrence = try ScheduleExpression.cron(cron).parsed().get()
        let fire = recurrence.nextFire(after: time(after), anchor: time("2000-01-01T00:00:00Z"), timeZone: zone ?? utc)
        return fire.map { ISO8601DateFormatter().string(from: $0) }
    }

    @Test(
        "AWS's documented cron examples fire when the documentation says",
        arguments: [
            // From 2026-12-01T09:00:00Z, a Tuesday.
            ("0 10 * * ? *", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z"),
            ("15 12 * * ? *", "2026-12-01T09:00:00Z", "2026-12-01T12:15:00Z"),
            ("0 18 ? * MON-FRI *", "2026-12-01T09:00:00Z", "2026-12-01T18:00:00Z"),
            ("0 18 ? * MON-FRI *", "2026-12-04T18:00:00Z", "2026-12-07T18:00:00Z"),
            ("0 8 1 * ? *", "2026-12-01T09:00:00Z", "2027-01-01T08:00:00Z"),
            ("0/15 * * * ? *", "2026-12-01T09:00:00Z", "2026-12-01T09:15:00Z"),
            ("0/10 * ? * MON-FRI *", "2026-12-04T23:55:00Z", "2026-12-07T00:00:00Z"),
            ("0/5 8-17 ? * MON-FRI *", "2026-12-01T17:55:00Z", "2026-12-02T08:00:00Z"),
            ("0 9 ? * 2#1 *", "2026-12-01T09:00:00Z", "2026-12-07T09:00:00Z"),
            // Names, lists, ranges and steps.
            ("0 12 ? JAN,JUL SUN *", "2026-12-01T09:00:00Z", "2027-01-03T12:00:00Z"),
            ("30 6-22/8 * * ? *", "2026-12-01T09:00:00Z", "2026-12-01T14:30:00Z"),
            ("0 0 ? * FRI-MON *", "2026-12-01T09:00:00Z", "2026-12-04T00:00:00Z"),
            // Month ends and leap years.
            ("0 0 L * ? *", "2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"),
            ("0 0 L * ? *", "2028-02-01T00:00:00Z", "2028-02-29T00:00:00Z"),
            ("0 0 29 2 ? *", "2026-12-01T00:00:00Z", "2028-02-29T00:00:00Z"),
            ("0 0 31 * ? *", "2027-04-01T00:00:00Z", "2027-05-31T00:00:00Z"),
            // W: the nearest weekday, within the month; LW the last weekday.
            ("0 0 15W * ? *", "2027-05-01T00:00:00Z", "2027-05-14T00:00:00Z"),
            ("0 0 15W * ? *", "2027-08-01T00:00:00Z", "2027-08-16T00:00:00Z"),
            ("0 0 1W * ? *", "2027-04-30T00:00:00Z", "2027-05-03T00:00:00Z"),
            ("0 0 LW * ? *", "2027-01-01T00:00:00Z", "2027-01-29T00:00:00Z"),
            // L and # in day-of-week.
            ("0 10 ? * 6L *", "2026-12-01T00:00:00Z", "2026-12-25T10:00:00Z"),
            ("0 10 ? * MON#2 *", "2027-01-01T00:00:00Z", "2027-01-11T10:00:00Z"),
            ("0 10 ? * 2#5 *", "2027-01-01T00:00:00Z", "2027-03-29T10:00:00Z"),
            // Years.
            ("0 0 1 1 ? 2030-2032", "2026-12-01T00:00:00Z", "2030-01-01T00:00:00Z"),
        ])
    func documentedExamples(cron: String, after: String, expected: String) throws {
        #expect(try next(cron, after: after) == expected, "cron(\(cron)) after \(after)")
    }

    @Test("every form AWS documents is accepted")
    func accepted() {
        for cron in [
            "0 10 * * ? *", "0/15 * * * ? *", "0 18 ? * MON-FRI *", "0 8 1 * ? *", "0/5 8-17 ? * MON-FRI *", "0 9 ? * 2#1 *", "5-30/5 * * * ? *",
            "0 0 L * ? *", "0 0 LW * ? *", "0 0 15W * ? *", "0 0 ? * 6L *", "0 0 ? * L *", "0 0 ? JAN-MAR,OCT SUN-SAT 2026-2030",
        ] {
            #expect(ScheduleExpression.cron(cron).problem == nil, "cron(\(cron))")
        }
        for text in ["rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "at(2027-03-01T09:00:00)"] {
            #expect(ScheduleExpression.expression(text).problem == nil, "\(text)")
        }
        for text in ["at(2027-03-01 09:00:00)", "at(2027-3-01T09:00:00)", "at(2027-03-01T09:00)", "at(+027-03-01T09:00:00)"] {
            #expect(ScheduleExpression.expression(text).problem != nil, "\(text)")
        }
    }

    @Test("a rate anchored at a fraction of a second crosses 2035 without stalling")
    func fractionalAnchor() throws {
        let recurrence = try ScheduleExpression.rate(.days(1)).parsed().get()
        for fraction in stride(from: 0.0, to: 1, by: 0.013) {
            let anchor = time("2035-01-01T00:00:00Z").addingTimeInterval(fraction)
            var after = anchor
            for _ in 0..<20 {
                let fire = try #require(recurrence.nextFire(after: after, anchor: anchor, timeZone: utc))
                #expect(fire > after)
                #expect(abs(fire.timeIntervalSince(after) - 86_400) < 0.001)
                after = fire
            }
        }
    }

    @Test("a cron whose years are past never fires again")
    func neverAgain() throws {
        #expect(try next("0 0 1 1 ? 2020", after: "2026-12-01T00:00:00Z") == nil)
    }

    @Test("in a time zone, a time the spring change skips does not fire, and one the autumn change repeats fires once")
    func daylightSaving() throws {
        // 2027-03-14: New York moves from 02:00 EST to 03:00 EDT; 02:30 does not exist that day.
        #expect(try next("30 2 * * ? *", after: "2027-03-13T07:30:00Z", in: newYork) == "2027-03-15T06:30:00Z")
        // Times either side keep their local hour across the change.
        #expect(try next("0 9 * * ? *", after: "2027-03-13T14:00:00Z", in: newYork) == "2027-03-14T13:00:00Z")
        // 2027-11-07: 01:30 happens twice (EDT, then EST); it fires once, at the first.
        #expect(try next("30 1 * * ? *", after: "2027-11-06T05:30:00Z", in: newYork) == "2027-11-07T05:30:00Z")
        #expect(try next("30 1 * * ? *", after: "2027-11-07T05:30:00Z", in: newYork) == "2027-11-08T06:30:00Z")
    }

    @Test("a rate counts whole periods from when the schedule was created")
    func rates() throws {
        let recurrence = try ScheduleExpression.expression("rate(2 hours)").parsed().get()
        let created = time("2026-12-01T09:10:00Z")
        #expect(recurrence == .rate(seconds: 7200))
        #expect(recurrence.nextFire(after: created, anchor: created, timeZone: utc) == time("2026-12-01T11:10:00Z"))
        #expect(recurrence.nextFire(after: time("2026-12-01T11:10:00Z"), anchor: created, timeZone: utc) == time("2026-12-01T13:10:00Z"))
        #expect(recurrence.nextFire(after: time("2026-12-02T00:00:00Z"), anchor: created, timeZone: utc) == time("2026-12-02T01:10:00Z"))
        #expect(try ScheduleExpression.rate(.days(1)).parsed().get() == .rate(seconds: 86_400))
    }

    @Test("at(...) fires once, at its local time in the schedule's zone")
    func oneTime() throws {
        let recurrence = try ScheduleExpression.at("2027-03-01T09:00:00").parsed().get()
        let created = time("2026-12-01T00:00:00Z")
        #expect(recurrence.nextFire(after: created, anchor: created, timeZone: newYork) == time("2027-03-01T14:00:00Z"))
        #expect(recurrence.nextFire(after: time("2027-03-01T14:00:00Z"), anchor: created, timeZone: newYork) == nil)
        #expect(recurrence.nextFire(after: created, anchor: time("2027-04-01T00:00:00Z"), timeZone: utc) == nil)
        #expect(ScheduleExpression.at("2027-02-30T09:00:00").problem?.contains("valid local time") == true)
        #expect(ScheduleExpression.expression("at(2027-03-01T09:00:00)").isOneTime)
    }

    @Test("validation reads the same parsed value: bad fields, steps and names are errors")
    func problems() {
        #expect(ScheduleExpression.cron("0/0 * * * ? *").problem?.contains("positive increment") == true)
        #expect(ScheduleExpression.cron("0 0 32W * ? *").problem?.contains("DAYW") == true)
        #expect(ScheduleExpression.cron("0 0 ? * MON#6 *").problem?.contains("DAY#N") == true)
        #expect(ScheduleExpression.cron("0 0 ? * XYZL *").problem?.contains("DAYL") == true)
        #expect(ScheduleExpression.cron("0 0 ? * MON 2300").problem?.contains("outside year") == true)
        #expect(ScheduleExpression.cron("0 0 * * * *").problem?.contains("exactly one of day-of-month and day-of-week") == true)
        #expect(ScheduleExpression.expression("in(5 minutes)").problem?.contains("neither") == true)
    }

    @Test("an unknown time zone is an error at the schedule's line")
    func unknownZone() {
        let job = Function("Job", handler: ScheduleOnly.self)
        let line = #line + 1
        let schedule = Schedule("Nightly", .cron("0 2 * * ? *"), invoke: job).timeZone("Mars/Olympus_Mons")
        let diagnostics = Architecture("Z") {
            job; schedule
        }.validate().filter { $0.severity == .error }
        #expect(diagnostics.map(\.message) == ["schedule 'Nightly': 'Mars/Olympus_Mons' is not an IANA time zone such as America/New_York"])
        #expect(diagnostics.first?.location?.line == line)
    }

    @Test("Lambda's asynchronous retries are bounded as Lambda bounds them")
    func asyncRetryBounds() {
        let job = Function("Job", handler: ScheduleOnly.self).asyncRetries(3, maxEventAge: .seconds(30))
        let messages = Architecture("R") { job }.validate().filter { $0.severity == .error }.map(\.message)
        #expect(messages.contains("function 'Job': Lambda retries an asynchronous invocation 0 to 2 times, not 3"))
        #expect(messages.contains("function 'Job': the maximum event age must be 1 minute to 6 hours, not 30 seconds"))
    }

    @Test("a time zone or a one-time schedule runs on EventBridge Scheduler, with a role that may invoke only its function")
    func schedulerEmission() throws {
        let job = Function("Job", handler: ScheduleOnly.self).asyncRetries(1, maxEventAge: .hours(1))
        let architecture = Architecture("S") {
            job
            Schedule("Nightly", .cron("0 2 * * ? *"), invoke: job).timeZone("Europe/Berlin")
            Schedule("Hourly", .rate(.hours(1)), invoke: job)
            Schedule("Launch", .at("2027-03-01T09:00:00"), invoke: job)
        }
        let yaml = try yaml(architecture)
        #expect(yaml.contains("  Nightly:\n    Type: AWS::Scheduler::Schedule"))
        #expect(yaml.contains("ScheduleExpressionTimezone: Europe/Berlin"))
        #expect(yaml.contains("  Launch:\n    Type: AWS::Scheduler::Schedule"))
        #expect(yaml.contains("ScheduleExpression: at(2027-03-01T09:00:00)"))
        #expect(yaml.contains("  Hourly:\n    Type: AWS::Events::Rule"))
        #expect(yaml.contains("Service: scheduler.amazonaws.com"))
        #expect(yaml.contains("<aws.scheduler.scheduled-time>"))
        #expect(yaml.contains("MaximumRetryAttempts: 1"))
        #expect(yaml.contains("MaximumEventAgeInSeconds: 3600"))
    }

    @Test("a subscription's filter policy is written as SNS reads it")
    func filterPolicyEmission() throws {
        let topic = Topic("Alerts").subscribe(
            .email("ops@example.com").filter(["severity": [.equals("high"), .prefix("crit")], "score": [.numeric(atLeast: 3, atMost: 9.5)]]))
        let yaml = try yaml(Architecture("F") { topic })
        #expect(yaml.contains("FilterPolicyScope: MessageAttributes"))
        #expect(yaml.contains("severity:\n        - high\n        - prefix: crit"))
        #expect(yaml.contains("- numeric:\n          - '>='\n          - 3\n          - <=\n          - 9.5"))
    }

    @Test("a filter policy matches as SNS does")
    func filterPolicyMatching() {
        let policy: FilterPolicy = ["kind": [.equals("alert"), .prefix("warn")], "level": [.numeric(atLeast: 3)], "muted": [.exists(false)]]
        #expect(policy.matches(["kind": ("String", "alert"), "level": ("Number", "5")]))
        #expect(policy.matches(["kind": ("String", "warning"), "level": ("Number", "3")]))
        #expect(!policy.matches(["kind": ("String", "info"), "level": ("Number", "5")]))
        #expect(!policy.matches(["kind": ("String", "alert"), "level": ("Number", "2")]))
        #expect(!policy.matches(["kind": ("String", "alert"), "level": ("String", "5")]))
        #expect(!policy.matches(["kind": ("String", "alert"), "level": ("Number", "5"), "muted": ("String", "yes")]))
        #expect(!policy.matches(["level": ("Number", "5")]))
        let arrays: FilterPolicy = ["teams": [.equals("red")], "region": [.anythingBut(["eu"])]]
        #expect(arrays.matches(["teams": ("String.Array", #"["blue","red"]"#), "region": ("String", "us")]))
        #expect(!arrays.matches(["teams": ("String.Array", #"["blue"]"#), "region": ("String", "us")]))
        #expect(!arrays.matches(["teams": ("String", "red"), "region": ("String", "eu")]))
    }
}
