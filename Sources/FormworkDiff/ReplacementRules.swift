import FormworkTemplate

/// What updating a resource does to it, from CloudFormation's "Update requires".
public enum Impact: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Updated in place without interruption (or only metadata changed).
    case noInterruption = 0
    /// Updated in place with some interruption.
    case someInterruption = 1
    /// A new physical resource is created and the old one deleted.
    case replacement = 2
    /// CloudFormation cannot apply the change at all: the stack update fails and rolls back.
    /// The way out is a new logical ID (a new resource beside the old one) or a blue/green move.
    case updateFails = 3

    public static func < (lhs: Impact, rhs: Impact) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The stable name used in JSON and text output.
    public var description: String {
        switch self {
        case .noInterruption: "no-interruption"
        case .someInterruption: "some-interruption"
        case .replacement: "replacement"
        case .updateFails: "update-fails"
        }
    }
}

/// One rule of the replacement table: the impact of changing a property, and for a rule the
/// provider schema does not state (the property is not create-only there), the documentation
/// line it rests on.
public struct ReplacementRule: Sendable, Equatable {
    /// What changing the property does.
    public var impact: Impact
    /// A documentation URL and the line quoted from it; nil when the property is create-only in
    /// the resource provider schema.
    public var citation: String?

    /// Create-only in the provider schema: a change replaces the resource.
    public static let replacement = ReplacementRule(impact: .replacement, citation: nil)

    /// A replacement the documentation states.
    public static func replacement(citing citation: String) -> ReplacementRule { ReplacementRule(impact: .replacement, citation: citation) }

    /// An update CloudFormation refuses, as the documentation states.
    public static func updateFails(citing citation: String) -> ReplacementRule { ReplacementRule(impact: .updateFails, citation: citation) }

    /// An update with some interruption, as the documentation states.
    public static func someInterruption(citing citation: String) -> ReplacementRule {
        ReplacementRule(impact: .someInterruption, citation: citation)
    }
}

/// The curated table of properties whose change replaces (or interrupts) a resource, checked
/// against the CloudFormation resource provider schemas' create-only properties (a test reads
/// cfn-lint's bundled copy) and, where a rule goes beyond them, the documentation it cites.
public enum ReplacementRules {
    static let dynamoDBReference = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html"
    static let cognitoSettings = "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html"
    static let kmsReference = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html"
    static let samFunction = "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html"
    static let samSimpleTable = "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-simpletable.html"

