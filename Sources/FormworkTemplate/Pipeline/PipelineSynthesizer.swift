import Formwork

/// A CodeBuild buildspec the pipeline runs, as a document and as the commands it lists.
public struct Buildspec: Sendable {
    /// The file name below `output/pipeline/`.
    public var fileName: String
    /// The buildspec (version 0.2).
    public var document: TemplateValue
    /// Every command, in the order the phases run them.
    public var commands: [String]
}

/// What synthesizing a delivery pipeline produces.
public struct PipelineSynthesis: Sendable {
    /// The pipeline's stack.
    public var template: Template
    /// The buildspecs its CodeBuild projects run, from `output/pipeline/`.
    public var buildspecs: [Buildspec]
    /// Problems with the delivery, at the blueprint's lines.
    public var diagnostics: [Diagnostic]
}

/// Writes a blueprint's ``Delivery`` as a stack of its own: the artifact bucket and key, the
/// CodeBuild projects with their log groups, least-privilege roles for CodePipeline, CodeBuild,
/// the diff gate and the CloudFormation deployment, the pipeline, and its notifications.
public struct PipelineSynthesizer {
    /// Where the pipeline's files go, below the output directory.
    public static let directory = "pipeline"

    let blueprint: any Blueprint
    let delivery: Delivery
    let tags: [(key: String, value: String)]

    /// Prepares the pipeline of `blueprint`'s delivery.
    public init(blueprint: any Blueprint, delivery: Delivery) {
        self.blueprint = blueprint
        self.delivery = delivery
        var tags = (blueprint.environments.first.map { blueprint.architecture(for: $0).tags } ?? []).filter { $0.key != "Environment" }
        if !tags.contains(where: { $0.key == "Project" }) { tags.insert(("Project", blueprint.name), at: 0) }
        tags.append(("Environment", "pipeline"))
        self.tags = tags
    }

    var tagList: TemplateValue { .list(tags.map { .map(["Key": .string($0.key), "Value": .string($0.value)]) }) }

    /// The stack and buildspecs; the template is empty when the delivery has errors.
    public func synthesize() -> PipelineSynthesis {
        let diagnostics = delivery.validate(environments: blueprint.environments)
        let buildspecs = [buildBuildspec, gateBuildspec]
        if diagnostics.hasErrors { return PipelineSynthesis(template: Template(), buildspecs: buildspecs, diagnostics: diagnostics) }
        var template = Template()
        template.description = "\(blueprint.name): the delivery pipeline (\(delivery.stages.map(\.name).joined(separator: " → ")))"
        template.parameters = parameters
        template.resources =
            [
                artifactKey, artifactKeyAlias, artifactBucket, artifactBucketPolicy,
                logGroup("BuildLogs", suffix: "build"), logGroup("DiffGateLogs", suffix: "diff-gate"),
                buildRole, gateRole, deploymentRole, pipelineRole,
                project(
                    "BuildProject", suffix: "build", role: "BuildRole", logs: "BuildLogs", buildspec: buildspecs[0], compute: "BUILD_GENERAL1_LARGE",
                    minutes: 90),
                project(
                    "DiffGateProject", suffix: "diff-gate", role: "DiffGateRole", logs: "DiffGateLogs", buildspec: buildspecs[1],
                    compute: "BUILD_GENERAL1_SMALL", minutes: 15),
                pipeline, notificationsTopic, notificationsTopicPolicy,
            ] + subscriptions + [notificationRule]
        template.outputs = [
            output("PipelineName", .ref(delivery.name), "The pipeline"),
            output("ArtifactBucketName", .ref("ArtifactBucket"), "Where builds keep templates, packages and the formwork binary"),
            output("NotificationsTopicArn", .ref("NotificationsTopic"), "Failed and succeeded executions, and approvals"),
        ]
        for index in template.resources.indices { template.resources[index].originLocation = delivery.location }
        return PipelineSynthesis(template: template, buildspecs: buildspecs, diagnostics: diagnostics)
    }

    // MARK: - Buildspecs

    /// The packaged template of an environment, as the build writes it and the deploy action reads it.
    func packagedTemplate(_ environment: Environment) -> String { "packaged/\(environment.name).yaml" }

    /// The AWS CLI the diff gate reads the deployed template with, pinned.
    static let awsCLI = "awscli==1.45.11"

