import Formwork

/// Turns one environment's architecture into a CloudFormation/SAM template.
///
/// ```swift
/// let result = Synthesizer(blueprint: TaskManagement(), environment: .prod).synthesize()
/// let yaml = try result.template.rendered(as: .yaml)
/// ```
public struct Synthesizer: Sendable {
    /// The architecture being synthesized.
    public let architecture: Architecture
    /// Its environment.
    public let environment: Environment
    /// The package root as seen from the template's directory, for `CodeUri`
    /// (`../..` for templates in `output/<env>/`).
    public let codeRoot: String

    /// Synthesizes an architecture for an environment.
    public init(architecture: Architecture, environment: Environment, codeRoot: String = "../..") {
        self.architecture = architecture
        self.environment = environment
        self.codeRoot = codeRoot
    }

    /// Synthesizes a blueprint's architecture for an environment.
    public init(blueprint: some Blueprint, environment: Environment, codeRoot: String = "../..") {
        self.init(architecture: blueprint.architecture(for: environment), environment: environment, codeRoot: codeRoot)
    }

    /// The template and every diagnostic of the model and of the template (quotas, logical IDs).
    public func synthesize() -> SynthesisResult {
        var diagnostics = architecture.validate()
        var context = EmitContext(architecture: architecture, environment: environment, codeRoot: codeRoot)
        let template = context.makeTemplate()
        diagnostics += TemplateRules.check(template, architecture: architecture)
        return SynthesisResult(
            template: template, diagnostics: diagnostics.sortedByLocation, environment: environment,
            architecture: architecture)
    }
}

/// A synthesized template with its diagnostics.
public struct SynthesisResult: Sendable {
    /// The template (complete even when there are errors, for inspection).
    public var template: Template
    /// Problems found, in reading order.
    public var diagnostics: [Diagnostic]
    /// The environment.
    public var environment: Environment

    /// The architecture it came from.
    public var architecture: Architecture

    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.hasErrors }

    /// Renders the template and adds the size quota's diagnostics for that rendering.
    public mutating func render(as format: TemplateFormat) throws -> String {
        let text = try template.rendered(as: format)
        diagnostics = (diagnostics + TemplateRules.checkSize(text.utf8.count, architecture: architecture)).sortedByLocation
        return text
    }
}

/// Shared state while one template is built.
struct EmitContext {
    let architecture: Architecture
    let environment: Environment
    let codeRoot: String
    var template = Template()
    var tags: [(key: String, value: String)]

    init(architecture: Architecture, environment: Environment, codeRoot: String) {
        self.architecture = architecture
        self.environment = environment
        self.codeRoot = codeRoot
        var tags = architecture.tags.filter { $0.key != "Environment" }
        tags.insert((key: "Environment", value: environment.name), at: min(1, tags.count))
        self.tags = tags
    }

    mutating func makeTemplate() -> Template {
        template.transform = "AWS::Serverless-2016-10-31"
        let summary = architecture.summary.isEmpty ? architecture.name : architecture.summary
        template.description = "\(summary) (\(environment.name))"
        template.metadata = [
            TemplateEntry(
                "Formwork",
                .map([
                    "Architecture": .string(architecture.name), "Environment": .string(environment.name),
                ]))
        ]
        for resource in architecture.resources {
            let start = template.resources.count
            emit(resource)
            for index in start..<template.resources.count {
                template.resources[index].origin = resource.id
                template.resources[index].originLocation = resource.location
            }
        }
        return template
    }

    mutating func emit(_ resource: any Resource) {
        switch resource {
        case let r as EncryptionKey: emitKey(r)
        case let r as Bucket: emitBucket(r)
        case let r as Distribution: emitDistribution(r)
        case let r as RestAPI: emitAPI(r)
        case let r as Function: emitFunction(r)
        case let r as Table: emitTable(r)
        case let r as UserPool: emitUserPool(r)
        case let r as IdentityPool: emitIdentityPool(r)
        case let r as Topic: emitTopic(r)
        case let r as EmailIdentity: emitEmailIdentity(r)
        case let r as Schedule: emitSchedule(r)
        case let r as WebACL: emitWebACL(r)
        case let r as IPSet: emitIPSet(r)
        case let r as Alarm: emitAlarm(r)
        case let r as Dashboard: emitDashboard(r)
        case let r as Parameter: emitParameter(r)
        case let r as Trail: emitTrail(r)
        case let r as Budget: emitBudget(r)
        default: break
        }
    }

    mutating func add(_ resource: TemplateResource) { template.resources.append(resource) }

    mutating func output(_ name: String, _ value: TemplateValue, _ description: String) {
        template.outputs.append(
            TemplateEntry(
                name,
                .map([
                    "Description": .string(description), "Value": value,
                    "Export": .map(["Name": .sub("${AWS::StackName}-\(name)")]),
                ])))
    }

    // MARK: Lookups

    func resolve<R: Resource>(_ id: ResourceID, as type: R.Type = R.self) -> R? { architecture.resolve(id, as: type) }

    /// Resources that refer to `id`, with the purpose of each reference.
    func users(of id: ResourceID) -> [(resource: any Resource, purpose: String)] {
        architecture.resources.flatMap { resource in
            resource.references.filter { $0.target == id }.map { (resource, $0.purpose) }
        }
    }

    /// `Retain` for resources kept on delete, `Delete` otherwise.
    func deletionPolicy(_ retain: Bool) -> String { retain ? "Retain" : "Delete" }

    mutating func applyRetention(_ resource: inout TemplateResource, retain: Bool) {
        resource.deletionPolicy = deletionPolicy(retain)
        resource.updateReplacePolicy = deletionPolicy(retain)
    }

    /// Tags as a list of `Key`/`Value` maps.
    var tagList: TemplateValue {
        .list(tags.map { .map(["Key": .string($0.key), "Value": .string($0.value)]) })
    }

    /// Tags as a map (SAM resources, Cognito user pools, SSM parameters).
    var tagMap: TemplateValue {
        .map(tags.map { TemplateEntry($0.key, .string($0.value)) })
    }

    /// The ARN of a declared key, for `KmsKeyId`-style properties.
    func keyArn(_ encryption: Encryption) -> TemplateValue? {
        encryption.keyID.map { .getAtt($0.name, "Arn") }
    }

    /// A CORS origin: a literal, or the distribution's domain (the custom domain when given).
    /// `quoted` wraps it in single quotes, as API Gateway's header mappings need.
    func originValue(_ origin: CORS.Origin, quoted: Bool) -> TemplateValue {
        let q = quoted ? "'" : ""
        switch origin {
        case .literal(let text): return .string("\(q)\(text)\(q)")
        case .distribution(let id, _):
            return .if("HasCustomDomain", .sub("\(q)https://${DomainName}\(q)"), .sub("\(q)https://${\(id.name).DomainName}\(q)"))
        }
    }

    /// A resource's value for `attribute` (environment variables, CORS origins).
    func attributeValue(_ id: ResourceID, _ attribute: ResourceAttribute) -> TemplateValue {
        switch architecture.resolution(of: id, attribute) {
        case .physicalID: .ref(id.name)
        case .attribute(let name): .getAtt(id.name, name)
        case .appClientID: .ref("\(id.name)Client")
        case .apiURL(let stage): .sub("https://${\(id.name)}.execute-api.${AWS::Region}.${AWS::URLSuffix}/\(stage)")
        case .distributionURL: .sub("https://${\(id.name).DomainName}")
        case .literal(let value): .string(value)
        }
    }
}