    /// Property paths (below `Properties`) per resource type, with the impact of changing them.
    /// A path matches the property itself and anything below it.
    public static let table: [String: [String: ReplacementRule]] = [
        "AWS::DynamoDB::Table": [
            "TableName": .replacement, "ImportSourceSpecification": .replacement,
            "KeySchema": .replacement(citing: "\(dynamoDBReference) — KeySchema: \"Update requires: Replacement\""),
            "LocalSecondaryIndexes": .replacement(citing: "\(dynamoDBReference) — LocalSecondaryIndexes: \"Update requires: Replacement\""),
        ],
        "AWS::Serverless::SimpleTable": [
            "TableName": .replacement(
                citing: "\(samSimpleTable) — TableName: \"This property is passed directly to the TableName property of an AWS::DynamoDB::Table resource\""),
            "PrimaryKey": .replacement(
                citing: "\(samSimpleTable) — PrimaryKey: \"Attribute name and type to be used as the table's primary key\"; "
                    + "a table's key schema cannot change in place (\(dynamoDBReference) — KeySchema: \"Update requires: Replacement\")"),
        ],
        "AWS::S3::Bucket": ["BucketName": .replacement, "BucketNamePrefix": .replacement, "BucketNamespace": .replacement],
        "AWS::S3::BucketPolicy": ["Bucket": .replacement],
        "AWS::Cognito::UserPool": [
            "UsernameAttributes": .updateFails(
                citing: "\(cognitoSettings) — Settings you can't change, sign-in options: \"To change user pool sign-in options, create a new user pool\""),
            "AliasAttributes": .updateFails(
                citing: "\(cognitoSettings) — Settings you can't change, sign-in options: \"To change user pool sign-in options, create a new user pool\""),
            "Schema": .updateFails(
                citing: "\(cognitoSettings) — Settings you can't change, required attributes: \"To change required attributes, create a new user pool\""),
            "UsernameConfiguration": .replacement(
                citing: "\(cognitoSettings) — Settings you can't change, case sensitivity: \"To change case sensitivity, create a new user pool\""),
        ],
        "AWS::Cognito::UserPoolClient": ["UserPoolId": .replacement, "GenerateSecret": .replacement],
        "AWS::Cognito::UserPoolGroup": ["UserPoolId": .replacement, "GroupName": .replacement],
        "AWS::Cognito::IdentityPoolRoleAttachment": ["IdentityPoolId": .replacement],
        "AWS::Lambda::Function": ["FunctionName": .replacement, "PackageType": .replacement, "TenancyConfig": .replacement],
        "AWS::Serverless::Function": [
            "FunctionName": .replacement(
                citing: "\(samFunction) — FunctionName: \"This property is passed directly to the FunctionName property of an AWS::Lambda::Function resource\""),
            "PackageType": .replacement(
                citing: "\(samFunction) — PackageType: \"This property is passed directly to the PackageType property of an AWS::Lambda::Function resource\""),
            "TenancyConfig": .replacement(
                citing:
                    "\(samFunction) — TenancyConfig: \"This property is passed directly to the TenancyConfig property of an AWS::Lambda::Function resource\""),
        ],
        "AWS::Lambda::Permission": [
            "FunctionName": .replacement, "Action": .replacement, "Principal": .replacement,
            "SourceArn": .replacement, "SourceAccount": .replacement, "EventSourceToken": .replacement,
            "PrincipalOrgID": .replacement, "FunctionUrlAuthType": .replacement, "InvokedViaFunctionUrl": .replacement,
        ],
        "AWS::SNS::Topic": ["TopicName": .replacement, "FifoTopic": .replacement],
        "AWS::SNS::Subscription": ["Endpoint": .replacement, "Protocol": .replacement, "TopicArn": .replacement],
        "AWS::SQS::Queue": ["QueueName": .replacement, "FifoQueue": .replacement],
        "AWS::Logs::LogGroup": ["LogGroupName": .replacement],
        "AWS::IAM::Role": ["RoleName": .replacement, "Path": .replacement],
        "AWS::KMS::Key": Dictionary(
            uniqueKeysWithValues: ["KeySpec", "KeyUsage", "Origin", "MultiRegion"].map { property in
                (
                    property,
                    ReplacementRule.updateFails(
                        citing: "\(kmsReference) — \(property): \"If you change the value of the KeySpec, KeyUsage, Origin, or MultiRegion "
                            + "properties of an existing KMS key, the update request fails\"")
                )
            }),
        "AWS::KMS::Alias": ["AliasName": .replacement],
        "AWS::WAFv2::WebACL": ["Name": .replacement, "Scope": .replacement],
        "AWS::WAFv2::IPSet": ["Name": .replacement, "Scope": .replacement],
        "AWS::WAFv2::WebACLAssociation": ["ResourceArn": .replacement, "WebACLArn": .replacement],
        "AWS::WAFv2::LoggingConfiguration": ["ResourceArn": .replacement],
        "AWS::Events::Rule": ["Name": .replacement],
        "AWS::SES::EmailIdentity": ["EmailIdentity": .replacement],
        "AWS::SSM::Parameter": ["Name": .replacement],
        "AWS::CloudTrail::Trail": ["TrailName": .replacement],
        "AWS::Budgets::Budget": ["NotificationsWithSubscribers": .replacement],
        "AWS::CloudWatch::Alarm": ["AlarmName": .replacement],
        "AWS::CloudWatch::Dashboard": ["DashboardName": .replacement],
        "AWS::ApiGateway::Stage": ["RestApiId": .replacement, "StageName": .replacement],
        "AWS::ApiGateway::Deployment": ["RestApiId": .replacement, "DeploymentCanarySettings": .replacement],
    ]

    /// Resource types that hold data: deleting or replacing them loses it.
    public static let statefulTypes: Set<String> = [
        "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable", "AWS::S3::Bucket",
        "AWS::Cognito::UserPool", "AWS::KMS::Key", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::EFS::FileSystem",
    ]

    /// Whether a resource of this type holds data (log groups keep their events, with or
    /// without a retention period).
    public static func isStateful(type: String) -> Bool {
        statefulTypes.contains(type) || type == "AWS::Logs::LogGroup"
    }

    /// Types whose `DeletionPolicy`/`UpdateReplacePolicy` may be `Snapshot`, which keeps the data.
    public static let snapshotTypes: Set<String> = [
        "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::EC2::Volume", "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup", "AWS::Neptune::DBCluster", "AWS::Redshift::Cluster", "AWS::DocDB::DBCluster",
    ]

    /// The impact of changing `path` (below `Properties`) of a resource of `type`.
    public static func impact(type: String, path: ValuePath) -> (Impact, String?) {
        guard let rules = table[type] else { return (.noInterruption, nil) }
        let text = path.description
        for (property, rule) in rules where text == property || text.hasPrefix(property + ".") || text.hasPrefix(property + "[") {
            let impact = rule.impact
            let effect =
                switch impact {
                case .updateFails: "the stack update fails (the property cannot change once set)"
                case .replacement: "Update requires Replacement"
                default: "Update requires Some interruptions"
                }
            return (impact, "\(type) \(property): \(effect)")
        }
        return (.noInterruption, nil)
    }
}

extension ReplacementRules {
    /// The table as JSON, sorted by type then property:
    /// `{"rules": [{"type", "property", "impact", "citation": String|null}]}`.
    public static var jsonText: String {
        let rules = table.sorted { $0.key < $1.key }.flatMap { type, rules in
            rules.sorted { $0.key < $1.key }.map { property, rule in
                TemplateValue.map([
                    TemplateEntry("type", .string(type)), TemplateEntry("property", .string(property)),
                    TemplateEntry("impact", .string(rule.impact.description)),
                    TemplateEntry("citation", rule.citation.map(TemplateValue.string) ?? .null),
                ])
            }
        }
        return TemplateValue.map([TemplateEntry("rules", .list(rules))]).jsonText()
    }
}
