/// The roles of a delivery pipeline.
public enum DeliveryRole: String, Sendable, Hashable, CaseIterable {
    /// CodePipeline's: moves artifacts, runs the builds, deploys through change sets.
    case pipeline = "PipelineRole"
    /// The build project's.
    case build = "BuildRole"
    /// The projects' that build the functions' bootstrap on the Lambda runtime's glibc.
    case bootstrap = "BootstrapRole"
    /// The diff gate project's.
    case diffGate = "DiffGateRole"
    /// CloudFormation's, while it deploys the environments' stacks.
    case deployment = "DeploymentRole"
}

/// Access a pipeline role is given, as a value. Like a function's ``Grant``, its actions come
/// from the one action table, ``GrantActions``; the emitter scopes them to the ARNs of what the
/// access names (the artifact bucket, the environments' stacks, the role's own log group).
public struct DeliveryGrant: Sendable, Hashable {
    /// What kind of access is granted.
    public enum Access: String, Sendable, Hashable, CaseIterable {
        case writeOwnLogs = "WritesItsLogs"
        case readArtifacts = "ReadsArtifacts"
        case readWriteArtifacts = "ReadsAndWritesArtifacts"
        case findArtifactBucket = "FindsTheArtifactBucket"
        case useArtifactKey = "UsesTheArtifactKey"
        case runBuilds = "RunsItsBuilds"
        case deployStacks = "DeploysTheEnvironmentsStacks"
        case useSAMTransform = "UsesTheSAMTransform"
        case passDeploymentRole = "PassesTheDeploymentRole"
        case readDeployedTemplates = "ReadsTheDeployedTemplate"
        case readRepository = "ReadsTheRepository"
        case requestApproval = "AsksForApproval"
        case manageStackResources = "ManagesTheStacksResources"
        case manageStackRoles = "ManagesTheStacksRoles"
        case readPackagedCode = "ReadsPackagedCode"
    }

    /// The kind of access.
    public let access: Access

    /// Grants `access`.
    public init(access: Access) { self.access = access }

    /// The IAM actions it allows, sorted. `manageStackResources` depends on the services the
    /// environments use and `readRepository` on the source; see ``GrantActions``.
    public func actions(services: [String] = [], source: Delivery.Source? = nil) -> [String] {
        GrantActions.actions(for: access, services: services, source: source)
    }
}

extension Delivery {
    /// What each of the pipeline's roles is granted.
    public var grants: [DeliveryRole: [DeliveryGrant]] {
        let pipeline: [DeliveryGrant.Access] = [
            .readWriteArtifacts, .findArtifactBucket, .useArtifactKey, .runBuilds, .deployStacks, .useSAMTransform, .passDeploymentRole, .requestApproval,
            .readRepository,
        ]
        let gate: [DeliveryGrant.Access] = [.writeOwnLogs, .readArtifacts, .useArtifactKey] + (diffGates.isEmpty ? [] : [.readDeployedTemplates])
        let grants: [DeliveryRole: [DeliveryGrant.Access]] = [
            .pipeline: pipeline,
            // The build clones the repository itself (CODEBUILD_CLONE_REF), so it reads it too.
            .build: [.writeOwnLogs, .readWriteArtifacts, .findArtifactBucket, .useArtifactKey, .readRepository],
            .bootstrap: [.writeOwnLogs, .readWriteArtifacts, .findArtifactBucket, .useArtifactKey, .readRepository],
            .diffGate: gate,
            .deployment: [.manageStackResources, .manageStackRoles, .readPackagedCode, .useArtifactKey],
        ]
        return grants.mapValues { $0.map(DeliveryGrant.init(access:)) }
    }
}

extension GrantActions {
    /// The actions of a pipeline role's access.
    public static func actions(for access: DeliveryGrant.Access, services: [String] = [], source: Delivery.Source? = nil) -> [String] {
        let actions: [String] =
            switch access {
            case .writeOwnLogs: ownLogs
            case .readArtifacts, .readPackagedCode: ["s3:GetObject", "s3:GetObjectVersion"]
            case .readWriteArtifacts: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
            case .findArtifactBucket: ["s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucket"]
            case .useArtifactKey: ["kms:Decrypt", "kms:GenerateDataKey"]
            case .runBuilds: ["codebuild:BatchGetBuilds", "codebuild:StartBuild"]
            case .deployStacks:
                [
                    "cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet", "cloudformation:DescribeChangeSet",
                    "cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet",
                ]
            case .useSAMTransform: ["cloudformation:CreateChangeSet"]
            case .passDeploymentRole: ["iam:PassRole"]
            case .readDeployedTemplates: ["cloudformation:DescribeStacks", "cloudformation:GetTemplate"]
            case .readRepository:
                switch source {
                case .codeCommit?:
                    [
                        "codecommit:CancelUploadArchive", "codecommit:GetBranch", "codecommit:GetCommit", "codecommit:GetUploadArchiveStatus",
                        "codecommit:GitPull", "codecommit:UploadArchive",
                    ]
                default: ["codeconnections:UseConnection", "codestar-connections:UseConnection"]
                }
            case .requestApproval: ["sns:Publish"]
            case .manageStackResources: services.filter { $0 != "iam" }.map { "\($0):*" }
            case .manageStackRoles:
                [
                    "iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:GetRole",
                    "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:PassRole", "iam:PutRolePolicy",
                    "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy",
                ]
            }
        return Array(Set(actions)).sorted()
    }
}
