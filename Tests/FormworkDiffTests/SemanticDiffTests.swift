import Formwork
import FormworkDiff
import FormworkTemplate
import Foundation
import Testing

@Suite("Semantic template diff")
struct SemanticDiffTests {
    @Test("identical templates: no difference, no output")
    func identical() throws {
        let prod = synthesized(.prod)
        let diff = TemplateDiff(old: prod, new: prod)
        #expect(diff.isEmpty)
        #expect(TextRenderer(color: false).render(diff, title: "same").isEmpty)
    }

    @Test("the same template as YAML and as JSON, and with every map re-ordered: no difference")
    func equivalentForms() throws {
        let prod = synthesized(.prod)
        let yaml = try TemplateReader.parse(prod.rendered(as: .yaml))
        let json = try TemplateReader.parse(prod.rendered(as: .json))
        #expect(TemplateDiff(old: yaml, new: json).isEmpty)
        let reordered = try TemplateReader.parse(reversed(prod.document).rendered(as: .yaml))
        #expect(TemplateDiff(old: yaml, new: reordered).isEmpty)
    }

    @Test("short and long intrinsic forms, quoted numbers and shuffled tags compare equal")
    func noNoise() throws {
        let short = """
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  MessageRetentionPeriod: 1209600
                  KmsMasterKeyId: !GetAtt Key.Arn
                  RedrivePolicy: {deadLetterTargetArn: !Ref Other, maxReceiveCount: 5}
                  Tags: [{Key: A, Value: '1'}, {Key: B, Value: '2'}]
            """
        let long = """
            {"Resources": {"Queue": {"Properties": {
              "Tags": [{"Value": "2", "Key": "B"}, {"Key": "A", "Value": 1}],
              "RedrivePolicy": {"maxReceiveCount": "5", "deadLetterTargetArn": {"Ref": "Other"}},
              "KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
              "MessageRetentionPeriod": "1209600"}, "Type": "AWS::SQS::Queue"}}}
            """
        #expect(try TemplateDiff(old: TemplateReader.parse(short), new: TemplateReader.parse(long)).isEmpty)
    }

    @Test(
        "each replacement rule is flagged as a replacement",
        arguments: ReplacementRules.table.flatMap { type, rules in
            rules.filter { $0.value.impact == .replacement }.map { "\(type) \($0.key)" }
        }.sorted())
    func replacementRule(rule: String) throws {
        let parts = rule.split(separator: " ").map(String.init)
        let (type, property) = (parts[0], parts[1])
        func properties(_ value: String) -> [TemplateEntry] {
            let path = property.split(separator: ".").map(String.init)
            var value = TemplateValue.string(value)
            for key in path.dropFirst().reversed() { value = .map([TemplateEntry(key, value)]) }
            return [TemplateEntry(path[0], value)]
        }
        let diff = TemplateDiff(
            old: template([("Thing", resource(type, properties("a")))]),
            new: template([("Thing", resource(type, properties("b")))]))
        let change = try #require(diff.resources.first)
        #expect(change.impact == .replacement)
        #expect(change.changes.first?.reason?.contains(property.split(separator: ".")[0]) == true)
        #expect(FailLevel.replacement.isReached(by: diff))
    }

    @Test("a property without a replacement rule updates in place")
    func inPlace() throws {
        let diff = TemplateDiff(
            old: template([("Fn", resource("AWS::Lambda::Function", [TemplateEntry("MemorySize", 128)]))]),
            new: template([("Fn", resource("AWS::Lambda::Function", [TemplateEntry("MemorySize", 256)]))]))
        #expect(diff.resources.first?.impact == .noInterruption)
        #expect(!FailLevel.replacement.isReached(by: diff))
        #expect(FailLevel.any.isReached(by: diff))
    }

