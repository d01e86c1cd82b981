import FormworkRuntime

/// A Lambda function bound to a Swift handler type from the app.
///
/// The handler type decides which events the function can receive: an ``APIHandler`` can be a
/// route's target, a ``ScheduledHandler`` a schedule's, an ``SNSHandler`` a topic
/// subscription's. The same type runs in the simulator and in Lambda.
///
/// ```swift
/// Function("TaskManagement", handler: TaskManagementHandler.self)
///     .memory(512).timeout(.seconds(10))
///     .environment("TASKS_TABLE", tasks)
///     .grants(.readWrite(tasks), .publish(notifications))
/// ```
public struct Function: Resource, Taggable, LocatedSettings {
    public static let kind = ResourceKind.function
    /// The Lambda runtime every function runs on: a custom runtime on Amazon Linux 2023, where
    /// the functions executable is the `bootstrap`.
    public static let runtime = "provided.al2023"
    public let name: String
    public let location: SourceLocation
    /// The handler type's qualified name.
    public let handlerName: String
    /// The handler type, built once per cold start.
    public let handler: (any FunctionHandler.Type)?
    /// The handler type when it answers API Gateway requests.
    public let apiHandler: (any APIHandler.Type)?
    /// The handler type when it runs on a schedule.
    public let scheduledHandler: (any ScheduledHandler.Type)?
    /// The handler type when it receives SNS messages.
    public let snsHandler: (any SNSHandler.Type)?
    /// The physical function name; generated when nil.
    public private(set) var functionName: String?
    /// Memory in MB (128–10,240).
    public private(set) var memory = 256
    /// Maximum run time (1 second to 15 minutes).
    public private(set) var timeout = TimeSpan.seconds(10)
    /// The instruction set.
    public private(set) var architecture = CPUArchitecture.arm64
    /// Concurrency reserved for (and capping) the function.
    public private(set) var reservedConcurrency: Int?
    /// Environment variables, in declaration order.
    public private(set) var environment: [EnvironmentVariable] = []
    /// Whether X-Ray active tracing is on.
    public private(set) var tracing = true
    /// How long the function's log group keeps events.
    public private(set) var logRetention = TimeSpan.days(30)
    /// How the log group and dead-letter queue are encrypted.
    public private(set) var encryption = Encryption.serviceManaged
    /// Whether failed asynchronous invocations go to a dead-letter queue.
    public private(set) var deadLetterQueue = true
    /// How Lambda retries a failed asynchronous invocation (a schedule's, a topic's).
    public private(set) var asyncRetries = AsyncRetries.lambdaDefault
    /// Access to other resources.
    public private(set) var grants: [Grant] = []
    /// IAM statements no grant expresses, each with its reason (``allowing(_:on:because:fileID:filePath:line:column:)``).
    public private(set) var extraStatements: [PolicyStatement] = []
    /// The deployment package, relative to the package root.
    public private(set) var codePath: String
    var settingLocations: [String: SourceLocation] = [:]

