import Foundation

/// How a blueprint's environments are delivered: a CodePipeline that takes the source, builds
/// and tests it, then deploys each environment's stack in order through CloudFormation change
/// sets, with a diff gate and a manual approval before production. `formwork synth` writes it as
/// a stack of its own, `output/pipeline/template.yaml`, with the CodeBuild buildspecs it runs.
///
/// ```swift
/// var delivery: Delivery? {
///     Delivery("TaskManagementDelivery", source: .gitHub(repository: "example/task-management", branch: "main"))
///         .deploys(.dev, .staging, .prod)
///         .approval(before: .prod)
///         .diffGate(before: .prod, stopsOn: .dataLoss)
///         .notify(email: "platform-team@example.com")
/// }
/// ```
public struct Delivery: Sendable {
    /// Where the pipeline takes its source from.
    public enum Source: Sendable, Hashable {
        /// A GitHub repository (`owner/name`) through an AWS CodeConnections connection, whose ARN
        /// the pipeline stack takes as its `ConnectionArn` parameter.
        case gitHub(repository: String, branch: String)
        /// An AWS CodeCommit repository in the same account and region.
        case codeCommit(repository: String, branch: String)

        /// The branch the pipeline follows.
        public var branch: String {
            switch self {
            case .gitHub(_, let branch), .codeCommit(_, let branch): branch
            }
        }

        /// The repository's name (`owner/name` on GitHub).
        public var repository: String {
            switch self {
            case .gitHub(let repository, _), .codeCommit(let repository, _): repository
            }
        }
    }

    /// What makes the diff gate stop the pipeline, as `formwork diff --fail-on` names it.
    public enum GateLevel: String, Sendable, Hashable {
        /// A resource whose data would be lost, or an update that would fail.
        case dataLoss = "data-loss"
        /// Any replaced or removed resource, or an update that would fail.
        case replacement
    }

    /// A gate that compares the environment's packaged template with the deployed stack's
    /// before the environment deploys.
    public struct DiffGate: Sendable, Hashable {
        /// The environment whose deployed template is compared.
        public var environment: Environment
        /// What stops the pipeline.
        public var level: GateLevel
        /// Whether an approval after the gate may overrule it: the gate then hands what it
        /// found to the approval instead of stopping.
        public var approvalOverrules: Bool
        /// Where the gate was written.
        public var location: SourceLocation
    }

    /// A manual approval before an environment deploys, or a decision to deploy production without one.
    public enum Approval: Sendable, Hashable {
        /// An approval before this environment's change set is executed.
        case before(Environment, at: SourceLocation)
        /// Production deploys without an approval, on purpose, for the reason given.
        case notRequired(because: String, at: SourceLocation)
    }

    /// The pipeline's name: the logical IDs and physical names of its resources start with it.
    public var name: String
    /// The source repository and branch.
    public var source: Source
    /// The environments to deploy, in order.
    public var stages: [Environment] = []
    /// Where the deploy order was written.
    public var stagesLocation: SourceLocation?
    /// Approvals, or the decision to have none before production.
    public var approvals: [Approval] = []
    /// Diff gates.
    public var diffGates: [DiffGate] = []
    /// Who hears about failed and succeeded executions.
    public var notificationEmails: [String] = []
    /// The CodeBuild image's default (the stack's `BuildImage` parameter): a Swift toolchain on
    /// Debian, for arm64, the architecture the functions run on.
    public var buildImage = "public.ecr.aws/docker/library/swift:6.1-bookworm"
    /// The image the functions' bootstrap is built on (the stack's `BootstrapImage` parameter):
    /// Swift on Amazon Linux 2, whose glibc (2.26) is older than the Lambda runtime's (2.34), so
    /// the executable starts there. `formwork package --bootstrap` refuses one that would not.
    public var bootstrapImage = "public.ecr.aws/docker/library/swift:6.1-amazonlinux2"
    /// Days the artifact bucket keeps build outputs.
    public var artifactRetention: TimeSpan = .days(30)
    /// Days the build logs are kept.
    public var logRetention: TimeSpan = .days(90)
    /// Where the delivery was declared.
    public var location: SourceLocation

