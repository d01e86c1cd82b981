import Blueprints
import Formwork
import FormworkTemplate
import FormworkTestSupport
import FormworkYAML
import Foundation
import Testing

@Suite("The delivery pipeline")
struct DeliveryTests {
    let blueprint = TaskManagementBlueprint()

    func delivery() -> Delivery { Delivery("Shipping", source: .gitHub(repository: "example/app", branch: "main")) }

    /// The messages of a delivery's errors, each with the line it points at.
    func errors(_ delivery: Delivery) -> [(message: String, line: Int?)] {
        delivery.validate(environments: Environment.standard).filter { $0.severity == .error }.map { ($0.message, $0.location?.line) }
    }

    @Test("dev, staging, prod in order with an approval before prod is valid")
    func valid() {
        let delivery = delivery().deploys(.dev, .staging, .prod).approval(before: .prod).diffGate(before: .prod)
        #expect(errors(delivery).isEmpty)
        #expect(blueprint.delivery.map { $0.validate(environments: blueprint.environments) }?.isEmpty == true)
    }

    @Test("an environment the blueprint does not have is an error at the deploy order's line")
    func unknownEnvironment() throws {
        let line = #line + 1
        let delivery = delivery().deploys(.dev, Environment("qa"), .staging, .prod).approval(before: .prod)
        let found = try #require(errors(delivery).first { $0.message.contains("'qa'") })
        #expect(found.line == line)
    }

    @Test("skipping staging, or deploying out of order, is an error")
    func order() {
        #expect(errors(delivery().deploys(.dev, .prod).approval(before: .prod)).contains { $0.message.contains("skips 'staging'") })
        #expect(errors(delivery().deploys(.staging, .dev, .prod).approval(before: .prod)).contains { $0.message.contains("out of the blueprint's order") })
        #expect(errors(delivery().deploys(.dev, .dev, .staging)).contains { $0.message.contains("twice") })
        // Stopping before production is a choice the blueprint may make.
        #expect(errors(delivery().deploys(.dev, .staging)).isEmpty)
    }