    @Test("changing the type of a key attribute replaces the table; of a non-key attribute, it does not")
    func keyAttributeType() throws {
        func table(_ idType: String, _ otherType: String) -> TemplateValue {
            template([
                (
                    "T",
                    resource(
                        "AWS::DynamoDB::Table",
                        [
                            TemplateEntry(
                                "AttributeDefinitions",
                                [
                                    .map(["AttributeName": "id", "AttributeType": .string(idType)]),
                                    .map(["AttributeName": "owner", "AttributeType": .string(otherType)]),
                                ]),
                            TemplateEntry("KeySchema", [.map(["AttributeName": "id", "KeyType": "HASH"])]),
                        ])
                )
            ])
        }
        let keyChange = TemplateDiff(old: table("S", "S"), new: table("N", "S"))
        #expect(keyChange.resources.first?.impact == .replacement)
        #expect(keyChange.resources.first?.data == .loss)
        #expect(keyChange.resources.first?.changes.first?.change.path.description == "Properties.AttributeDefinitions[id].AttributeType")
        #expect(TemplateDiff(old: table("S", "S"), new: table("S", "N")).resources.first?.impact == .noInterruption)
    }

    @Test("deleting a stateful resource loses its data unless its DeletionPolicy is Retain")
    func statefulDelete() throws {
        let table = resource("AWS::DynamoDB::Table", [TemplateEntry("TableName", "orders")])
        let lost = TemplateDiff(old: template([("Orders", table)]), new: template([]))
        #expect(lost.resources.first?.kind == .removed)
        #expect(lost.resources.first?.data == .loss)
        #expect(FailLevel.dataLoss.isReached(by: lost))
        let retained = TemplateDiff(old: template([("Orders", resource("AWS::DynamoDB::Table", [], deletionPolicy: "Retain"))]), new: template([]))
        #expect(retained.resources.first?.data == .retained)
        #expect(!FailLevel.dataLoss.isReached(by: retained))
        #expect(FailLevel.replacement.isReached(by: retained))
        let text = TextRenderer(color: false).render(retained, title: "t")
        #expect(text.contains("retained (Retain policy) and left orphaned"))
        let queue = TemplateDiff(old: template([("Q", resource("AWS::SQS::Queue", []))]), new: template([]))
        #expect(queue.resources.first?.data == DataImpact.none)
        let logs = TemplateDiff(old: template([("L", resource("AWS::Logs::LogGroup", [TemplateEntry("RetentionInDays", 30)]))]), new: template([]))
        #expect(logs.resources.first?.data == .loss)
    }

    @Test("replacing a stateful resource loses its data unless its UpdateReplacePolicy is Retain")
    func statefulReplace() throws {
        func bucket(_ name: String, _ policy: String?) -> TemplateValue {
            template([("Site", resource("AWS::S3::Bucket", [TemplateEntry("BucketName", .string(name))], deletionPolicy: policy))])
        }
        #expect(TemplateDiff(old: bucket("a", nil), new: bucket("b", nil)).resources.first?.data == .loss)
        #expect(TemplateDiff(old: bucket("a", "Retain"), new: bucket("b", "Retain")).resources.first?.data == .retained)
    }

    @Test("a renamed logical ID is a delete plus a create, noticed as a likely rename")
    func rename() throws {
        let table = resource("AWS::DynamoDB::Table", [TemplateEntry("BillingMode", "PAY_PER_REQUEST")])
        let diff = TemplateDiff(old: template([("Orders", table)]), new: template([("OrdersTable", table)]))
        #expect(diff.resources.map(\.kind) == [.removed, .added])
        #expect(diff.resources[1].looksRenamedFrom == "Orders")
        #expect(diff.resources[0].data == .loss)
    }