    /// Declares a pipeline that follows `source`.
    public init(
        _ name: String, source: Source,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.source = source
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// The environments to deploy, in this order.
    public func deploys(
        _ environments: Environment...,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Delivery {
        var copy = self
        copy.stages = environments
        copy.stagesLocation = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
        return copy
    }

    /// A manual approval before `environment`'s change set is executed.
    public func approval(
        before environment: Environment,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Delivery {
        var copy = self
        copy.approvals.append(.before(environment, at: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)))
        return copy
    }

    /// Production deploys without a manual approval, on purpose.
    public func withoutApproval(
        because reason: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Delivery {
        var copy = self
        copy.approvals.append(.notRequired(because: reason, at: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)))
        return copy
    }

    /// Before `environment` deploys, `formwork diff` compares its packaged template with the
    /// deployed stack's and stops the pipeline at `level`, unless the execution was started with
    /// the pipeline variable `AllowDataLoss` set to `true`.
    ///
    /// When an approval follows (``approval(before:)``) and `approvalOverrules` is true, the gate
    /// does not stop: its verdict heads the approval's message, with a link to its report, and the
    /// person approving decides. With `approvalOverrules: false` it stops all the same.
    public func diffGate(
        before environment: Environment, stopsOn level: GateLevel = .dataLoss, approvalOverrules: Bool = true,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Delivery {
        var copy = self
        copy.diffGates.append(
            DiffGate(
                environment: environment, level: level, approvalOverrules: approvalOverrules,
                location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)))
        return copy
    }

    /// Sends failed and succeeded executions to this address, through an encrypted topic.
    public func notify(email: String) -> Delivery {
        var copy = self
        copy.notificationEmails.append(email)
        return copy
    }

    /// Sets the default CodeBuild image.
    public func buildImage(_ image: String) -> Delivery {
        var copy = self
        copy.buildImage = image
        return copy
    }

    /// Sets the default image the functions' bootstrap is built on. Its glibc must be no newer
    /// than the Lambda runtime's (2.34); the build's `formwork package --bootstrap` checks it.
    public func bootstrapImage(_ image: String) -> Delivery {
        var copy = self
        copy.bootstrapImage = image
        return copy
    }

    /// One step of an environment's deploy stage.
    public enum DeployStep: Sendable, Hashable {
        /// CloudFormation prepares a change set of the environment's packaged template.
        case createChangeSet
        /// The diff gate compares the packaged template with the deployed one; when the approval
        /// decides, it hands its verdict to the approval instead of stopping.
        case diffGate(GateLevel, approvalDecides: Bool)
        /// A person approves.
        case approval
        /// CloudFormation executes the change set.
        case executeChangeSet
    }

    /// The steps that deploy `environment`, in the order the pipeline runs them: the change set
    /// first (so the approval can review it), then the diff gate, the approval, the execution.
    public func deploySteps(for environment: Environment) -> [DeployStep] {
        let approved = approval(for: environment) != nil
        return [.createChangeSet] + (diffGate(for: environment).map { [.diffGate($0.level, approvalDecides: approved && $0.approvalOverrules)] } ?? [])
            + (approved ? [.approval] : []) + [.executeChangeSet]
    }

    /// The CPU architectures of the deployed environments' functions, sorted: the pipeline
    /// builds one bootstrap for each, on ``bootstrapImage``.
    public func bootstrapArchitectures(of blueprint: any Blueprint) -> [CPUArchitecture] {
        let architectures = stages.flatMap { blueprint.architecture(for: $0).resources(of: Function.self).map(\.architecture) }
        return Set(architectures).sorted { $0.rawValue < $1.rawValue }
    }

    /// The environment an approval gates, when it gates one.
    public func approval(for environment: Environment) -> SourceLocation? {
        for approval in approvals {
            if case .before(let gated, let location) = approval, gated.name == environment.name { return location }
        }
        return nil
    }

    /// The diff gate before `environment`, if any.
    public func diffGate(for environment: Environment) -> DiffGate? {
        diffGates.first { $0.environment.name == environment.name }
    }

    /// Problems with the delivery against the blueprint's environments, at the lines that cause them.
    public func validate(environments: [Environment]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let known = Set(environments.map(\.name))
        let stagesAt = stagesLocation ?? location
        if stages.isEmpty {
            diagnostics.append(.error("the pipeline deploys no environment; list them with .deploys(...)", at: location))
        }
        for stage in stages where !known.contains(stage.name) {
            diagnostics.append(
                .error(
                    "the pipeline deploys '\(stage.name)', which the blueprint has no environment for (it has \(environments.map(\.name).joined(separator: ", ")))",
                    at: stagesAt))
        }
        var seen = Set<String>()
        for stage in stages where !seen.insert(stage.name).inserted {
            diagnostics.append(.error("the pipeline deploys '\(stage.name)' twice", at: stagesAt))
        }
        // The blueprint's environments are in promotion order: the pipeline must not skip or reorder them.
        let order = environments.map(\.name)
        let deployed = stages.map(\.name).filter(known.contains)
        if let last = deployed.last, let lastIndex = order.firstIndex(of: last) {
            let expected = Array(order[...lastIndex])
            let skipped = expected.filter { !deployed.contains($0) }
            if !skipped.isEmpty {
                diagnostics.append(
                    .error(
                        "the pipeline skips \(skipped.map { "'\($0)'" }.joined(separator: ", ")) before '\(last)'; the blueprint promotes \(expected.joined(separator: " → "))",
                        at: stagesAt))
            } else if deployed != expected {
                diagnostics.append(
                    .error(
                        "the pipeline deploys \(deployed.joined(separator: " → ")), out of the blueprint's order \(expected.joined(separator: " → "))",
                        at: stagesAt))
            }
        }
        let waived = approvals.contains { if case .notRequired = $0 { true } else { false } }
        for stage in stages where stage.isProduction || environments.first(where: { $0.name == stage.name })?.isProduction == true {
            if approval(for: stage) == nil && !waived {
                diagnostics.append(
                    .error(
                        "production ('\(stage.name)') deploys without a manual approval; add .approval(before: .\(stage.name)) or say .withoutApproval(because:) on purpose",
                        at: stagesAt))
            }
        }
        for approval in approvals {
            if case .before(let gated, let location) = approval, !stages.contains(where: { $0.name == gated.name }) {
                diagnostics.append(.error("an approval before '\(gated.name)', which the pipeline does not deploy", at: location))
            }
            if case .notRequired(let reason, let location) = approval, reason.trimmingCharacters(in: .whitespaces).isEmpty {
                diagnostics.append(.error("deploying production without an approval needs a reason", at: location))
            }
        }
        for gate in diffGates where !stages.contains(where: { $0.name == gate.environment.name }) {
            diagnostics.append(.error("a diff gate before '\(gate.environment.name)', which the pipeline does not deploy", at: gate.location))
        }
        if source.repository.isEmpty || source.branch.isEmpty {
            diagnostics.append(.error("the pipeline's source needs a repository and a branch", at: location))
        }
        if case .gitHub(let repository, _) = source, repository.split(separator: "/").count != 2 {
            diagnostics.append(.error("a GitHub repository is written owner/name, not '\(repository)'", at: location))
        }
        if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) || name.first?.isLetter != true {
            diagnostics.append(
                .error("the pipeline's name '\(name)' must start with a letter and hold only letters and digits (it prefixes logical IDs)", at: location))
        }
        if let problem = artifactRetention.wholeDaysProblem {
            diagnostics.append(.error("the pipeline's artifact retention: \(problem), and S3 lifecycle rules count whole days", at: location))
        } else if artifactRetention.days < 1 {
            diagnostics.append(.error("the pipeline keeps replaced artifacts at least one day, not \(artifactRetention)", at: location))
        }
        if !LogRetention.allowedDays.contains(logRetention.days) || logRetention.wholeDaysProblem != nil {
            diagnostics.append(.error("the pipeline's build logs: a retention of \(logRetention) is not one CloudWatch Logs offers", at: location))
        }
        for email in notificationEmails where !email.contains("@") {
            diagnostics.append(.error("'\(email)' is not an e-mail address", at: location))
        }
        return diagnostics
    }
}