    @Test("production without an approval is an error unless said on purpose, with a reason")
    func approval() {
        #expect(errors(delivery().deploys(.dev, .staging, .prod)).contains { $0.message.contains("without a manual approval") })
        #expect(errors(delivery().deploys(.dev, .staging, .prod).withoutApproval(because: "every merge is reviewed twice")).isEmpty)
        #expect(errors(delivery().deploys(.dev, .staging, .prod).withoutApproval(because: " ")).contains { $0.message.contains("needs a reason") })
        #expect(
            errors(delivery().deploys(.dev, .staging).approval(before: .prod)).contains { $0.message.contains("which the pipeline does not deploy") })
        #expect(
            errors(delivery().deploys(.dev, .staging).diffGate(before: .prod)).contains { $0.message.contains("diff gate before 'prod'") })
    }

    @Test("the source, the name and the addresses are checked")
    func source() {
        let bad = Delivery("bad-name", source: .gitHub(repository: "no-owner", branch: "main")).deploys(.dev).notify(email: "nobody")
        let messages = errors(bad).map(\.message)
        #expect(messages.contains { $0.contains("owner/name") })
        #expect(messages.contains { $0.contains("must start with a letter") })
        #expect(messages.contains { $0.contains("not an e-mail address") })
    }

    @Test("every problem is reported at once, and the blueprint writes no pipeline then")
    func allAtOnce() {
        let delivery = Delivery("X", source: .gitHub(repository: "a", branch: "")).deploys(.prod, Environment("qa"))
        #expect(errors(delivery).count >= 4)
        let synthesis = PipelineSynthesizer(blueprint: blueprint, delivery: delivery).synthesize()
        #expect(synthesis.diagnostics.hasErrors)
        #expect(synthesis.template.resources.isEmpty)
    }

    @Test("the stages deploy each environment's packaged template through a change set, prod after the diff gate and the approval")
    func stages() throws {
        let synthesis = PipelineSynthesizer(blueprint: blueprint, delivery: try #require(blueprint.delivery)).synthesize()
        let pipeline = try #require(synthesis.template.resource("TaskManagementDelivery"))
        guard case .list(let stages)? = pipeline.property("Stages") else {
            Issue.record("no stages")
            return
        }
        #expect(stages.map { $0["Name"] } == ["Source", "Build", "Deploy-dev", "Deploy-staging", "Deploy-prod"].map(TemplateValue.string))
        guard case .list(let prod)? = stages[4]["Actions"] else { return }
        #expect(prod.map { $0["Name"] } == ["CreateChangeSet", "DiffGate", "Approval", "ExecuteChangeSet"].map(TemplateValue.string))
        #expect(prod[0]["Configuration"]?["StackName"] == "taskmanagement-prod")
        #expect(prod[0]["Configuration"]?["TemplatePath"] == "BuildOutput::packaged/prod.yaml")
        guard case .list(let staging)? = stages[3]["Actions"] else { return }
        #expect(staging.map { $0["Name"] } == ["CreateChangeSet", "ExecuteChangeSet"].map(TemplateValue.string))
        // The stack names are the ones samconfig.toml deploys by hand.
        let samconfig = samconfigText(for: blueprint)
        for environment in blueprint.environments { #expect(samconfig.contains("stack_name = \"\(blueprint.stackName(for: environment))\"")) }
        #expect(samconfig.contains("[pipeline.deploy.parameters]"))
    }

    @Test("the deploy steps are said once, in the model: the template's actions and the graph follow them")
    func deploySteps() async throws {
        let delivery = try #require(blueprint.delivery)
        #expect(delivery.deploySteps(for: .prod) == [.createChangeSet, .diffGate(.dataLoss, approvalDecides: true), .approval, .executeChangeSet])
        #expect(delivery.deploySteps(for: .staging) == [.createChangeSet, .executeChangeSet])
        let graph = await runCLI(["graph"]).out
        #expect(
            graph.contains(
                "PipelineChangeSet_prod --> PipelineDiffGate_prod --> PipelineApproval_prod --> PipelineDeploy_prod"))
        #expect(graph.contains("data-loss: the approval decides"))
        #expect(graph.contains("PipelineSource --> PipelineBootstrap_arm64 --> PipelineBuild --> PipelineChangeSet_dev --> PipelineDeploy_dev"))
    }

    @Test("the gate hands its verdict to the approval only when an approval follows and may overrule it")
    func approvalDecides() throws {
        let base = Delivery("Ship", source: .codeCommit(repository: "app", branch: "main")).deploys(.dev, .staging, .prod)
        let strict = base.approval(before: .prod).diffGate(before: .prod, approvalOverrules: false)
        #expect(strict.deploySteps(for: .prod) == [.createChangeSet, .diffGate(.dataLoss, approvalDecides: false), .approval, .executeChangeSet])
        let unattended = base.withoutApproval(because: "a demo account").diffGate(before: .prod)
        #expect(unattended.deploySteps(for: .prod) == [.createChangeSet, .diffGate(.dataLoss, approvalDecides: false), .executeChangeSet])
        let synthesizer = PipelineSynthesizer(blueprint: blueprint, delivery: strict)
        let stages = try #require(synthesizer.synthesize().template.resource("Ship")?.value(at: "Stages")?.compactJSON)
        #expect(stages.contains(#"\"name\":\"APPROVAL_DECIDES\",\"value\":\"false\""#))
        #expect(stages.contains("Diff gate: #{DiffGate-prod.VERDICT}") && !stages.contains("Approving deploys what the gate found"))
        let decided = try #require(
            PipelineSynthesizer(blueprint: blueprint, delivery: base.approval(before: .prod).diffGate(before: .prod)).synthesize().template
                .resource("Ship")?.value(at: "Stages")?.compactJSON)
        #expect(decided.contains(#"\"name\":\"APPROVAL_DECIDES\",\"value\":\"true\""#) && decided.contains("Approving deploys what the gate found"))
        #expect(decided.contains(##""ExternalEntityLink":"#{DiffGate-prod.REPORT_URL}""##) && decided.contains(#""Namespace":"DiffGate-prod""#))
    }

    @Test("the bootstrap is built on the runtime's glibc, one project per architecture, and the build zips it")
    func bootstrapProjects() throws {
        let delivery = try #require(blueprint.delivery)
        #expect(delivery.bootstrapArchitectures(of: blueprint) == [.arm64])
        let synthesis = PipelineSynthesizer(blueprint: blueprint, delivery: delivery).synthesize()
        let project = try #require(synthesis.template.resource("BootstrapArm64Project"))
        #expect(project.value(at: "Environment", "Image") == .ref("BootstrapImage"))
        #expect(project.value(at: "Environment", "Type") == "ARM_CONTAINER")
        #expect(project.value(at: "ServiceRole") == .getAtt("BootstrapRole", "Arn"))
        let role = try #require(synthesis.template.resource("BootstrapRole")?.value(at: "Policies")?.compactJSON)
        #expect(role.contains("-bootstrap:*") && !role.contains("cloudformation") && !role.contains("-build:*"))
        let bootstrap = try #require(synthesis.buildspecs.first { $0.fileName == "buildspec-bootstrap.yml" })
        #expect(bootstrap.commands.first == "swift build -c release --product \(blueprint.functionsExecutable) --static-swift-stdlib")
        let build = try #require(synthesis.buildspecs.first { $0.fileName == "buildspec-build.yml" })
        #expect(build.commands.contains { $0.hasPrefix("swift run formwork package --bootstrap \"$CODEBUILD_SRC_DIR_Bootstrap_arm64/bootstrap/") })
        #expect(delivery.bootstrapImage.contains("amazonlinux2"))
    }

    @Test("each role reaches only its own: the stacks, the projects, the bucket and the key")
    func leastPrivilege() throws {
        let template = PipelineSynthesizer(blueprint: blueprint, delivery: try #require(blueprint.delivery)).synthesize().template
        let deployment = try #require(template.resource("DeploymentRole")).value(at: "Policies")?.compactJSON ?? ""
        #expect(deployment.contains("dynamodb:*") && deployment.contains("cognito-idp:*") && deployment.contains("lambda:*"))
        #expect(!deployment.contains("\"iam:*\"") && !deployment.contains("\"*:*\"") && !deployment.contains("codebuild"))
        #expect(deployment.contains("role/taskmanagement-prod-*"))
        let pipelineRole = try #require(template.resource("PipelineRole")).value(at: "Policies")?.compactJSON ?? ""
        for environment in blueprint.environments { #expect(pipelineRole.contains("stack/\(blueprint.stackName(for: environment))/*")) }
        #expect(pipelineRole.contains("iam:PassedToService"))
        let gate = try #require(template.resource("DiffGateRole")).value(at: "Policies")?.compactJSON ?? ""
        #expect(gate.contains("cloudformation:GetTemplate") && gate.contains("stack/taskmanagement-prod/*") && !gate.contains("taskmanagement-dev"))
        let bucket = try #require(template.resource("ArtifactBucket"))
        #expect(bucket.value(at: "VersioningConfiguration", "Status") == "Enabled")
        #expect(try #require(template.resource("ArtifactBucketPolicy")).value(at: "PolicyDocument")?.compactJSON.contains("aws:SecureTransport") == true)
    }

    @Test("every statement of the pipeline's roles is one of the delivery's grants, with the action table's actions")
    func grants() throws {
        let delivery = try #require(blueprint.delivery)
        let synthesizer = PipelineSynthesizer(blueprint: blueprint, delivery: delivery)
        let template = synthesizer.synthesize().template
        // The services come from the environments' resource types, not from the policy itself.
        #expect(
            synthesizer.deployedServices == [
                "apigateway", "budgets", "cloudfront", "cloudtrail", "cloudwatch", "cognito-identity", "cognito-idp", "dynamodb", "events", "iam",
                "kms", "lambda", "logs", "s3", "ses", "sns", "sqs", "ssm", "wafv2",
            ])
        for role in DeliveryRole.allCases {
            let policies = try #require(template.resource(role.rawValue)?.value(at: "Policies"))
            guard case .list(let list) = policies, case .list(let statements)? = list.first?["PolicyDocument"]?["Statement"] else {
                Issue.record("\(role.rawValue) has no statements")
                continue
            }
            let granted = try #require(delivery.grants[role])
            #expect(statements.count == granted.count)
            for (statement, grant) in zip(statements, granted) {
                #expect(statement["Sid"] == .string(grant.access.rawValue))
                guard case .list(let actions)? = statement["Action"] else { continue }
                let expected = grant.actions(services: synthesizer.deployedServices, source: delivery.source)
                #expect(actions == expected.map(TemplateValue.string), "\(role.rawValue) \(grant.access.rawValue)")
            }
        }
        #expect(delivery.grants[.diffGate]?.contains(DeliveryGrant(access: .readDeployedTemplates)) == true)
        let ungated = Delivery("Plain", source: .codeCommit(repository: "app", branch: "main")).deploys(.dev)
        #expect(ungated.grants[.diffGate]?.contains(DeliveryGrant(access: .readDeployedTemplates)) == false)
        #expect(GrantActions.actions(for: .readRepository, source: ungated.source).allSatisfy { $0.hasPrefix("codecommit:") })
    }

    @Test("the buildspecs parse as YAML, and every command they run is in the README")
    func buildspecs() throws {
        let synthesis = PipelineSynthesizer(blueprint: blueprint, delivery: try #require(blueprint.delivery)).synthesize()
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for buildspec in synthesis.buildspecs {
            let text = try buildspec.document.rendered(as: .yaml)
            let parsed = try YAMLParser.parse(text)
            guard case .mapping(let pairs, _) = parsed else {
                Issue.record("\(buildspec.fileName) is not a mapping")
                continue
            }
            #expect(pairs.contains { $0.key == "phases" })
            #expect(!buildspec.commands.isEmpty)
            for command in buildspec.commands {
                #expect(readme.contains(command), "\(buildspec.fileName): the README does not show `\(command)`")
            }
            let committed = try String(
                contentsOf: repositoryRoot.appendingPathComponent("output/pipeline/\(buildspec.fileName)"), encoding: .utf8)
            #expect(committed == text)
        }
        let build = synthesis.buildspecs[0].commands
        for command in ["make test", "swift run formwork check", "swift run formwork synth --all", "swift run formwork package"] {
            #expect(build.contains { $0 == command || $0.hasPrefix(command + " ") }, "\(command)")
        }
    }
}