    /// Where the build keeps the Python tools `make deps` installs (Debian's own Python refuses
    /// packages outside a virtual environment).
    static let toolsVenv = "/opt/formwork-tools"

    var buildBuildspec: Buildspec {
        let install = [
            "apt-get update", "apt-get install -y --no-install-recommends python3 python3-venv git",
            "python3 -m venv \(Self.toolsVenv)", "export PATH=\"\(Self.toolsVenv)/bin:$PATH\"", "make deps",
        ]
        let build = [
            "make test",
            "swift run formwork check",
            "swift run formwork synth --all",
            "swift run formwork package",
            "swift build -c release --product formwork",
        ]
        // `make test` installed the pinned SAM CLI in .venv-sam.
        let post =
            ["mkdir -p bin packaged", "cp \"$(swift build -c release --show-bin-path)/formwork\" bin/formwork"]
            + delivery.stages.map { env in
                ".venv-sam/bin/sam package --template-file output/\(env.name)/template.yaml --s3-bucket \"$ARTIFACT_BUCKET\" "
                    + "--s3-prefix \(blueprint.stackName(for: env)) --output-template-file \(packagedTemplate(env))"
            }
        return buildspec(
            "buildspec-build.yml", phases: [("install", install), ("build", build), ("post_build", post)],
            artifacts: ["packaged/**/*", "output/**/*", "bin/formwork"])
    }

    var gateBuildspec: Buildspec {
        let install = [
            "apt-get update", "apt-get install -y --no-install-recommends python3 python3-venv libyaml-0-2", "python3 -m venv .venv-aws",
            ".venv-aws/bin/pip install --quiet \(Self.awsCLI)",
        ]
        // A stack that does not exist, or exists only as a first change set under review, has no
        // template yet: everything is new.
        let build = [
            "if [ \"$ALLOW_DATA_LOSS\" = true ]; then FAIL_ON=none; fi",
            "STATUS=\"$(.venv-aws/bin/aws cloudformation describe-stacks --stack-name \"$STACK_NAME\" --query 'Stacks[0].StackStatus' --output text 2> /dev/null || echo NONE)\"",
            "if [ \"$STATUS\" != NONE ] && [ \"$STATUS\" != REVIEW_IN_PROGRESS ]; then "
                + ".venv-aws/bin/aws cloudformation get-template --stack-name \"$STACK_NAME\" --template-stage Original > deployed.json; "
                + "else echo '{\"TemplateBody\": {\"Resources\": {}}}' > deployed.json; fi",
            "chmod +x bin/formwork",
            "./bin/formwork diff --env \"$ENVIRONMENT\" --against deployed.json --format text --fail-on \"$FAIL_ON\"",
        ]
        return buildspec("buildspec-diff.yml", phases: [("install", install), ("build", build)], artifacts: [])
    }

    private func buildspec(_ name: String, phases: [(String, [String])], artifacts: [String]) -> Buildspec {
        var entries: [TemplateEntry] = [
            TemplateEntry("version", "0.2"),
            TemplateEntry("env", .map([TemplateEntry("shell", "bash")])),
            TemplateEntry("phases", .map(phases.map { TemplateEntry($0.0, .map([TemplateEntry("commands", .strings($0.1))])) })),
        ]
        if !artifacts.isEmpty { entries.append(TemplateEntry("artifacts", .map([TemplateEntry("files", .strings(artifacts))]))) }
        return Buildspec(fileName: name, document: .map(entries), commands: phases.flatMap(\.1))
    }

    // MARK: - Parameters and outputs

    var parameters: [TemplateEntry] {
        var entries: [TemplateEntry] = []
        if case .gitHub = delivery.source {
            entries.append(
                TemplateEntry(
                    "ConnectionArn",
                    .map([
                        "Type": "String",
                        "Description": "An AVAILABLE AWS CodeConnections connection to GitHub that can read the repository",
                        "AllowedPattern": "arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:[0-9]{12}:connection/.+",
                    ])))
        }
        entries.append(
            TemplateEntry(
                "BuildImage",
                .map([
                    "Type": "String", "Default": .string(delivery.buildImage),
                    "Description": "The CodeBuild image: a Swift toolchain on Debian for arm64 (make test installs the rest)",
                ])))
        return entries
    }

    private func output(_ name: String, _ value: TemplateValue, _ description: String) -> TemplateEntry {
        TemplateEntry(
            name,
            .map(["Description": .string(description), "Value": value, "Export": .map(["Name": .sub("${AWS::StackName}-\(name)")])]))
    }

