import Formwork
import FormworkTemplate
import Foundation
import Testing

/// Empty names and durations that round to nothing: each an error at the line that wrote it.
@Suite("Empty names and rounding durations")
struct EvenModifiersTests {
    /// One broken architecture per case, with the line its mistake is on and what the error says.
    static var cases: [(name: String, line: Int, says: String, architecture: Architecture)] {
        var cases: [(String, Int, String, Architecture)] = []
        let function = Function("Worker", handler: RequestOnly.self)
        var line = #line + 1
        var table = Table("Items", partitionKey: .string(""))
        cases.append(("empty partition key", line, "the partition key of table 'Items' needs a name", Architecture("A") { table }))
        line = #line + 1
        table = Table("Items", partitionKey: .string("id"), sortKey: .number(""))
        cases.append(("empty sort key", line, "the sort key of table 'Items' needs a name", Architecture("A") { table }))
        line = #line + 1
        table = Table("Items", partitionKey: .string("id")).index("ByOwner", partitionKey: .string(""))
        cases.append(("empty index key", line, "the partition key of index 'ByOwner' of table 'Items' needs a name", Architecture("A") { table }))
        line = #line + 1
        table = Table("Items", partitionKey: .string("id")).timeToLive("")
        cases.append(("empty TTL attribute", line, "the time-to-live attribute of table 'Items' needs a name", Architecture("A") { table }))
        line = #line + 1
        var bucket = Bucket("Files").lifecycle(.expireObjects(after: .days(30), id: ""))
        cases.append(("empty lifecycle rule id", line, "a lifecycle rule of bucket 'Files' needs an id", Architecture("A") { bucket }))
        line = #line + 1
        bucket = Bucket("Files").lifecycle(.expireObjects(after: .hours(12)))
        cases.append(("12 hours of lifecycle", line, "12 hours is less than a day, and lifecycle rules count whole days", Architecture("A") { bucket }))
        line = #line + 1
        bucket = Bucket("Files").lifecycle(.expireNoncurrentVersions(after: .hours(36)))
        cases.append(("36 hours of lifecycle", line, "36 hours is not a whole number of days", Architecture("A") { bucket }))
        line = #line + 1
        let acl = WebACL("Firewall") { FirewallRule.blockSQLInjection("") }
        cases.append(("empty firewall rule name", line, "web ACL rule name '' must be 1 to 128 characters", Architecture("A") { acl }))
        line = #line + 1
        let retention = function.logRetention(.hours(12))
        cases.append(("12 hours of log retention", line, "log retention of 12 hours is not one CloudWatch Logs offers", Architecture("A") { retention }))
        line = #line + 1
        let schedule = Schedule("Sweep", .rate(.seconds(90)), invoke: Function("Sweeper", handler: ScheduleOnly.self))
        cases.append(
            (
                "a rate of 90 seconds", line, "a rate must be a whole number of minutes",
                Architecture("A") {
                    schedule; Function("Sweeper", handler: ScheduleOnly.self)
                }
            ))
        line = #line + 2
        bucket = Bucket("Files").lifecycle(.expireObjects(after: .days(7)).prefix("tmp/"))
            .lifecycle(.expireObjects(after: .days(30)).prefix("logs/"))
        cases.append(("two rules with one id", line, "bucket 'Files' has two lifecycle rules with the id 'ExpireObjects'", Architecture("A") { bucket }))
        line = #line + 1
        bucket = Bucket("Files").lifecycle(.abortIncompleteUploads(after: .days(7)).tagged("temporary", "true"))
        cases.append(("aborting uploads by tag", line, "S3 cannot abort incomplete uploads by tag", Architecture("A") { bucket }))
        line = #line + 1
        let pool = UserPool("Users").passwordPolicy(PasswordPolicy(minimumLength: 12, temporaryPasswordValidity: .hours(12)))
        cases.append(
            (
                "12 hours of temporary password", line, "a temporary password's validity of 12 hours is less than a day, and Cognito counts whole days",
                Architecture("A") { pool }
            ))
        line = #line + 1
        let client = UserPool("Users").client(AppClient(idTokenValidity: .seconds(90)))
        cases.append(("90 seconds of ID token", line, "the ID token's validity of 90 seconds is not a whole number of minutes", Architecture("A") { client }))
        return cases
    }