    /// Declares a function running `handler`.
    public init<H>(
        _ name: String, handler: H.Type,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.handlerName = String(reflecting: handler)
        self.handler = handler as? any FunctionHandler.Type
        self.apiHandler = handler as? any APIHandler.Type
        self.scheduledHandler = handler as? any ScheduledHandler.Type
        self.snsHandler = handler as? any SNSHandler.Type
        self.codePath = ".build/lambda/\(String(describing: handler))/bootstrap.zip"
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Sets the physical name (nil: CloudFormation generates one).
    public func named(_ functionName: String?, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("name", fileID, filePath, line, column) { $0.functionName = functionName }
    }
    /// Sets memory in MB.
    public func memory(_ megabytes: Int, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("memory", fileID, filePath, line, column) { $0.memory = megabytes }
    }
    /// Sets the timeout.
    public func timeout(_ timeout: TimeSpan, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("timeout", fileID, filePath, line, column) { $0.timeout = timeout }
    }
    /// Sets the instruction set.
    public func architecture(_ architecture: CPUArchitecture) -> Self { with { $0.architecture = architecture } }
    /// Reserves concurrency (nil: unreserved).
    public func reservedConcurrency(_ limit: Int?, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("concurrency", fileID, filePath, line, column) { $0.reservedConcurrency = limit }
    }
    /// Adds a literal environment variable.
    public func environment(_ key: String, _ value: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column)
        -> Self
    {
        with {
            $0.environment.append(
                EnvironmentVariable(
                    key: key, value: .literal(value),
                    location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)))
        }
    }
    /// Adds an environment variable that resolves to an attribute of another resource
    /// (a table's name, a topic's ARN, a pool's ID, ...).
    public func environment(
        _ key: String, _ resource: some Resource, _ attribute: ResourceAttribute = .default,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        with {
            $0.environment.append(
                EnvironmentVariable(
                    key: key, value: .attribute(resource.id, attribute, declaredAt: resource.location),
                    location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)))
        }
    }
    /// Adds an environment variable holding an index's name, checked against the table's indexes:
    /// `.environment("CATEGORY_INDEX", products.index("ByCategory"))`.
    public func environment(
        _ key: String, _ index: TableIndex, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        with {
            $0.environment.append(
                EnvironmentVariable(
                    key: key, value: .literal(index.name), location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column),
                    index: index))
        }
    }
    /// Turns X-Ray active tracing on or off.
    public func tracing(_ on: Bool) -> Self { with { $0.tracing = on } }
    /// Sets log retention.
    public func logRetention(_ retention: TimeSpan, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("logRetention", fileID, filePath, line, column) { $0.logRetention = retention }
    }
    /// Encrypts the log group and dead-letter queue.
    public func encryption(_ encryption: Encryption, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("encryption", fileID, filePath, line, column) { $0.encryption = encryption }
    }
    /// Turns the dead-letter queue on or off. It exists only when something invokes the function
    /// asynchronously (a schedule, a topic), the only invocations Lambda sends there.
    public func deadLetterQueue(_ on: Bool, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("deadLetterQueue", fileID, filePath, line, column) { $0.deadLetterQueue = on }
    }
    /// Sets how often Lambda retries a failed asynchronous invocation (0 to 2 times) and how
    /// old an event may grow (1 minute to 6 hours) before it goes to the dead-letter queue.
    public func asyncRetries(
        _ retries: Int, maxEventAge: TimeSpan = .hours(6),
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        setting("asyncRetries", fileID, filePath, line, column) { $0.asyncRetries = AsyncRetries(retries: retries, maxEventAge: maxEventAge) }
    }
    /// Adds grants.
    public func grants(_ grants: Grant...) -> Self { with { $0.grants += grants } }
    /// Adds a list of grants.
    public func grants(_ grants: [Grant]) -> Self { with { $0.grants += grants } }
    /// Allows what no grant expresses: `actions` on `resources` (ARNs, `*` and `${AWS::Region}`-style
    /// variables allowed), for the reason given. The statement goes into the function's IAM
    /// policy with the reason in its role's `Metadata`, and the simulator allows the same calls.
    public func allowing(
        _ actions: [String], on resources: [String], because justification: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        with {
            $0.extraStatements.append(
                PolicyStatement(
                    actions: actions, resources: resources, justification: justification,
                    location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)))
        }
    }
    /// Sets the deployment package path, relative to the package root.
    public func code(_ path: String) -> Self { with { $0.codePath = path } }

    /// The logical ID of the function's execution role.
    public var roleLogicalID: String { "\(name)Role" }
    /// The logical ID of the function's dead-letter queue.
    public var deadLetterQueueLogicalID: String { "\(name)DeadLetterQueue" }

    public var references: [Reference] {
        var refs = grants.map {
            Reference(target: $0.target, targetLocation: $0.targetLocation, purpose: "grant \($0.access.rawValue)", location: $0.location)
        }
        for variable in environment {
            if case .attribute(let id, _, let declared) = variable.value {
                refs.append(Reference(target: id, targetLocation: declared, purpose: "environment variable \(variable.key)", location: variable.location))
            }
            if let index = variable.index {
                refs.append(
                    Reference(
                        target: index.table, targetLocation: index.tableLocation, purpose: "environment variable \(variable.key)", location: index.location))
            }
        }
        if let ref = encryption.reference(purpose: "encryption", at: location(of: "encryption")) { refs.append(ref) }
        return refs
    }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if let functionName, let problem = NameRules.functionNameProblem(functionName) {
            problems.append(.error("function name '\(functionName)' \(problem)", at: location(of: "name")))
        }
        if apiHandler == nil && scheduledHandler == nil && snsHandler == nil {
            problems.append(.error("function '\(name)': handler \(handlerName) conforms to none of APIHandler, ScheduledHandler, SNSHandler", at: location))
        }
        if !(128...10_240).contains(memory) {
            problems.append(.error("function '\(name)': memory must be 128 to 10240 MB, not \(memory)", at: location(of: "memory")))
        }
        if !(1...900).contains(timeout.seconds) {
            problems.append(.error("function '\(name)': timeout must be 1 second to 15 minutes, not \(timeout)", at: location(of: "timeout")))
        }
        if !(0...2).contains(asyncRetries.retries) {
            problems.append(
                .error(
                    "function '\(name)': Lambda retries an asynchronous invocation 0 to 2 times, not \(asyncRetries.retries)", at: location(of: "asyncRetries"))
            )
        }
        if !(60...21_600).contains(asyncRetries.maxEventAge.seconds) {
            problems.append(
                .error(
                    "function '\(name)': the maximum event age must be 1 minute to 6 hours, not \(asyncRetries.maxEventAge)", at: location(of: "asyncRetries")))
        }
        if let limit = reservedConcurrency, limit < 0 {
            problems.append(.error("function '\(name)': reserved concurrency cannot be negative", at: location(of: "concurrency")))
        }
        if !LogRetention.allowedDays.contains(logRetention.days) || logRetention.seconds % 86_400 != 0 {
            problems.append(
                .error(
                    "function '\(name)': log retention of \(logRetention) is not one CloudWatch Logs offers (\(LogRetention.allowedDays.map(String.init).joined(separator: ", ")) days)",
                    at: location(of: "logRetention")))
        }
        var keys: Set<String> = []
        for variable in environment {
            if !keys.insert(variable.key).inserted {
                problems.append(.error("function '\(name)' sets environment variable \(variable.key) twice", at: variable.location))
            }
            let valid =
                variable.key.first.map { $0.isLetter && $0.isASCII } == true
                && variable.key.unicodeScalars.allSatisfy { NameRules.isASCIILetterOrDigit($0) || $0 == "_" }
            if !valid || ["AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_EXECUTION_ENV", "_HANDLER"].contains(variable.key) {
                problems.append(
                    .error(
                        "function '\(name)': '\(variable.key)' is not a usable environment variable name (letters, digits, '_', starting with a letter; not reserved by Lambda)",
                        at: variable.location))
            }
        }
        var granted: Set<String> = []
        for grant in grants where !granted.insert(grant.summary).inserted {
            problems.append(.error("function '\(name)' grants \(grant.summary) twice", at: grant.location))
        }
        problems += validateGrantScopes()
        problems += validateUngrantedReferences()
        problems += extraStatements.flatMap { $0.validate(function: name) }
        for grant in grants where grant.expectedKind != grant.target.kind {
            problems.append(
                .error(
                    "function '\(name)': grant \(grant.access.rawValue) applies to a \(grant.expectedKind.rawValue), not to \(grant.target)", at: grant.location
                ))
        }
        return problems
    }
}

