import Formwork

/// The settings AWS keeps once per account and region, which no environment's stack may own:
/// API Gateway's CloudWatch role (`AWS::ApiGateway::Account`). Two stacks that each set it
/// overwrite each other, and deleting either would take the other's logging with it. So
/// `formwork synth` writes them as a stack of their own, `output/account/template.yaml`,
/// deployed once per account and region before the environments.
public struct AccountSynthesizer {
    /// Where the account stack's template goes, below the output directory.
    public static let directory = "account"

    let blueprint: any Blueprint

    /// Prepares the account stack of `blueprint`.
    public init(blueprint: any Blueprint) { self.blueprint = blueprint }

    /// Whether any environment needs the account settings: one with a REST API, whose stage
    /// writes access and execution logs only once API Gateway has a CloudWatch role.
    public var isNeeded: Bool {
        blueprint.environments.contains { !blueprint.architecture(for: $0).resources(of: RestAPI.self).isEmpty }
    }

    /// The stack; nil when no environment needs it.
    public func synthesize() -> Template? {
        guard isNeeded, let first = blueprint.environments.first else { return nil }
        let tagList: TemplateValue = .list(
            blueprint.supportStackTags(environment: Self.directory, from: first).map { .map(["Key": .string($0.key), "Value": .string($0.value)]) })
        var template = Template()
        template.description =
            "\(blueprint.name): settings kept once per account and region (API Gateway's CloudWatch role); deploy once, before the environments"
        var role = TemplateResource(
            "ApiGatewayLoggingRole", type: "AWS::IAM::Role",
            properties: [
                TemplateEntry("Description", "Lets API Gateway write access and execution logs to CloudWatch Logs in this region"),
                TemplateEntry("AssumeRolePolicyDocument", EmitContext.assumeRolePolicy(service: "apigateway.amazonaws.com")),
                TemplateEntry(
                    "Policies",
                    [
                        .map([
                            "PolicyName": "WriteAccessLogs",
                            "PolicyDocument": .policyDocument([
                                .map([
                                    "Sid": "WriteAccessLogsOfThisRegion", "Effect": "Allow",
                                    "Action": .strings([
                                        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:FilterLogEvents",
                                        "logs:GetLogEvents", "logs:PutLogEvents",
                                    ]),
                                    "Resource": .sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*"),
                                ]),
                                // Listing log groups can only be granted on every resource.
                                .map(["Sid": "ListLogGroups", "Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"]),
                            ]),
                        ])
                    ]),
                TemplateEntry("Tags", tagList),
            ])
        // Deleting the stack must not take API Gateway's logging away from the environments.
        role.deletionPolicy = "Retain"
        role.updateReplacePolicy = "Retain"
        var account = TemplateResource(
            "ApiGatewayAccount", type: "AWS::ApiGateway::Account",
            properties: [TemplateEntry("CloudWatchRoleArn", .getAtt("ApiGatewayLoggingRole", "Arn"))])
        account.deletionPolicy = "Retain"
        account.updateReplacePolicy = "Retain"
        template.resources = [role, account]
        template.outputs = [
            TemplateEntry(
                "ApiGatewayLoggingRoleArn",
                .map([
                    "Description": "The role API Gateway writes logs with, in this account and region",
                    "Value": .getAtt("ApiGatewayLoggingRole", "Arn"),
                ]))
        ]
        return template
    }
}

extension Blueprint {
    /// The tags of a stack beside the environments' (the pipeline's, the account's): the
    /// architecture's tags, `Project` first, and `Environment` naming the stack's role.
    func supportStackTags(environment: String, from first: Environment) -> [(key: String, value: String)] {
        var tags = architecture(for: first).tags.filter { $0.key != "Environment" }
        if !tags.contains(where: { $0.key == "Project" }) { tags.insert(("Project", name), at: 0) }
        tags.append(("Environment", environment))
        return tags
    }
}