    @Test("parameters, conditions, outputs, transform and globals are compared too")
    func sections() throws {
        let old = try TemplateReader.parse(
            """
            Transform: AWS::Serverless-2016-10-31
            Parameters: {Stage: {Type: String}}
            Globals: {Function: {Timeout: 3}}
            Resources: {}
            Outputs: {Url: {Value: a}}
            """)
        let new = try TemplateReader.parse(
            """
            Parameters: {Stage: {Type: String, Default: dev}, Extra: {Type: String}}
            Conditions: {IsProd: !Equals [!Ref Stage, prod]}
            Globals: {Function: {Timeout: 10}}
            Resources: {}
            """)
        let diff = TemplateDiff(old: old, new: new)
        let described = diff.sections.map { "\($0.section) \($0.name) \($0.kind.rawValue)" }
        #expect(
            described == [
                "Transform  removed", "Parameters Extra added", "Parameters Stage modified", "Conditions IsProd added",
                "Globals Function modified", "Outputs Url removed",
            ])
    }

    @Test("environments: staging → prod adds the web ACL and names the blueprint line of each resource")
    func environments() throws {
        let diff = TemplateDiff(old: synthesized(.staging), new: synthesized(.prod))
        let acl = try #require(diff.resources.first { $0.logicalID == "ApiFirewall" })
        #expect(acl.kind == .added)
        #expect(acl.location?.fileID.hasSuffix("TaskManagement.swift") == true)
        let tasks = try #require(diff.resources.first { $0.logicalID == "TasksTable" })
        #expect(tasks.impact == .replacement)
        #expect(tasks.data == .loss)
        #expect(tasks.changes.contains { $0.change.path.description == "Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled" })
    }

    /// The template with every map's keys in reverse order.
    private func reversed(_ value: TemplateValue) -> TemplateValue {
        switch value {
        case .map(let entries): .map(entries.reversed().map { TemplateEntry($0.key, reversed($0.value)) })
        case .list(let items): .list(items.map(reversed))
        case .intrinsic(let name, let argument): .intrinsic(name, reversed(argument))
        default: value
        }
    }
}

@Suite("Diff: order-free lists and data-bearing types")
struct DiffListTests {
    @Test("DependsOn and IAM statements without Sid compare regardless of order")
    func unorderedLists() throws {
        let old = try TemplateReader.parse(
            """
            Resources:
              R:
                Type: AWS::IAM::Role
                DependsOn: [A, B]
                Properties:
                  Policies:
                  - PolicyName: p
                    PolicyDocument:
                      Statement:
                      - {Effect: Allow, Action: s3:GetObject, Resource: !Sub '${B.Arn}/*'}
                      - {Effect: Allow, Action: sqs:SendMessage, Resource: [!GetAtt Q.Arn, !GetAtt P.Arn]}
            """)
        let new = try TemplateReader.parse(
            """
            Resources:
              R:
                Type: AWS::IAM::Role
                DependsOn: [B, A]
                Properties:
                  Policies:
                  - PolicyName: p
                    PolicyDocument:
                      Statement:
                      - {Resource: [!GetAtt P.Arn, !GetAtt Q.Arn], Action: sqs:SendMessage, Effect: Allow}
                      - {Effect: Allow, Action: s3:GetObject, Resource: !Sub '${B.Arn}/*'}
            """)
        #expect(TemplateDiff(old: old, new: new).isEmpty)
    }

    @Test("a log group without retention keeps its events: deleting it loses data; Snapshot does not keep a table")
    func dataBearing() throws {
        let logs = TemplateDiff(old: template([("L", resource("AWS::Logs::LogGroup", []))]), new: template([]))
        #expect(logs.resources.first?.data == .loss)
        let table = TemplateDiff(old: template([("T", resource("AWS::DynamoDB::Table", [], deletionPolicy: "Snapshot"))]), new: template([]))
        #expect(table.resources.first?.data == .loss)
        let database = TemplateDiff(old: template([("D", resource("AWS::RDS::DBInstance", [], deletionPolicy: "Snapshot"))]), new: template([]))
        #expect(database.resources.first?.data == .retained)
    }
}