extension Architecture {
    /// Whether something in the architecture invokes `function` asynchronously: a schedule, or
    /// a topic it subscribes to.
    public func isInvokedAsynchronously(_ function: Function) -> Bool {
        resources(of: Schedule.self).contains { $0.target == function.id }
            || resources(of: Topic.self).contains { topic in
                topic.subscriptions.contains { if case .function(let id, _, _) = $0.endpoint { id == function.id } else { false } }
            }
    }

    /// Whether `function` gets a dead-letter queue: it keeps the default (or asks for one), and
    /// something invokes it asynchronously. A function only ever invoked synchronously (by API
    /// routes) would never send anything there.
    public func hasDeadLetterQueue(_ function: Function) -> Bool {
        function.deadLetterQueue && isInvokedAsynchronously(function)
    }

    /// A dead-letter queue asked for by a function nothing invokes asynchronously.
    func validateDeadLetterQueues() -> [Diagnostic] {
        resources(of: Function.self).compactMap { function in
            guard function.deadLetterQueue, let at = function.settingLocations["deadLetterQueue"], !isInvokedAsynchronously(function) else { return nil }
            return .warning(
                "function '\(function.name)' is only invoked synchronously, so a dead-letter queue would never receive anything; none is created",
                at: at)
        }
    }
}

