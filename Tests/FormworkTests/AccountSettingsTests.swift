import Blueprints
import Formwork
import FormworkDiff
import FormworkTemplate
import Foundation
import Testing

/// Settings AWS keeps once per account and region live in a stack of their own; dead-letter
/// queues only where asynchronous invocations reach; samconfig.toml names only real parameters.
@Suite("Account-level settings apart")
struct AccountSettingsTests {
    let blueprint = TaskManagementBlueprint()

    @Test("API Gateway's CloudWatch role is in the account stack, retained, and in no environment's stack")
    func accountStack() throws {
        for environment in blueprint.environments {
            let template = Synthesizer(blueprint: blueprint, environment: environment).synthesize().template
            #expect(!template.resources.contains { $0.type == "AWS::ApiGateway::Account" || $0.logicalID == "ApiGatewayLoggingRole" }, "\(environment.name)")
        }
        let account = try #require(AccountSynthesizer(blueprint: blueprint).synthesize())
        let setting = try #require(account.resource("ApiGatewayAccount"))
        #expect(setting.type == "AWS::ApiGateway::Account" && setting.deletionPolicy == "Retain" && setting.updateReplacePolicy == "Retain")
        #expect(setting.property("CloudWatchRoleArn") == .getAtt("ApiGatewayLoggingRole", "Arn"))
        #expect(account.resource("ApiGatewayLoggingRole")?.deletionPolicy == "Retain")
        let samconfig = samconfigText(for: blueprint)
        #expect(samconfig.contains("[account.deploy.parameters]\nstack_name = \"taskmanagement-account\"\ntemplate_file = \"account/template.yaml\""))
        let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("output/account/template.yaml"), encoding: .utf8)
        #expect(committed == (try account.rendered(as: .yaml)))
    }

    @Test("a blueprint without a REST API has no account stack")
    func noAPI() {
        struct TablesOnly: Blueprint {
            var name: String { "Tables" }
            func architecture(for env: Environment) -> Architecture { Architecture("Tables") { Table("Items", partitionKey: .string("id")) } }
        }
        #expect(AccountSynthesizer(blueprint: TablesOnly()).synthesize() == nil)
        let samconfig = samconfigText(for: TablesOnly())
        #expect(!samconfig.contains("account") && !samconfig.contains("Parameters:") && !samconfig.contains("parameter_overrides"))
    }

    @Test("the diff says why the setting leaves a stack")
    func diffExplainsTheMove() throws {
        var old = Synthesizer(blueprint: blueprint, environment: .prod).synthesize().template
        let account = try #require(AccountSynthesizer(blueprint: blueprint).synthesize())
        old.resources += account.resources
        let new = Synthesizer(blueprint: blueprint, environment: .prod).synthesize().template
        let diff = TemplateDiff(old: old.document.normalized, new: new.document.normalized)
        let removed = try #require(diff.resources.first { $0.logicalID == "ApiGatewayAccount" })
        #expect(removed.kind == .removed && removed.data != .loss)
        #expect(removed.notes.first?.contains("one per account and region") == true && removed.notes.first?.contains("output/account") == true)
    }

    @Test("samconfig.toml names the template's parameters, with their defaults, and overrides none")
    func samconfigParameters() {
        let samconfig = samconfigText(for: blueprint)
        #expect(!samconfig.contains("parameter_overrides"))
        #expect(samconfig.contains("# Parameters: DomainName (default empty), CertificateArn (default empty)"))
    }

    @Test("a dead-letter queue only where a schedule or a topic invokes the function; asked for elsewhere, a warning")
    func deadLetterQueues() {
        let api = Function("Api", handler: RequestOnly.self)
        let worker = Function("Worker", handler: ScheduleOnly.self)
        let line = #line + 1
        let asked = Function("Asked", handler: RequestOnly.self).deadLetterQueue(true)
        let architecture = Architecture("A") {
            api; worker; asked; Schedule("Nightly", .rate(.hours(24)), invoke: worker)
        }
        #expect(!architecture.hasDeadLetterQueue(api) && architecture.hasDeadLetterQueue(worker) && !architecture.hasDeadLetterQueue(asked))
        let template = Synthesizer(architecture: architecture, environment: .dev).synthesize().template
        #expect(template.resource("WorkerDeadLetterQueue") != nil && template.resource("ApiDeadLetterQueue") == nil)
        let warnings = diagnostics(architecture).filter { $0.severity == .warning }
        #expect(warnings.map(\.location?.line) == [line])
        #expect(warnings.first?.message.contains("only invoked synchronously") == true)
    }
}
