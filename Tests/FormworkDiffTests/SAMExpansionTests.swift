import Formwork
import FormworkTemplate
import Foundation
import Testing

@testable import FormworkDiff

/// What SAM generates, in the small; tests/diff/test_sam_expansion.py proves the same model against
/// aws-sam-translator on the blueprint's templates.
@Suite("SAM's expansion")
struct SAMExpansionTests {
    /// A SAM template with one API (`stage`, extra API properties) and one function with a GET /items event.
    func template(stage: TemplateValue = "prod", api: [TemplateEntry] = [], events: TemplateValue? = nil) -> TemplateValue {
        let defaultEvents: TemplateValue = .map([
            TemplateEntry(
                "GetItems",
                .map([
                    TemplateEntry("Type", "Api"),
                    TemplateEntry(
                        "Properties", .map([TemplateEntry("RestApiId", .ref("Api")), TemplateEntry("Path", "/items/{id}/"), TemplateEntry("Method", "any")])),
                ]))
        ])
        return TemplateValue.map([
            TemplateEntry("Transform", "AWS::Serverless-2016-10-31"),
            TemplateEntry(
                "Resources",
                .map([
                    TemplateEntry("Api", resource("AWS::Serverless::Api", [TemplateEntry("StageName", stage)] + api)),
                    TemplateEntry(
                        "Fn",
                        resource(
                            "AWS::Serverless::Function",
                            [TemplateEntry("Role", "arn:aws:iam::123456789012:role/r"), TemplateEntry("Events", events ?? defaultEvents)])),
                ])),
        ]).normalized
    }

    @Test("stage and permission IDs follow SAM's naming: alphanumeric, hashed, or no name at all")
    func naming() throws {
        let plain = SAMExpansion(template: template())
        #expect(plain.origins["ApiprodStage"] == .init(source: "Api", role: "stage"))
        #expect(plain.origins["FnGetItemsPermissionprod"] == .init(source: "Fn", role: "permission GetItems"))
        // SAM's hash of a name that is not alphanumeric: the first 10 hex digits of its SHA-1.
        let hyphenated = SAMExpansion(template: template(stage: "my-stage"))
        #expect(hyphenated.origins["ApiStagea9d64949ee"] != nil)
        #expect(hyphenated.origins["FnGetItemsPermissiona9d64949ee"] != nil)
        let intrinsic = SAMExpansion(template: template(stage: .ref("StageParameter")))
        #expect(intrinsic.origins["ApiStage"] != nil)
        #expect(intrinsic.origins["FnGetItemsPermissionStage"] != nil)
    }

    @Test("a permission's source ARN: path parameters and the trailing slash as SAM writes them, ANY as *")
    func sourceARN() throws {
        let permission = try #require(SAMExpansion(template: template()).resources["FnGetItemsPermissionprod"])
        guard case .intrinsic("Fn::Sub", .list(let parts))? = permission["Properties"]?["SourceArn"] else {
            Issue.record("no Fn::Sub source ARN")
            return
        }
        #expect(parts.first == .string("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/*/items/*"))
    }

    @Test("what the model does not cover is a note, not a silent rating")
    func unmodelled() throws {
        let notes = SAMExpansion(
            template: template(
                api: [
                    TemplateEntry("Domain", .map([TemplateEntry("DomainName", "api.example.com")])),
                    TemplateEntry("Auth", .map([TemplateEntry("UsagePlan", .map([TemplateEntry("CreateUsagePlan", "PER_API")]))])),
                ])
        ).unmodelled
        #expect(notes.contains { $0.contains("Api: Domain") })
        #expect(notes.contains { $0.contains("Auth.UsagePlan") })
        let listEvents = SAMExpansion(template: template(events: .list([]))).unmodelled
        #expect(listEvents.contains { $0.contains("Events is not a map") })
        let foreign = SAMExpansion(
            template: template(
                events: .map([
                    TemplateEntry(
                        "Get",
                        .map([TemplateEntry("Type", "Api"), TemplateEntry("Properties", .map([TemplateEntry("RestApiId", .ref("PlainRestApi"))]))]))
                ]))
        ).unmodelled
        #expect(foreign.contains { $0.contains("is not an AWS::Serverless::Api of the template") })
        let diff = TemplateDiff(old: template(), new: template(api: [TemplateEntry("AlwaysDeploy", true)]))
        #expect(diff.notes.contains { $0.contains("AlwaysDeploy") })
        #expect(MarkdownRenderer.render(diff, title: "t").contains("1 part of SAM's transform not rated"))
        #expect(GitHubRenderer.render(diff, title: "t").contains("::notice title=Not rated::"))
    }

    @Test("GitHub: a stage rename is one warning per SAM resource, the invoke URL a notice")
    func githubStageRename() throws {
        let diff = TemplateDiff(old: template(), new: template(stage: "live"))
        let lines = GitHubRenderer.render(diff, title: "t").split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("::warning") && $0.contains("SAM generates from Api") }.count == 1)
        #expect(lines.filter { $0.hasPrefix("::warning") && $0.contains("SAM generates from Fn") }.count == 1)
        #expect(lines.contains { $0.hasPrefix("::notice title=Note%3A Api") && $0.contains("invoke URL") })
    }
}
