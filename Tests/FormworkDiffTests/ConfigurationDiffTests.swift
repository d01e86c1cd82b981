import Formwork
import FormworkTemplate
import Foundation
import Testing

@testable import FormworkDiff

@Suite("Environments compared as configuration")
struct ConfigurationDiffTests {
    let diff = ConfigurationDiff(old: synthesized(.dev), oldEnvironment: "dev", new: synthesized(.prod), newEnvironment: "prod")

    private func group(_ name: String) throws -> ConfigurationDiff.Group {
        try #require(diff.groups.first { $0.name == name })
    }

    @Test("names derived from the environment are masked: no table, pool or function differs by name")
    func masking() throws {
        let paths = diff.groups.flatMap(\.settings).map(\.path.description)
        #expect(!paths.contains { $0.hasSuffix("TableName") || $0.hasSuffix("FunctionName") || $0.hasSuffix("UserPoolName") })
        #expect(!paths.contains { $0.contains("Tags[Environment]") || $0.hasSuffix("StageName") })
        let rendered = ConfigurationRenderer.json(diff)
        #expect(!rendered.contains("taskmgmt-dev") && !rendered.contains("taskmgmt-prod"))
    }

    @Test("masking replaces whole words only")
    func wholeWords() {
        let masked = ConfigurationDiff.masking(
            TemplateValue.list(["taskmgmt-dev-users", "/taskmgmt/dev/window", "device", "dev", "https://x/dev", "devdev"]), name: "dev")
        #expect(masked == .list(["taskmgmt-{env}-users", "/taskmgmt/{env}/window", "device", "{env}", "https://x/{env}", "devdev"]))
    }

    @Test("each table's point-in-time recovery differs, with the blueprint line that decides it first")
    func pointInTimeRecovery() throws {
        for table in ["UsersTable", "TasksTable", "NotificationsTable"] {
            let group = try group(table)
            let setting = try #require(group.settings.first { $0.path.description.hasSuffix("PointInTimeRecoveryEnabled") })
            #expect(setting.old == .bool(false) && setting.new == .bool(true))
            let first = try #require(group.choices.first)
            #expect(first.text.contains("pointInTimeRecovery(prod)") || first.text.contains("deletionProtection(prod)"))
            #expect(first.location.line > group.location?.line ?? .max)
        }
    }

    @Test("the firewall is only in prod, decided by the condition around it")
    func firewall() throws {
        let group = try group("ApiFirewall")
        #expect(group.onlyInNew.map(\.type).contains("AWS::WAFv2::WebACL"))
        #expect(group.onlyInOld.isEmpty && group.settings.isEmpty)
        #expect(group.choices.map(\.text) == ["if prod {"])
    }

    @Test("log retention differs, decided in the function's helper")
    func retention() throws {
        let group = try group("TaskManagementFunction")
        let retention = try #require(group.settings.first { $0.path.description == "Properties.RetentionInDays" })
        #expect(retention.old == .int(7) && retention.new == .int(365))
        #expect(group.choices.contains { $0.text.contains(".logRetention(retention)") })
    }

    @Test("no claims of replacement or data loss, and --fail-on levels above any are never reached")
    func noClaims() {
        let text = ConfigurationRenderer.text(diff) + ConfigurationRenderer.markdown(diff)
        for claim in ["replaced", "replacement", "[replacement]", "DATA LOSS", "data loss", "update fails"] {
            #expect(!text.lowercased().contains(claim.lowercased()), "the configuration view claims \(claim)")
        }
        #expect(!diff.isEmpty)
    }

    @Test("an environment compared with itself is configured alike")
    func alike() {
        let same = ConfigurationDiff(old: synthesized(.prod), oldEnvironment: "prod", new: synthesized(.prod), newEnvironment: "prod")
        #expect(same.isEmpty)
        #expect(ConfigurationRenderer.text(same).isEmpty)
    }
}

