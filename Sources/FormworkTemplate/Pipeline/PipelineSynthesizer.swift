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
    /// One bootstrap project per architecture the deployed functions use.
    let bootstrapArchitectures: [CPUArchitecture]

    /// Prepares the pipeline of `blueprint`'s delivery.
    public init(blueprint: any Blueprint, delivery: Delivery) {
        self.blueprint = blueprint
        self.delivery = delivery
        self.bootstrapArchitectures = delivery.bootstrapArchitectures(of: blueprint)
        self.tags =
            blueprint.environments.first.map { blueprint.supportStackTags(environment: Self.directory, from: $0) }
            ?? [("Project", blueprint.name), ("Environment", Self.directory)]
    }

    var tagList: TemplateValue { .list(tags.map { .map(["Key": .string($0.key), "Value": .string($0.value)]) }) }

    /// The stack and buildspecs; the template is empty when the delivery has errors.
    public func synthesize() -> PipelineSynthesis {
        let diagnostics = delivery.validate(environments: blueprint.environments)
        let buildspecs = [buildBuildspec, gateBuildspec] + (bootstrapArchitectures.isEmpty ? [] : [bootstrapBuildspec])
        if diagnostics.hasErrors { return PipelineSynthesis(template: Template(), buildspecs: buildspecs, diagnostics: diagnostics) }
        var template = Template()
        template.description = "\(blueprint.name): the delivery pipeline (\(delivery.stages.map(\.name).joined(separator: " → ")))"
        template.parameters = parameters
        template.resources =
            [
                artifactKey, artifactKeyAlias, artifactBucket, artifactBucketPolicy,
                logGroup("BuildLogs", suffix: "build"), logGroup("DiffGateLogs", suffix: "diff-gate"),
                buildRole, gateRole, deploymentRole, pipelineRole,
            ] + bootstrapResources + [
                project(
                    "BuildProject", suffix: "build", role: "BuildRole", logs: "BuildLogs", buildspec: buildspecs[0], compute: "BUILD_GENERAL1_LARGE",
                    minutes: 90, namesArtifactBucket: true),
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
        if !bootstrapArchitectures.isEmpty {
            entries.append(
                TemplateEntry(
                    "BootstrapImage",
                    .map([
                        "Type": "String", "Default": .string(delivery.bootstrapImage),
                        "Description": .string("The image the functions' bootstrap is built on: Swift on a glibc no newer than \(Function.runtime)'s 2.34"),
                    ])))
        }
        return entries
    }

    private func output(_ name: String, _ value: TemplateValue, _ description: String) -> TemplateEntry {
        TemplateEntry(
            name,
            .map(["Description": .string(description), "Value": value, "Export": .map(["Name": .sub("${AWS::StackName}-\(name)")])]))
    }
}
