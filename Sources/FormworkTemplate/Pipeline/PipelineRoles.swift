import Formwork

/// The pipeline's roles, written from the delivery's grants.
extension PipelineSynthesizer {

    func stackARN(_ environment: Environment) -> TemplateValue {
        .sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/\(blueprint.stackName(for: environment))/*")
    }

    func role(_ id: String, service: String, statements: [TemplateValue]) -> TemplateResource {
        TemplateResource(
            id, type: "AWS::IAM::Role",
            properties: [
                TemplateEntry(
                    "AssumeRolePolicyDocument",
                    .policyDocument([
                        .map(["Effect": "Allow", "Principal": .map(["Service": .string(service)]), "Action": "sts:AssumeRole"])
                    ])),
                TemplateEntry(
                    "Policies",
                    .list([.map(["PolicyName": .string("\(id)Policy"), "PolicyDocument": .policyDocument(statements)])])),
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
                        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/codebuild/${AWS::StackName}-\(Self.logSuffix(role)):*"
                    )
                ]
            case .readArtifacts, .readPackagedCode: [artifactObjects]
            case .readWriteArtifacts: [artifactObjects]
            case .findArtifactBucket: [.getAtt("ArtifactBucket", "Arn")]
            case .useArtifactKey: [.getAtt("ArtifactKey", "Arn")]
            case .runBuilds:
                bootstrapArchitectures.map { .getAtt(Self.bootstrapProject($0), "Arn") } + [.getAtt("BuildProject", "Arn"), .getAtt("DiffGateProject", "Arn")]
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

    var bootstrapRole: TemplateResource { role(.bootstrap, service: "codebuild.amazonaws.com") }

    /// The suffix of a CodeBuild role's log group and project name.
    static func logSuffix(_ role: DeliveryRole) -> String {
        switch role {
        case .diffGate: "diff-gate"
        case .bootstrap: "bootstrap"
        case .build, .pipeline, .deployment: "build"
        }
    }

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
}