@Suite("CI output")
struct CIOutputTests {
    @Test("GitHub annotations: an error per data loss and failing update, a warning per replacement, at the blueprint's line")
    func github() throws {
        let old = template([
            ("Table", resource("AWS::DynamoDB::Table", [TemplateEntry("TableName", "a")])),
            ("Pool", resource("AWS::Cognito::UserPool", [TemplateEntry("AliasAttributes", ["email"])])),
            ("Topic", resource("AWS::SNS::Topic", [TemplateEntry("TopicName", "t")])),
        ])
        let new = template([
            ("Table", resource("AWS::DynamoDB::Table", [TemplateEntry("TableName", "b")])),
            ("Pool", resource("AWS::Cognito::UserPool", [TemplateEntry("AliasAttributes", ["phone_number"])])),
            ("Topic", resource("AWS::SNS::Topic", [TemplateEntry("TopicName", "u")])),
        ])
        let location = Formwork.SourceLocation(fileID: "Blueprints/App.swift", filePath: "/nowhere/App.swift", line: 12, column: 5)
        let diff = TemplateDiff(old: old, new: new, locations: ["Table": location])
        let lines = GitHubRenderer.render(diff, title: "a, b").split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("::error file=Blueprints/App.swift,line=12,col=5,title=Data loss%3A Table (AWS%3A%3ADynamoDB%3A%3ATable)::") })
        #expect(lines.contains { $0.hasPrefix("::error title=Update fails%3A Pool") })
        #expect(lines.contains { $0.hasPrefix("::warning title=Replacement%3A Topic") })
        #expect(lines.last == "::notice title=a%2C b::0 added, 0 removed, 3 modified; 2 replaced, 1 with data loss, 1 failing updates")
        #expect(lines.allSatisfy { !$0.dropFirst(2).contains("\n") })
    }

    @Test("markdown starts with a verdict a pull request can show")
    func markdownVerdict() throws {
        let diff = TemplateDiff(old: synthesized(.staging), new: synthesized(.prod))
        let lines = MarkdownRenderer.render(diff, title: "staging → prod").split(separator: "\n")
        #expect(lines[0] == "### staging → prod")
        #expect(lines[1].hasPrefix("**⚠️ ") && lines[1].contains("would lose data"))
        let calm = MarkdownRenderer.render(
            TemplateDiff(
                old: template([("Fn", resource("AWS::Lambda::Function", [TemplateEntry("MemorySize", 128)]))]),
                new: template([("Fn", resource("AWS::Lambda::Function", [TemplateEntry("MemorySize", 256)]))])),
            title: "t")
        #expect(calm.contains("**✅ No replacement, deletion, data loss or failing update** · 0 added · 1 modified"))
    }

    @Test("--against reads what aws cloudformation get-template prints, in its string and object forms")
    func getTemplate() throws {
        let yaml = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${AWS::StackName}-t'\n"
        let asString = try JSONSerialization.data(withJSONObject: ["TemplateBody": yaml, "StagesAvailable": ["Original", "Processed"]])
        let asObject = """
            {"TemplateBody": {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${AWS::StackName}-t"}}}}},
             "StagesAvailable": ["Original"]}
            """
        let a = try TemplateReader.parse(String(decoding: asString, as: UTF8.self), name: "deployed.json")
        let b = try TemplateReader.parse(asObject, name: "deployed.json")
        #expect(TemplateDiff(old: a, new: b).isEmpty)
        #expect(a["Resources"]?["Topic"]?["Properties"]?["TopicName"] == .intrinsic("Fn::Sub", "${AWS::StackName}-t"))
        #expect(throws: TemplateReader.ReadError.self) { try TemplateReader.parse(#"{"TemplateBody": 5}"#) }
        #expect(throws: TemplateReader.ReadError.self) { try TemplateReader.parse(#"{"TemplateBody": "Resources: ["}"#) }
    }
}
