import Formwork

/// The pipeline itself, its stages, and its notifications.
extension PipelineSynthesizer {

    func action(
        _ name: String, category: String, provider: String, order: Int, configuration: [TemplateEntry], inputs: [String] = [], outputs: [String] = [],
        namespace: String? = nil
    ) -> TemplateValue {
        var entries = [
            TemplateEntry("Name", .string(name)),
            TemplateEntry(
                "ActionTypeId", .map(["Category": .string(category), "Owner": "AWS", "Provider": .string(provider), "Version": "1"])),
            TemplateEntry("RunOrder", .int(order)),
            TemplateEntry("Configuration", .map(configuration)),
        ]
        if let namespace { entries.append(TemplateEntry("Namespace", .string(namespace))) }
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

    /// The namespace of an environment's diff gate, whose variables its approval reads.
    func gateNamespace(_ environment: Environment) -> String { "DiffGate-\(environment.name)" }

    func deployStage(_ environment: Environment) -> TemplateValue {
        let stack = blueprint.stackName(for: environment)
        let changeSet = "\(stack)-changes"
        let steps = delivery.deploySteps(for: environment)
        let gated = delivery.diffGate(for: environment) != nil
        let decides = steps.contains { if case .diffGate(_, approvalDecides: true) = $0 { true } else { false } }
        let actions = steps.enumerated().map { index, step -> TemplateValue in
            let order = index + 1
            switch step {
            case .createChangeSet:
                return action(
                    "CreateChangeSet", category: "Deploy", provider: "CloudFormation", order: order,
                    configuration: [
                        TemplateEntry("ActionMode", "CHANGE_SET_REPLACE"), TemplateEntry("StackName", .string(stack)),
                        TemplateEntry("ChangeSetName", .string(changeSet)),
                        TemplateEntry("TemplatePath", .string("BuildOutput::\(packagedTemplate(environment))")),
                        TemplateEntry("Capabilities", "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND"),
                        TemplateEntry("RoleArn", .getAtt("DeploymentRole", "Arn")),
                    ], inputs: ["BuildOutput"])
            case .diffGate(let level, let approvalDecides):
                let variables: TemplateValue = .list([
                    .map(["name": "ENVIRONMENT", "value": .string(environment.name), "type": "PLAINTEXT"]),
                    .map(["name": "STACK_NAME", "value": .string(stack), "type": "PLAINTEXT"]),
                    .map(["name": "FAIL_ON", "value": .string(level.rawValue), "type": "PLAINTEXT"]),
                    .map(["name": "ALLOW_DATA_LOSS", "value": "#{variables.AllowDataLoss}", "type": "PLAINTEXT"]),
                    .map(["name": "APPROVAL_DECIDES", "value": .string(approvalDecides ? "true" : "false"), "type": "PLAINTEXT"]),
                ])
                return action(
                    "DiffGate", category: "Build", provider: "CodeBuild", order: order,
                    configuration: [
                        TemplateEntry("ProjectName", .ref("DiffGateProject")),
                        TemplateEntry("EnvironmentVariables", .string(variables.compactJSON)),
                    ], inputs: ["BuildOutput"], namespace: gateNamespace(environment))
            case .approval:
                let review = "Review the change set \(changeSet) of \(stack) before \(environment.name) deploys"
                var configuration = [
                    TemplateEntry("NotificationArn", .ref("NotificationsTopic")),
                    TemplateEntry(
                        "CustomData",
                        .string(
                            gated
                                ? "Diff gate: #{\(gateNamespace(environment)).\(Self.verdictVariable)}. \(review), with the gate's report (the link)."
                                    + (decides ? " Approving deploys what the gate found." : "")
                                : review)),
                ]
                if gated {
                    configuration.append(TemplateEntry("ExternalEntityLink", .string("#{\(gateNamespace(environment)).\(Self.reportVariable)}")))
                }
                return action("Approval", category: "Approval", provider: "Manual", order: order, configuration: configuration)
            case .executeChangeSet:
                return action(
                    "ExecuteChangeSet", category: "Deploy", provider: "CloudFormation", order: order,
                    configuration: [
                        TemplateEntry("ActionMode", "CHANGE_SET_EXECUTE"), TemplateEntry("StackName", .string(stack)),
                        TemplateEntry("ChangeSetName", .string(changeSet)),
                    ])
            }
        }
        return .map(["Name": .string("Deploy-\(environment.name)"), "Actions": .list(actions)])
    }

    /// The bootstrap builds (one per architecture), then the build, which zips what they built.
    var buildActions: [TemplateValue] {
        let bootstraps = bootstrapArchitectures.map { architecture in
            action(
                "Bootstrap-\(architecture.rawValue)", category: "Build", provider: "CodeBuild", order: 1,
                configuration: [TemplateEntry("ProjectName", .ref(Self.bootstrapProject(architecture)))], inputs: ["SourceOutput"],
                outputs: [Self.bootstrapArtifact(architecture)])
        }
        var configuration = [TemplateEntry("ProjectName", .ref("BuildProject"))]
        if !bootstraps.isEmpty { configuration.append(TemplateEntry("PrimarySource", "SourceOutput")) }
        return bootstraps + [
            action(
                "Build", category: "Build", provider: "CodeBuild", order: bootstraps.isEmpty ? 1 : 2, configuration: configuration,
                inputs: ["SourceOutput"] + bootstrapArchitectures.map(Self.bootstrapArtifact), outputs: ["BuildOutput"])
        ]
    }

    var pipeline: TemplateResource {
        let stages: [TemplateValue] =
            [
                .map(["Name": "Source", "Actions": .list([sourceAction])]),
                .map(["Name": "Build", "Actions": .list(buildActions)]),
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
                    .policyDocument([
                        .map([
                            "Sid": "NotificationRulePublishes", "Effect": "Allow",
                            "Principal": .map(["Service": "codestar-notifications.amazonaws.com"]),
                            "Action": "sns:Publish", "Resource": .ref("NotificationsTopic"),
                            "Condition": .map(["StringEquals": .map(["aws:SourceAccount": .ref("AWS::AccountId")])]),
                        ])
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
