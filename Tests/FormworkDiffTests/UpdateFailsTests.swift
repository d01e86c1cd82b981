import FormworkDiff
import FormworkTemplate
import Testing

@Suite("Updates that fail are a third outcome, apart from replacement")
struct UpdateFailsTests {
    func diff(_ old: String, _ new: String) throws -> TemplateDiff {
        TemplateDiff(old: try TemplateReader.parse(old), new: try TemplateReader.parse(new))
    }

    @Test(
        "Cognito's alias and username attributes and schema, KMS key spec and usage: the update fails",
        arguments: [
            ("AWS::Cognito::UserPool", "AliasAttributes: [email]", "AliasAttributes: [phone_number]"),
            ("AWS::Cognito::UserPool", "UsernameAttributes: [email]", "UsernameAttributes: [phone_number]"),
            ("AWS::Cognito::UserPool", "Schema: [{Name: team, AttributeDataType: String}]", "Schema: [{Name: team, AttributeDataType: Number}]"),
            ("AWS::KMS::Key", "KeySpec: SYMMETRIC_DEFAULT", "KeySpec: RSA_2048"),
            ("AWS::KMS::Key", "KeyUsage: ENCRYPT_DECRYPT", "KeyUsage: SIGN_VERIFY"),
        ])
    func failing(_ type: String, _ before: String, _ after: String) throws {
        let diff = try diff("Resources: {R: {Type: \(type), Properties: {\(before)}}}", "Resources: {R: {Type: \(type), Properties: {\(after)}}}")
        let resource = try #require(diff.resources.first)
        #expect(resource.impact == .updateFails)
        #expect(resource.data == .none, "nothing is deleted when the update fails")
        #expect(diff.replacements.isEmpty && diff.failingUpdates.count == 1)
        #expect(FailLevel.dataLoss.isReached(by: diff) && FailLevel.replacement.isReached(by: diff))
        let text = TextRenderer(color: false).render(diff, title: "t")
        #expect(text.contains("[update fails]") && text.contains("UPDATE FAILS") && text.contains("new logical ID"))
        #expect(!text.contains("[replacement]") && !text.contains("DATA LOSS"))
        #expect(text.contains("0 replaced, 0 with data loss, 1 failing update"))
        #expect(MarkdownRenderer.render(diff, title: "t").contains("⛔ Update fails"))
        let json = JSONRenderer.render(diff, title: "t")
        #expect(json.contains("update-fails") && json.contains(#""failingUpdates": 1"#))
    }

    @Test(
        "rules without a basis are gone; create-only properties the schemas list are there",
        arguments: [
            ("AWS::S3::Bucket", "ObjectLockEnabled: false", "ObjectLockEnabled: true", Impact.noInterruption),
            ("AWS::WAFv2::IPSet", "IPAddressVersion: IPV4", "IPAddressVersion: IPV6", .noInterruption),
            ("AWS::ApiGateway::RestApi", "EndpointConfiguration: {Types: [EDGE]}", "EndpointConfiguration: {Types: [REGIONAL]}", .noInterruption),
            ("AWS::Serverless::Api", "EndpointConfiguration: {Type: EDGE}", "EndpointConfiguration: {Type: REGIONAL}", .noInterruption),
            ("AWS::ApiGateway::Deployment", "RestApiId: a", "RestApiId: b", .replacement),
            ("AWS::Lambda::Function", "TenancyConfig: {TenantIsolationMode: PER_TENANT}", "TenancyConfig: {}", .replacement),
            ("AWS::Lambda::Permission", "PrincipalOrgID: o-1", "PrincipalOrgID: o-2", .replacement),
            ("AWS::Lambda::Permission", "FunctionUrlAuthType: NONE", "FunctionUrlAuthType: AWS_IAM", .replacement),
        ])
    func rules(_ type: String, _ before: String, _ after: String, _ expected: Impact) throws {
        let diff = try diff("Resources: {R: {Type: \(type), Properties: {\(before)}}}", "Resources: {R: {Type: \(type), Properties: {\(after)}}}")
        #expect(diff.resources.first?.impact == expected, "\(type) \(before) → \(after)")
    }
}