extension Function {
    /// Bucket prefixes that IAM would read more widely than written.
    func validateGrantScopes() -> [Diagnostic] {
        grants.compactMap { grant in
            guard let prefix = grant.keyPrefix else { return nil }
            if prefix.isEmpty {
                return .error("function '\(name)': an empty key prefix; leave it out to grant every object of \(grant.target.name)", at: grant.location)
            }
            if prefix.contains("*") || prefix.contains("?") || prefix.contains("$") {
                return .error(
                    "function '\(name)': key prefix '\(prefix)' holds an IAM wildcard, which would widen the grant; give the literal start of the keys",
                    at: grant.location)
            }
            if prefix.hasPrefix("/") {
                return .warning(
                    "function '\(name)': key prefix '\(prefix)' starts with '/', which S3 keys rarely do ('images/x.png', not '/images/x.png')",
                    at: grant.location)
            }
            return nil
        }
    }

    /// An environment variable that names a resource the function has no grant on: its calls
    /// would be denied, in the simulator as on AWS.
    func validateUngrantedReferences() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let extraServices = Set(extraStatements.flatMap(\.actions).compactMap { $0.split(separator: ":").first.map(String.init) })
        for variable in environment {
            let target: ResourceID
            switch (variable.value, variable.index) {
            case (_, let index?): target = index.table
            case (.attribute(let id, _, _), nil): target = id
            case (.literal, nil): continue
            }
            guard let suggestion = Self.grantSuggestion(for: target), !grants.contains(where: { $0.target == target }),
                !extraServices.contains(suggestion.service)
            else { continue }
            problems.append(
                .warning(
                    "function '\(name)': environment variable \(variable.key) names \(target), but the function has no grant on it, so its calls "
                        + "to it will be denied; add .grants(\(suggestion.grants))",
                    at: variable.location))
        }
        return problems
    }

    /// The grants that give access to a resource of this kind, and the IAM service behind them.
    static func grantSuggestion(for target: ResourceID) -> (grants: String, service: String)? {
        let name = target.name.prefix(1).lowercased() + target.name.dropFirst()
        switch target.kind {
        case .table: return (".read(\(name)) or .readWrite(\(name))", "dynamodb")
        case .bucket: return (".read(\(name)), .write(\(name)) or .readWrite(\(name))", "s3")
        case .topic: return (".publish(\(name))", "sns")
        case .parameter: return (".readParameter(\(name))", "ssm")
        case .userPool: return (".adminUsers(\(name))", "cognito-idp")
        case .emailIdentity: return (".sendEmail(from: \(name))", "ses")
        default: return nil
        }
    }
}

/// An IAM statement a function needs that no grant expresses: an escape hatch, each with the
/// reason it is needed, which the template keeps in the role's `Metadata`.
public struct PolicyStatement: Sendable, Hashable {
    /// IAM actions, `service:Action` (wildcards allowed within the action name).
    public var actions: [String]
    /// Resource ARNs, or `*`.
    public var resources: [String]
    /// Why the function needs it.
    public var justification: String
    /// Where it was written.
    public var location: SourceLocation

    /// Whether it allows `action` on the resource `arn`, with IAM's `*` and `?` wildcards (the
    /// simulator's permission check). A resource with a `${...}` variable matches any value there.
    public func allows(_ action: String, arn: String) -> Bool {
        actions.contains { Self.matches(action, pattern: $0, ignoringCase: true) }
            && resources.contains { Self.matches(arn, pattern: Self.wildcardingVariables($0), ignoringCase: false) }
    }

    static func wildcardingVariables(_ resource: String) -> String {
        resource.replacingOccurrences(of: #"\$\{[^}]*\}"#, with: "*", options: .regularExpression)
    }

    static func matches(_ text: String, pattern: String, ignoringCase: Bool) -> Bool {
        let text = Array(ignoringCase ? text.lowercased() : text), pattern = Array(ignoringCase ? pattern.lowercased() : pattern)
        var matched = Array(repeating: Array(repeating: false, count: text.count + 1), count: pattern.count + 1)
        matched[0][0] = true
        for p in stride(from: 1, through: pattern.count, by: 1) {
            matched[p][0] = matched[p - 1][0] && pattern[p - 1] == "*"
            for t in stride(from: 1, through: text.count, by: 1) {
                matched[p][t] =
                    pattern[p - 1] == "*"
                    ? matched[p - 1][t] || matched[p][t - 1]
                    : matched[p - 1][t - 1] && (pattern[p - 1] == "?" || pattern[p - 1] == text[t - 1])
            }
        }
        return matched[pattern.count][text.count]
    }

    func validate(function: String) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if justification.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(.error("function '\(function)': a statement beyond the grants needs a reason: say why in because:", at: location))
        }
        if actions.isEmpty || resources.isEmpty {
            problems.append(.error("function '\(function)': a statement needs at least one action and one resource", at: location))
        }
        for action in actions {
            let parts = action.split(separator: ":", omittingEmptySubsequences: false)
            let wellFormed =
                parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
                && parts[0].allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
                && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "*" || $0 == "?") }
            if action == "*" || (wellFormed && parts[1] == "*" && parts[0] == "*") {
                problems.append(.error("function '\(function)': '\(action)' allows every action of every service; name the actions", at: location))
            } else if !wellFormed {
                problems.append(.error("function '\(function)': '\(action)' is not an IAM action (service:Action)", at: location))
            }
        }
        for resource in resources where resource != "*" && !resource.hasPrefix("arn:") {
            problems.append(.error("function '\(function)': '\(resource)' is neither an ARN nor '*'", at: location))
        }
        return problems
    }
}