    @Test("each is an error at its line", arguments: 0..<14)
    func broken(_ index: Int) throws {
        let broken = try #require(Self.cases.indices.contains(index) ? Self.cases[index] : nil)
        let errors = diagnostics(broken.architecture).filter { $0.severity == .error }
        let matching = errors.filter { $0.message.contains(broken.says) }
        #expect(matching.count == 1, "\(broken.name): \(errors.map(\.description))")
        #expect(matching.first?.location?.line == broken.line, "\(broken.name): \(matching.map(\.description))")
    }

    @Test("every case is run")
    func count() { #expect(Self.cases.count == 14) }

    @Test("lifecycle rules move objects between storage classes, for a prefix or tags")
    func lifecycleTransitionsAndFilters() throws {
        let bucket = Bucket("Images")
            .lifecycle(.transition(to: .intelligentTiering, after: .days(30)).prefix("originals/"))
            .lifecycle(.expireObjects(after: .days(7), id: "ExpireTemporary").prefix("tmp/").tagged("temporary", "true"))
            .lifecycle(nil)
        let result = Synthesizer(architecture: Architecture("A") { bucket }, environment: .dev).synthesize()
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics)")
        let rules = try #require(result.template.resource("Images")?.value(at: "LifecycleConfiguration", "Rules")?.items)
        #expect(rules.count == 2)
        #expect(rules[0]["Id"] == "ToIntelligentTiering" && rules[0]["Prefix"] == "originals/")
        #expect(rules[0]["Transitions"]?.items.first?["StorageClass"] == "INTELLIGENT_TIERING")
        #expect(rules[0]["Transitions"]?.items.first?["TransitionInDays"] == .int(30))
        #expect(rules[1]["ExpirationInDays"] == .int(7) && rules[1]["Prefix"] == "tmp/")
        #expect(rules[1]["TagFilters"]?.items.first?["Key"] == "temporary" && rules[1]["TagFilters"]?.items.first?["Value"] == "true")

        let line = #line + 1
        let early = Bucket("Files").lifecycle(.transition(to: .standardIA, after: .days(10)))
        let errors = diagnostics(Architecture("A") { early }).filter { $0.severity == .error }
        #expect(
            errors.map(\.message) == [
                "bucket 'Files': lifecycle rule 'ToStandardIa': S3 moves objects to STANDARD_IA no sooner than 30 days after they are created, not 10"
            ])
        #expect(errors.first?.location?.line == line)
    }

    @Test("modifiers whose setting can be absent take nil, which leaves the default")
    func optionalModifiers() throws {
        let named: String? = nil
        let table = Table("Items", partitionKey: .string("id")).named(named).timeToLive(nil)
        let bucket = Bucket("Files").named(nil).content(from: nil)
        let topic = Topic("Events").named(nil).displayName(nil)
        let function = Function("Worker", handler: RequestOnly.self).named(nil).reservedConcurrency(nil)
        let key = EncryptionKey("Key").alias(nil)
        #expect(table.tableName == nil && table.timeToLiveAttribute == nil && bucket.bucketName == nil && bucket.contentDirectory == nil)
        #expect(topic.topicName == nil && topic.displayName == nil && function.functionName == nil && key.alias == nil)
        let result = Synthesizer(
            architecture: Architecture("A") {
                table; bucket; topic; function; key
            }, environment: .dev
        ).synthesize()
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics)")
        #expect(result.template.resource("Items")?.property("TableName") == nil)
    }
}