    // MARK: - Artifacts

    var artifactKey: TemplateResource {
        var key = TemplateResource("ArtifactKey", type: "AWS::KMS::Key", properties: [])
        key.properties = [
            TemplateEntry("Description", .string("Encrypts \(blueprint.name)'s pipeline artifacts, build logs and notifications")),
            TemplateEntry("EnableKeyRotation", true),
            TemplateEntry("PendingWindowInDays", 30),
            TemplateEntry(
                "KeyPolicy",
                .map([
                    "Version": "2012-10-17",
                    "Statement": .list([
                        .map([
                            "Sid": "AccountAdministersKey", "Effect": "Allow",
                            "Principal": .map(["AWS": .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")]),
                            "Action": "kms:*", "Resource": "*",
                        ]),
                        .map([
                            "Sid": "CloudWatchLogsEncryptsBuildLogs", "Effect": "Allow",
                            "Principal": .map(["Service": .sub("logs.${AWS::Region}.amazonaws.com")]),
                            "Action": .strings(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"]),
                            "Resource": "*",
                            "Condition": .map([
                                "ArnLike": .map([
                                    "kms:EncryptionContext:aws:logs:arn": .sub(
                                        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/codebuild/${AWS::StackName}-*")
                                ])
                            ]),
                        ]),
                        .map([
                            "Sid": "CloudWatchLogsDescribesKey", "Effect": "Allow",
                            "Principal": .map(["Service": .sub("logs.${AWS::Region}.amazonaws.com")]),
                            "Action": "kms:DescribeKey", "Resource": "*",
                        ]),
                        .map([
                            "Sid": "NotificationsPublishEncrypted", "Effect": "Allow",
                            "Principal": .map(["Service": "codestar-notifications.amazonaws.com"]),
                            "Action": .strings(["kms:Decrypt", "kms:GenerateDataKey"]), "Resource": "*",
                            "Condition": .map(["StringEquals": .map(["kms:ViaService": .sub("sns.${AWS::Region}.amazonaws.com")])]),
                        ]),
                    ]),
                ])),
            TemplateEntry("Tags", tagList),
        ]
        key.deletionPolicy = "Retain"
        key.updateReplacePolicy = "Retain"
        return key
    }

    var artifactKeyAlias: TemplateResource {
        TemplateResource(
            "ArtifactKeyAlias", type: "AWS::KMS::Alias",
            properties: [
                TemplateEntry("AliasName", .sub("alias/${AWS::StackName}-artifacts")), TemplateEntry("TargetKeyId", .ref("ArtifactKey")),
            ])
    }

    var artifactBucket: TemplateResource {
        var bucket = TemplateResource(
            "ArtifactBucket", type: "AWS::S3::Bucket",
            properties: [
                TemplateEntry(
                    "BucketEncryption",
                    .map([
                        "ServerSideEncryptionConfiguration": .list([
                            .map([
                                "ServerSideEncryptionByDefault": .map(["SSEAlgorithm": "aws:kms", "KMSMasterKeyID": .getAtt("ArtifactKey", "Arn")]),
                                "BucketKeyEnabled": true,
                            ])
                        ])
                    ])),
                TemplateEntry("VersioningConfiguration", .map(["Status": "Enabled"])),
                TemplateEntry(
                    "PublicAccessBlockConfiguration",
                    .map(["BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true])),
                TemplateEntry("OwnershipControls", .map(["Rules": .list([.map(["ObjectOwnership": "BucketOwnerEnforced"])])])),
                TemplateEntry(
                    "LifecycleConfiguration",
                    .map([
                        "Rules": .list([
                            // Current objects stay: the deployed stacks' packaged code lives here, and a
                            // rollback needs it. Replaced versions and unfinished uploads go.
                            .map([
                                "Id": "ExpireReplacedArtifacts", "Status": "Enabled",
                                "NoncurrentVersionExpiration": .map(["NoncurrentDays": .int(delivery.artifactRetention.days)]),
                                "AbortIncompleteMultipartUpload": .map(["DaysAfterInitiation": 7]),
                            ])
                        ])
                    ])),
                TemplateEntry("Tags", tagList),
            ])
        bucket.skipCheck(
            "CKV_AWS_18",
            because:
                "Build artifacts and packaged code, read only by the pipeline's roles; CloudTrail records their access")
        return bucket
    }

    var artifactBucketPolicy: TemplateResource {
        TemplateResource(
            "ArtifactBucketPolicy", type: "AWS::S3::BucketPolicy",
            properties: [
                TemplateEntry("Bucket", .ref("ArtifactBucket")),
                TemplateEntry(
                    "PolicyDocument",
                    .map([
                        "Version": "2012-10-17",
                        "Statement": .list([
                            .map([
                                "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                "Resource": .list([.getAtt("ArtifactBucket", "Arn"), .sub("${ArtifactBucket.Arn}/*")]),
                                "Condition": .map(["Bool": .map(["aws:SecureTransport": "false"])]),
                            ])
                        ]),
                    ])),
            ])
    }

    // MARK: - Builds

    func logGroup(_ id: String, suffix: String) -> TemplateResource {
        var group = TemplateResource(
            id, type: "AWS::Logs::LogGroup",
            properties: [
                TemplateEntry("LogGroupName", .sub("/aws/codebuild/${AWS::StackName}-\(suffix)")),
                TemplateEntry("RetentionInDays", .int(delivery.logRetention.days)),
                TemplateEntry("KmsKeyId", .getAtt("ArtifactKey", "Arn")),
                TemplateEntry("Tags", tagList),
            ])
        group.deletionPolicy = "Delete"
        group.updateReplacePolicy = "Delete"
        return group
    }

    func project(_ id: String, suffix: String, role: String, logs: String, buildspec: Buildspec, compute: String, minutes: Int) -> TemplateResource {
        TemplateResource(
            id, type: "AWS::CodeBuild::Project",
            properties: [
                TemplateEntry("Name", .sub("${AWS::StackName}-\(suffix)")),
                TemplateEntry("ServiceRole", .getAtt(role, "Arn")),
                TemplateEntry("Artifacts", .map(["Type": "CODEPIPELINE"])),
                TemplateEntry("Source", .map(["Type": "CODEPIPELINE", "BuildSpec": .string("output/\(Self.directory)/\(buildspec.fileName)")])),
                TemplateEntry(
                    "Environment",
                    .map([
                        "Type": "ARM_CONTAINER", "ComputeType": .string(compute), "Image": .ref("BuildImage"),
                        "EnvironmentVariables": .list([.map(["Name": "ARTIFACT_BUCKET", "Type": "PLAINTEXT", "Value": .ref("ArtifactBucket")])]),
                    ])),
                TemplateEntry("EncryptionKey", .getAtt("ArtifactKey", "Arn")),
                TemplateEntry("LogsConfig", .map(["CloudWatchLogs": .map(["Status": "ENABLED", "GroupName": .ref(logs)])])),
                TemplateEntry("TimeoutInMinutes", .int(minutes)),
                TemplateEntry("Tags", tagList),
            ])
    }

    // MARK: - Roles

    func stackARN(_ environment: Environment) -> TemplateValue {
        .sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/\(blueprint.stackName(for: environment))/*")
    }

    func role(_ id: String, service: String, statements: [TemplateValue]) -> TemplateResource {
        TemplateResource(
            id, type: "AWS::IAM::Role",
            properties: [
                TemplateEntry(
                    "AssumeRolePolicyDocument",
                    .map([
                        "Version": "2012-10-17",
                        "Statement": .list([
                            .map(["Effect": "Allow", "Principal": .map(["Service": .string(service)]), "Action": "sts:AssumeRole"])
                        ]),
                    ])),
                TemplateEntry(
                    "Policies",
                    .list([.map(["PolicyName": .string("\(id)Policy"), "PolicyDocument": .map(["Version": "2012-10-17", "Statement": .list(statements)])])])),
                TemplateEntry("Tags", tagList),
            ])
    }

    var artifactObjects: TemplateValue { .sub("${ArtifactBucket.Arn}/*") }

    /// A role's policy statement for one grant: the grant's actions (from ``GrantActions``) on
    /// the ARNs of what it names.
    func statement(_ grant: DeliveryGrant, for role: DeliveryRole, services: [String]) -> TemplateValue {
        var condition: TemplateValue?
        let resources: [TemplateValue] =
            switch grant.access {
            case .writeOwnLogs:
                [
                    .sub(
                        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/codebuild/${AWS::StackName}-\(role == .diffGate ? "diff-gate" : "build"):*"
                    )
                ]
            case .readArtifacts, .readPackagedCode: [artifactObjects]
            case .readWriteArtifacts: [artifactObjects]
            case .findArtifactBucket: [.getAtt("ArtifactBucket", "Arn")]
            case .useArtifactKey: [.getAtt("ArtifactKey", "Arn")]
            case .runBuilds: [.getAtt("BuildProject", "Arn"), .getAtt("DiffGateProject", "Arn")]
            case .deployStacks: delivery.stages.map(stackARN)
            case .useSAMTransform: [.sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:aws:transform/Serverless-2016-10-31")]
            case .passDeploymentRole:
                {
                    condition = .map(["StringEquals": .map(["iam:PassedToService": "cloudformation.amazonaws.com"])])
                    return [.getAtt("DeploymentRole", "Arn")]
                }()
            case .readDeployedTemplates: delivery.diffGates.map { stackARN($0.environment) }
            case .readRepository:
                switch delivery.source {
                case .gitHub: [.ref("ConnectionArn")]
                case .codeCommit(let repository, _): [.sub("arn:${AWS::Partition}:codecommit:${AWS::Region}:${AWS::AccountId}:\(repository)")]
                }
            case .requestApproval: [.ref("NotificationsTopic")]
            case .manageStackResources: ["*"]
            case .manageStackRoles: delivery.stages.map { .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/\(blueprint.stackName(for: $0))-*") }
            }
        var entries = [
            TemplateEntry("Sid", .string(grant.access.rawValue)), TemplateEntry("Effect", "Allow"),
            TemplateEntry("Action", .strings(grant.actions(services: services, source: delivery.source))),
            TemplateEntry("Resource", resources.count == 1 ? resources[0] : .list(resources)),
        ]
        if let condition { entries.append(TemplateEntry("Condition", condition)) }
        return .map(entries)
    }

    /// A role with one policy made of its grants.
    func role(_ role: DeliveryRole, service: String) -> TemplateResource {
        let services = role == .deployment ? deployedServices : []
        return self.role(role.rawValue, service: service, statements: (delivery.grants[role] ?? []).map { statement($0, for: role, services: services) })
    }

    var buildRole: TemplateResource { role(.build, service: "codebuild.amazonaws.com") }

    var gateRole: TemplateResource { role(.diffGate, service: "codebuild.amazonaws.com") }

    var pipelineRole: TemplateResource { role(.pipeline, service: "codepipeline.amazonaws.com") }

    /// The services the environments' stacks create resources in, from the types of their
    /// templates (and of what SAM generates from them).
    public var deployedServices: [String] {
        var services = Set<String>()
        for environment in delivery.stages {
            let template = Synthesizer(blueprint: blueprint, environment: environment).synthesize().template
            for resource in template.resources {
                services.formUnion(Self.services(of: resource.type))
            }
        }
        return services.sorted()
    }

    /// The IAM service prefixes a CloudFormation type's handler calls.
    static func services(of type: String) -> [String] {
        switch type {
        case "AWS::Serverless::Function": return ["lambda"]
        case "AWS::Serverless::Api": return ["apigateway"]
        case _ where type.hasPrefix("AWS::Cognito::IdentityPool"): return ["cognito-identity"]
        case _ where type.hasPrefix("AWS::Cognito::"): return ["cognito-idp"]
        default:
            let parts = type.split(separator: ":").filter { !$0.isEmpty }
            guard parts.count == 3 else { return [] }
            let mapped = ["CloudWatch": "cloudwatch", "ApiGateway": "apigateway", "WAFv2": "wafv2", "SES": "ses", "SSM": "ssm"]
            return [mapped[String(parts[1])] ?? parts[1].lowercased()]
        }
    }

    var deploymentRole: TemplateResource {
        var resource = role(.deployment, service: "cloudformation.amazonaws.com")
        let reason =
            "CloudFormation creates and updates the environments' resources (roles, functions, tables, keys) with this role, so it can do "
            + "what their stacks do, in the services their templates use; only CloudFormation assumes it, and only the pipeline passes it"
        for check in ["CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111"] {
            resource.skipCheck(check, because: reason)
        }
        return resource
    }

    // MARK: - Pipeline

    func action(_ name: String, category: String, provider: String, order: Int, configuration: [TemplateEntry], inputs: [String] = [], outputs: [String] = [])
        -> TemplateValue
    {
        var entries = [
            TemplateEntry("Name", .string(name)),
            TemplateEntry(
                "ActionTypeId", .map(["Category": .string(category), "Owner": "AWS", "Provider": .string(provider), "Version": "1"])),
            TemplateEntry("RunOrder", .int(order)),
            TemplateEntry("Configuration", .map(configuration)),
        ]
        if !inputs.isEmpty { entries.append(TemplateEntry("InputArtifacts", .list(inputs.map { .map(["Name": .string($0)]) }))) }
        if !outputs.isEmpty { entries.append(TemplateEntry("OutputArtifacts", .list(outputs.map { .map(["Name": .string($0)]) }))) }
        return .map(entries)
    }

    var sourceAction: TemplateValue {
        switch delivery.source {
        case .gitHub(let repository, let branch):
            action(
                "Source", category: "Source", provider: "CodeStarSourceConnection", order: 1,
                configuration: [
                    TemplateEntry("ConnectionArn", .ref("ConnectionArn")), TemplateEntry("FullRepositoryId", .string(repository)),
                    // A full clone: `make test` compares generated files with git.
                    TemplateEntry("BranchName", .string(branch)), TemplateEntry("OutputArtifactFormat", "CODEBUILD_CLONE_REF"),
                ], outputs: ["SourceOutput"])
        case .codeCommit(let repository, let branch):
            action(
                "Source", category: "Source", provider: "CodeCommit", order: 1,
                configuration: [
                    TemplateEntry("RepositoryName", .string(repository)), TemplateEntry("BranchName", .string(branch)),
                    TemplateEntry("PollForSourceChanges", "true"), TemplateEntry("OutputArtifactFormat", "CODEBUILD_CLONE_REF"),
                ], outputs: ["SourceOutput"])
        }
    }

    func deployStage(_ environment: Environment) -> TemplateValue {
        let stack = blueprint.stackName(for: environment)
        let changeSet = "\(stack)-changes"
        var actions = [
            action(
                "CreateChangeSet", category: "Deploy", provider: "CloudFormation", order: 1,
                configuration: [
                    TemplateEntry("ActionMode", "CHANGE_SET_REPLACE"), TemplateEntry("StackName", .string(stack)),
                    TemplateEntry("ChangeSetName", .string(changeSet)),
                    TemplateEntry("TemplatePath", .string("BuildOutput::\(packagedTemplate(environment))")),
                    TemplateEntry("Capabilities", "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND"),
                    TemplateEntry("RoleArn", .getAtt("DeploymentRole", "Arn")),
                ], inputs: ["BuildOutput"])
        ]
        var order = 2
        if let gate = delivery.diffGate(for: environment) {
            let variables: TemplateValue = .list([
                .map(["name": "ENVIRONMENT", "value": .string(environment.name), "type": "PLAINTEXT"]),
                .map(["name": "STACK_NAME", "value": .string(stack), "type": "PLAINTEXT"]),
                .map(["name": "FAIL_ON", "value": .string(gate.level.rawValue), "type": "PLAINTEXT"]),
                .map(["name": "ALLOW_DATA_LOSS", "value": "#{variables.AllowDataLoss}", "type": "PLAINTEXT"]),
            ])
            actions.append(
                action(
                    "DiffGate", category: "Build", provider: "CodeBuild", order: order,
                    configuration: [
                        TemplateEntry("ProjectName", .ref("DiffGateProject")),
                        TemplateEntry("EnvironmentVariables", .string(variables.compactJSON)),
                    ], inputs: ["BuildOutput"]))
            order += 1
        }
        if delivery.approval(for: environment) != nil {
            actions.append(
                action(
                    "Approval", category: "Approval", provider: "Manual", order: order,
                    configuration: [
                        TemplateEntry("NotificationArn", .ref("NotificationsTopic")),
                        TemplateEntry(
                            "CustomData",
                            .string("Review the change set \(changeSet) of \(stack) and the diff gate's report before \(environment.name) deploys")),
                    ]))
            order += 1
        }
        actions.append(
            action(
                "ExecuteChangeSet", category: "Deploy", provider: "CloudFormation", order: order,
                configuration: [
                    TemplateEntry("ActionMode", "CHANGE_SET_EXECUTE"), TemplateEntry("StackName", .string(stack)),
                    TemplateEntry("ChangeSetName", .string(changeSet)),
                ]))
        return .map(["Name": .string("Deploy-\(environment.name)"), "Actions": .list(actions)])
    }

    var pipeline: TemplateResource {
        let stages: [TemplateValue] =
            [
                .map(["Name": "Source", "Actions": .list([sourceAction])]),
                .map([
                    "Name": "Build",
                    "Actions": .list([
                        action(
                            "Build", category: "Build", provider: "CodeBuild", order: 1,
                            configuration: [TemplateEntry("ProjectName", .ref("BuildProject"))], inputs: ["SourceOutput"], outputs: ["BuildOutput"])
                    ]),
                ]),
            ] + delivery.stages.map(deployStage)
        return TemplateResource(
            delivery.name, type: "AWS::CodePipeline::Pipeline",
            properties: [
                TemplateEntry("Name", .sub("${AWS::StackName}")),
                TemplateEntry("PipelineType", "V2"),
                TemplateEntry("ExecutionMode", "SUPERSEDED"),
                TemplateEntry("RoleArn", .getAtt("PipelineRole", "Arn")),
                TemplateEntry(
                    "ArtifactStore",
                    .map([
                        "Type": "S3", "Location": .ref("ArtifactBucket"),
                        "EncryptionKey": .map(["Id": .getAtt("ArtifactKey", "Arn"), "Type": "KMS"]),
                    ])),
                TemplateEntry(
                    "Variables",
                    .list([
                        .map([
                            "Name": "AllowDataLoss", "DefaultValue": "false",
                            "Description": "true lets the diff gate pass a deploy that loses data or fails an update; the approval still stands",
                        ])
                    ])),
                TemplateEntry("Stages", .list(stages)),
                TemplateEntry("RestartExecutionOnUpdate", false),
                TemplateEntry("Tags", tagList),
            ])
    }

    // MARK: - Notifications

    var notificationsTopic: TemplateResource {
        TemplateResource(
            "NotificationsTopic", type: "AWS::SNS::Topic",
            properties: [
                TemplateEntry("TopicName", .sub("${AWS::StackName}-notifications")),
                TemplateEntry("KmsMasterKeyId", .getAtt("ArtifactKey", "Arn")),
                TemplateEntry("Tags", tagList),
            ])
    }

    var notificationsTopicPolicy: TemplateResource {
        TemplateResource(
            "NotificationsTopicPolicy", type: "AWS::SNS::TopicPolicy",
            properties: [
                TemplateEntry("Topics", .list([.ref("NotificationsTopic")])),
                TemplateEntry(
                    "PolicyDocument",
                    .map([
                        "Version": "2012-10-17",
                        "Statement": .list([
                            .map([
                                "Sid": "NotificationRulePublishes", "Effect": "Allow",
                                "Principal": .map(["Service": "codestar-notifications.amazonaws.com"]),
                                "Action": "sns:Publish", "Resource": .ref("NotificationsTopic"),
                                "Condition": .map(["StringEquals": .map(["aws:SourceAccount": .ref("AWS::AccountId")])]),
                            ])
                        ]),
                    ])),
            ])
    }

    var subscriptions: [TemplateResource] {
        delivery.notificationEmails.enumerated().map { index, email in
            TemplateResource(
                "NotificationsEmail\(index + 1)", type: "AWS::SNS::Subscription",
                properties: [
                    TemplateEntry("TopicArn", .ref("NotificationsTopic")), TemplateEntry("Protocol", "email"),
                    TemplateEntry("Endpoint", .string(email)),
                ])
        }
    }

    var notificationRule: TemplateResource {
        var rule = TemplateResource(
            "ExecutionNotifications", type: "AWS::CodeStarNotifications::NotificationRule",
            properties: [
                TemplateEntry("Name", .sub("${AWS::StackName}-executions")),
                TemplateEntry("DetailType", "FULL"),
                TemplateEntry("Resource", .sub("arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:${\(delivery.name)}")),
                TemplateEntry(
                    "EventTypeIds",
                    .strings([
                        "codepipeline-pipeline-pipeline-execution-failed", "codepipeline-pipeline-pipeline-execution-succeeded",
                        "codepipeline-pipeline-manual-approval-needed",
                    ])),
                TemplateEntry("Targets", .list([.map(["TargetType": "SNS", "TargetAddress": .ref("NotificationsTopic")])])),
                TemplateEntry("Tags", .map(tags.map { TemplateEntry($0.key, .string($0.value)) })),
            ])
        // The topic must allow the rule to publish before the rule is created.
        rule.dependsOn = ["NotificationsTopicPolicy"]
        return rule
    }
}