/// How Lambda retries a failed asynchronous invocation before the event goes to the
/// function's dead-letter queue: after one minute, then after two more.
public struct AsyncRetries: Sendable, Hashable {
    /// Retries after the first attempt (0 to 2).
    public var retries: Int
    /// How long an event may wait for a successful attempt.
    public var maxEventAge: TimeSpan

    /// Lambda's own setting: two retries, events up to six hours old.
    public static let lambdaDefault = AsyncRetries(retries: 2, maxEventAge: .hours(6))

    /// The delay before each retry: one minute, then two.
    public static func delay(beforeRetry number: Int) -> TimeSpan { .minutes(number) }
}

/// Lambda instruction sets.
public enum CPUArchitecture: String, Sendable, Hashable {
    case arm64
    case x86_64
}

/// An environment variable of a function.
public struct EnvironmentVariable: Sendable, Hashable {
    /// The value: literal, or resolved from another resource at deploy time.
    public enum Value: Sendable, Hashable {
        case literal(String)
        case attribute(ResourceID, ResourceAttribute, declaredAt: SourceLocation)
    }

    /// The variable's name.
    public var key: String
    /// Its value.
    public var value: Value
    /// Where it was set.
    public var location: SourceLocation
    /// For a variable holding an index's name: the index, checked against its table.
    public var index: TableIndex? = nil
}

/// Which attribute of a resource a reference resolves to.
public enum ResourceAttribute: String, Sendable, Hashable {
    /// The attribute most code needs: a table's or bucket's name, a topic's ARN, a pool's ID.
    case `default`
    /// The physical name.
    case name
    /// The ARN.
    case arn
    /// A user pool's app client ID.
    case clientID
    /// A REST API's or distribution's URL.
    case url
}

/// The retention periods CloudWatch Logs accepts.
public enum LogRetention {
    /// Allowed values of `RetentionInDays`.
    public static let allowedDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
}

/// What a reference to a resource's attribute stands for, decided once in the model: the
/// emitter writes it as a CloudFormation intrinsic, the simulator as the local name or ARN.
public enum ResolvedAttribute: Sendable, Hashable {
    /// The resource's physical ID (CloudFormation's `Ref`): a table's, bucket's, function's or
    /// parameter's name, a topic's ARN, a user pool's or key's ID.
    case physicalID
    /// A named attribute (`Fn::GetAtt`): `Arn`, `TopicName`, ….
    case attribute(String)
    /// A user pool's app client ID.
    case appClientID
    /// A REST API's invoke URL, with its stage.
    case apiURL(stage: String)
    /// A distribution's URL.
    case distributionURL
    /// A value the model itself holds (an e-mail identity's address).
    case literal(String)
}

extension Architecture {
    /// What `attribute` of the resource `id` resolves to.
    public func resolution(of id: ResourceID, _ attribute: ResourceAttribute) -> ResolvedAttribute {
        switch (id.kind, attribute) {
        case (.topic, .default), (.topic, .arn): .physicalID
        case (.topic, .name): .attribute("TopicName")
        case (.userPool, .clientID): .appClientID
        case (.userPool, .arn), (.table, .arn), (.bucket, .arn), (.function, .arn), (.encryptionKey, .arn): .attribute("Arn")
        case (.restAPI, .url): .apiURL(stage: resolve(id, as: RestAPI.self)?.stage ?? "")
        case (.distribution, .url), (.distribution, .default): .distributionURL
        case (.emailIdentity, _): .literal(resolve(id, as: EmailIdentity.self)?.identity ?? "")
        default: .physicalID
        }
    }
}
