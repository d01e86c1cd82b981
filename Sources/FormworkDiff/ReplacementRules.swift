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

/// The curated table of properties whose change replaces (or interrupts) a resource, checked
/// against the CloudFormation resource reference ("Update requires") and the resource
/// provider schemas' create-only properties.
public enum ReplacementRules {
    /// Property paths (below `Properties`) per resource type, with the impact of changing them.
    /// A path matches the property itself and anything below it.
    public static let table: [String: [String: Impact]] = [
        "AWS::DynamoDB::Table": [
            "TableName": .replacement, "KeySchema": .replacement, "LocalSecondaryIndexes": .replacement,
            "ImportSourceSpecification": .replacement,
        ],
        "AWS::Serverless::SimpleTable": ["TableName": .replacement, "PrimaryKey": .replacement],
        // ObjectLockEnabled is no longer create-only in the provider schema.
        "AWS::S3::Bucket": ["BucketName": .replacement],
        "AWS::S3::BucketPolicy": ["Bucket": .replacement],
        // The CloudFormation reference: changing these makes the stack update fail.
        "AWS::Cognito::UserPool": [
            "UsernameAttributes": .updateFails, "AliasAttributes": .updateFails, "Schema": .updateFails,
            "UsernameConfiguration": .replacement,
        ],
        "AWS::Cognito::UserPoolClient": ["UserPoolId": .replacement, "GenerateSecret": .replacement],
        "AWS::Cognito::UserPoolGroup": ["UserPoolId": .replacement, "GroupName": .replacement],
        "AWS::Cognito::IdentityPoolRoleAttachment": ["IdentityPoolId": .replacement],
        "AWS::Lambda::Function": ["FunctionName": .replacement, "PackageType": .replacement, "TenancyConfig": .replacement],
        "AWS::Serverless::Function": ["FunctionName": .replacement, "PackageType": .replacement, "TenancyConfig": .replacement],
        "AWS::Lambda::Permission": [
            "FunctionName": .replacement, "Action": .replacement, "Principal": .replacement,
            "SourceArn": .replacement, "SourceAccount": .replacement, "EventSourceToken": .replacement,
            "PrincipalOrgID": .replacement, "FunctionUrlAuthType": .replacement,
        ],
        "AWS::SNS::Topic": ["TopicName": .replacement, "FifoTopic": .replacement],
        "AWS::SNS::Subscription": ["Endpoint": .replacement, "Protocol": .replacement, "TopicArn": .replacement],
        "AWS::SQS::Queue": ["QueueName": .replacement, "FifoQueue": .replacement],
        "AWS::Logs::LogGroup": ["LogGroupName": .replacement],
        "AWS::IAM::Role": ["RoleName": .replacement, "Path": .replacement],
        // The CloudFormation reference: changing these makes the stack update fail.
        "AWS::KMS::Key": ["KeySpec": .updateFails, "KeyUsage": .updateFails],
        "AWS::KMS::Alias": ["AliasName": .replacement],
        "AWS::WAFv2::WebACL": ["Name": .replacement, "Scope": .replacement],
        "AWS::WAFv2::IPSet": ["Name": .replacement, "Scope": .replacement],
        "AWS::WAFv2::WebACLAssociation": ["ResourceArn": .replacement, "WebACLArn": .replacement],
        "AWS::WAFv2::LoggingConfiguration": ["ResourceArn": .replacement],
        "AWS::Events::Rule": ["Name": .replacement],
        "AWS::SES::EmailIdentity": ["EmailIdentity": .replacement],
        "AWS::SSM::Parameter": ["Name": .replacement],
        "AWS::CloudTrail::Trail": ["TrailName": .replacement],
        "AWS::Budgets::Budget": ["NotificationsWithSubscribers": .replacement, "Budget.BudgetName": .replacement],
        "AWS::CloudWatch::Alarm": ["AlarmName": .replacement],
        "AWS::CloudWatch::Dashboard": ["DashboardName": .replacement],
        "AWS::Serverless::Api": ["StageName": .someInterruption],
        "AWS::ApiGateway::Stage": ["RestApiId": .replacement, "StageName": .replacement],
        "AWS::ApiGateway::Deployment": ["RestApiId": .replacement],
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
        for (property, impact) in rules where text == property || text.hasPrefix(property + ".") || text.hasPrefix(property + "[") {
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
