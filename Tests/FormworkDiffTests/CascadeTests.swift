import FormworkDiff
import FormworkTemplate
import Testing

@Suite("Replacement cascades: what refers to a replaced resource by a create-only property is replaced too")
struct CascadeTests {
    func diff(_ old: String, _ new: String) throws -> TemplateDiff {
        TemplateDiff(old: try TemplateReader.parse(old), new: try TemplateReader.parse(new))
    }

    func change(_ diff: TemplateDiff, _ id: String) throws -> ResourceChange {
        try #require(diff.resources.first { $0.logicalID == id }, "\(id) is not in the diff")
    }

    static func functionTemplate(name: String) -> String {
        """
        Resources:
          Handler:
            Type: AWS::Lambda::Function
            Properties: {FunctionName: \(name), Role: arn:aws:iam::1:role/r, Runtime: provided.al2023, Handler: bootstrap}
          Topic: {Type: AWS::SNS::Topic, Properties: {}}
          Subscription:
            Type: AWS::SNS::Subscription
            Properties: {Protocol: lambda, TopicArn: !Ref Topic, Endpoint: !GetAtt Handler.Arn}
          Permission:
            Type: AWS::Lambda::Permission
            Properties: {Action: lambda:InvokeFunction, Principal: sns.amazonaws.com, FunctionName: !Ref Handler, SourceArn: !Ref Topic}
          Alarm:
            Type: AWS::CloudWatch::Alarm
            Properties:
              MetricName: Errors
              Dimensions: [{Name: FunctionName, Value: !Ref Handler}]
        """
    }

    @Test("a function rename replaces its subscription and permission; an alarm on it is updated")
    func functionRename() throws {
        let diff = try diff(Self.functionTemplate(name: "old-name"), Self.functionTemplate(name: "new-name"))
        #expect(try change(diff, "Handler").impact == .replacement)
        let subscription = try change(diff, "Subscription")
        #expect(subscription.impact == .replacement && subscription.replacedBecause == "Handler")
        #expect(subscription.changes.map(\.change.path.description) == ["Properties.Endpoint"])
        #expect(subscription.changes.first?.reason?.hasPrefix("refers to Handler, which is replaced") == true)
        #expect(try change(diff, "Permission").replacedBecause == "Handler")
        let alarm = try change(diff, "Alarm")
        #expect(alarm.kind == .modified && alarm.impact == .noInterruption && alarm.replacedBecause == nil)
        #expect(alarm.changes.map(\.change.path.description) == ["Properties.Dimensions"])
        #expect(!diff.resources.contains { $0.logicalID == "Topic" }, "the topic refers to nothing replaced")
        #expect(DiffSummary(diff).replacements == 3)
    }

    @Test("a user pool replaced replaces its client and its groups, and the data note says why")
    func userPool() throws {
        func pool(_ caseSensitive: Bool) -> String {
            """
            Resources:
              Pool: {Type: AWS::Cognito::UserPool, Properties: {UsernameConfiguration: {CaseSensitive: \(caseSensitive)}}}
              Client: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: !Ref Pool, ClientName: web}}
              Admins: {Type: AWS::Cognito::UserPoolGroup, Properties: {UserPoolId: !Ref Pool, GroupName: Admin}}
            """
        }
        let diff = try diff(pool(true), pool(false))
        #expect(try change(diff, "Client").replacedBecause == "Pool")
        #expect(try change(diff, "Admins").replacedBecause == "Pool")
        let text = TextRenderer(color: false).render(diff, title: "pool")
        #expect(text.contains("! replaces Client because Pool is replaced"))
        #expect(text.contains("Properties.UserPoolId: refers to Pool, which is replaced"))
    }

    @Test("chains are followed: a replaced table's stream mapping, then what refers to the mapping by a create-only property")
    func transitive() throws {
        func chain(_ tableName: String) -> String {
            """
            Resources:
              Table: {Type: AWS::DynamoDB::Table, Properties: {TableName: \(tableName), KeySchema: [{AttributeName: id, KeyType: HASH}]}}
              Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${Table}-dlq"}}
              Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: !Sub ["${Q}-alerts", {Q: !GetAtt Queue.QueueName}]}}
              Reader:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument: {}
                  Policies: [{PolicyName: read, PolicyDocument: {Statement: [{Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Table.Arn}]}}]
            """
        }
        let diff = try diff(chain("orders-v1"), chain("orders-v2"))
        #expect(try change(diff, "Table").data == .loss)
        #expect(try change(diff, "Queue").replacedBecause == "Table")
        #expect(try change(diff, "Topic").replacedBecause == "Queue")
        let reader = try change(diff, "Reader")
        #expect(reader.impact == .noInterruption && reader.replacedBecause == nil)
        #expect(reader.changes.map(\.change.path.description) == ["Properties.Policies"])
        let json = JSONRenderer.render(diff, title: "chain")
        #expect(json.contains(#""replacedBecause": "Queue""#))
    }

    @Test("nothing cascades from a resource that is only updated")
    func noCascade() throws {
        let diff = try diff(
            "Resources: {Table: {Type: AWS::DynamoDB::Table, Properties: {BillingMode: PROVISIONED}}, Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref Table}}}",
            "Resources: {Table: {Type: AWS::DynamoDB::Table, Properties: {BillingMode: PAY_PER_REQUEST}}, Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref Table}}}"
        )
        #expect(diff.resources.map(\.logicalID) == ["Table"])
    }
}
