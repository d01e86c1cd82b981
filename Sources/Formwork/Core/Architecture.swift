/// A whole serverless system for one environment: the resources a blueprint lists.
///
/// Resources join the architecture by being listed in its builder. A resource that is only
/// declared with `let` and referred to is not part of the architecture; validation reports such
/// a reference as dangling, at the place the reference was written.
///
/// ```swift
/// Architecture("TaskManagement") {
///     tasks
///     taskFunction
///     users
///     RestAPI("Api", stage: env.name, authorizer: users) {
///         Route(.get, "/tasks", to: taskFunction)
///     }
/// }
/// ```
public struct Architecture: Sendable {
    /// The system's name: the template description and the `Project` tag start from it.
    public var name: String
    /// A sentence describing the system.
    public var summary: String
    /// Tags applied to every taggable resource, in the order given.
    public var tags: [(key: String, value: String)]
    /// The listed resources, in the order listed.
    public var resources: [any Resource]
    /// Where the architecture was declared.
    public var location: SourceLocation

    /// Creates an architecture from the resources its builder lists.
    public init(
        _ name: String,
        summary: String = "",
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column,
        @ArchitectureBuilder _ content: () -> [any Resource]
    ) {
        self.name = name
        self.summary = summary
        self.tags = []
        self.resources = content()
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Adds tags for every taggable resource. Later values replace earlier ones with the same key.
    public func tags(_ pairs: KeyValuePairs<String, String>) -> Architecture {
        var copy = self
        for (key, value) in pairs {
            if let index = copy.tags.firstIndex(where: { $0.key == key }) {
                copy.tags[index].value = value
            } else {
                copy.tags.append((key, value))
            }
        }
        return copy
    }

    /// The listed resource with this identity, if any.
    public func resource(_ id: ResourceID) -> (any Resource)? {
        resources.first { $0.id == id }
    }

    /// The listed resource a reference points to, cast to its type.
    public func resolve<R: Resource>(_ id: ResourceID, as type: R.Type = R.self) -> R? {
        resources.first { $0.id == id } as? R
    }

    /// All listed resources of one type, in listing order.
    public func resources<R: Resource>(of type: R.Type) -> [R] {
        resources.compactMap { $0 as? R }
    }
}

/// Collects the resources of an ``Architecture``; supports `if`, `if`/`else`, `switch` and `for`.
@resultBuilder
public enum ArchitectureBuilder {
    public static func buildExpression(_ resource: some Resource) -> [any Resource] { [resource] }
    public static func buildExpression(_ resources: [any Resource]) -> [any Resource] { resources }
    public static func buildBlock(_ parts: [any Resource]...) -> [any Resource] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Resource]?) -> [any Resource] { part ?? [] }
    public static func buildEither(first part: [any Resource]) -> [any Resource] { part }
    public static func buildEither(second part: [any Resource]) -> [any Resource] { part }
    public static func buildArray(_ parts: [[any Resource]]) -> [any Resource] { parts.flatMap { $0 } }
    public static func buildLimitedAvailability(_ part: [any Resource]) -> [any Resource] { part }
}

/// A Formwork blueprint: one architecture per environment.
///
/// ```swift
/// struct TaskManagement: Blueprint {
///     func architecture(for env: Environment) -> Architecture {
///         Architecture("TaskManagement") {
///             Table("TasksTable", partitionKey: .string("taskId")).pointInTimeRecovery(env.isProduction)
///         }
///     }
/// }
/// ```
public protocol Blueprint: Sendable {
    /// The blueprint's name, used by the CLI to pick it (defaults to the type name).
    var name: String { get }
    /// The environments this blueprint deploys to (defaults to dev, staging, prod).
    var environments: [Environment] { get }
    /// The AWS region the environments deploy to (defaults to us-east-1).
    var region: String { get }
    /// The executable product every function of the blueprint runs as `bootstrap`
    /// (defaults to the name followed by `Lambda`); its `main` calls `LambdaRuntime.main`.
    var functionsExecutable: String { get }
    /// The architecture for one environment.
    func architecture(for env: Environment) -> Architecture
    /// The pipeline that delivers the environments, written as a stack of its own (defaults to none).
    var delivery: Delivery? { get }
}

extension Blueprint {
    public var name: String { String(describing: Self.self) }
    public var environments: [Environment] { Environment.standard }
    public var region: String { "us-east-1" }
    public var functionsExecutable: String { "\(name)Lambda" }
    public var delivery: Delivery? { nil }

    /// The start of every stack name: the name, lowercased, with letters, digits and hyphens only.
    public var stackNamePrefix: String { name.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" } }

    /// The CloudFormation stack an environment deploys to (`taskmanagement-prod`).
    public func stackName(for environment: Environment) -> String { "\(stackNamePrefix)-\(environment.name)" }

    /// The stack the delivery pipeline deploys to, once, by hand (`taskmanagement-pipeline`).
    public var pipelineStackName: String { "\(stackNamePrefix)-pipeline" }

    /// The stack of settings kept once per account and region, deployed once, by hand, before
    /// the environments (`taskmanagement-account`).
    public var accountStackName: String { "\(stackNamePrefix)-account" }

    /// The environment with this name, if the blueprint deploys to it.
    public func environment(named name: String) -> Environment? {
        environments.first { $0.name == name }
    }
}
