import Foundation

/// An SNS topic with its subscriptions.
///
/// ```swift
/// Topic("Notifications").encryption(.with(key))
///     .subscribe(.email("team@example.com"), .function(notifier))
/// ```
public struct Topic: Resource, Taggable, LocatedSettings {
    public static let kind = ResourceKind.topic
    public let name: String
    public let location: SourceLocation
    /// The physical topic name; generated when nil.
    public private(set) var topicName: String?
    /// A display name used in SMS and e-mail.
    public private(set) var displayName: String?
    /// Encryption at rest (SNS requires a key to encrypt).
    public private(set) var encryption = Encryption.serviceManaged
    /// Subscriptions, in order.
    public private(set) var subscriptions: [Subscription] = []
    var settingLocations: [String: SourceLocation] = [:]

    /// Declares a topic.
    public init(
        _ name: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Sets the physical name (nil: CloudFormation generates one).
    public func named(_ topicName: String?, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("name", fileID, filePath, line, column) { $0.topicName = topicName }
    }
    /// Sets the display name.
    public func displayName(_ text: String?) -> Self { with { $0.displayName = text } }
    /// Encrypts messages at rest.
    public func encryption(_ encryption: Encryption, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("encryption", fileID, filePath, line, column) { $0.encryption = encryption }
    }
    /// Adds subscriptions.
    public func subscribe(_ subscriptions: Subscription...) -> Self { with { $0.subscriptions += subscriptions } }

    public var references: [Reference] {
        var refs = subscriptions.compactMap { sub -> Reference? in
            guard case .function(let id, let declared, _) = sub.endpoint else { return nil }
            return Reference(target: id, targetLocation: declared, purpose: "subscription", location: sub.location)
        }
        if let ref = encryption.reference(purpose: "encryption", at: location(of: "encryption")) { refs.append(ref) }
        return refs
    }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if let topicName, let problem = NameRules.topicNameProblem(topicName) {
            problems.append(.error("topic name '\(topicName)' \(problem)", at: location(of: "name")))
        }
        for sub in subscriptions {
            if let policy = sub.filterPolicy, let problem = policy.problem {
                problems.append(.error("topic '\(name)': the subscription's filter policy \(problem)", at: sub.location))
            }
            switch sub.endpoint {
            case .email(let address) where !address.contains("@") || address.hasPrefix("@") || address.hasSuffix("@"):
                problems.append(.error("topic '\(name)': '\(address)' is not an e-mail address", at: sub.location))
            case .sms(let number) where !(number.hasPrefix("+") && number.dropFirst().allSatisfy(\.isNumber) && (8...16).contains(number.count)):
                problems.append(.error("topic '\(name)': '\(number)' is not an E.164 phone number such as +14155550100", at: sub.location))
            case .https(let url) where !url.hasPrefix("https://"):
                problems.append(.error("topic '\(name)': HTTPS subscription endpoint '\(url)' must start with https://", at: sub.location))
            case .function(let id, let declared, let receives) where !receives:
                problems.append(
                    .error(
                        "topic '\(name)' delivers to function '\(id.name)', whose handler is not an SNSHandler", at: sub.location,
                        notes: [.init("function '\(id.name)' declared here", at: declared)]))
            default: break
            }
        }
        return problems
    }
}

/// A subscription of a topic.
public struct Subscription: Sendable, Hashable {
    /// Where messages go.
    public enum Endpoint: Sendable, Hashable {
        case email(String)
        case sms(String)
        case https(String)
        case function(ResourceID, declaredAt: SourceLocation, receivesMessages: Bool)
    }

    /// The endpoint.
    public var endpoint: Endpoint
    /// Where the subscription was written.
    public var location: SourceLocation
    /// Which messages it receives, by their attributes; all of them when nil.
    public var filterPolicy: FilterPolicy?
    /// Whether an e-mail subscription receives the notification as JSON (`email-json`).
    public var deliversJSON = false

    /// Receives only the messages whose attributes match `policy`.
    ///
    /// ```swift
    /// Subscription.email("ops@example.com").filter(["kind": [.equals("task_overdue")], "priority": [.numeric(atLeast: 3)]])
    /// ```
    public func filter(_ policy: FilterPolicy) -> Subscription {
        var copy = self
        copy.filterPolicy = policy
        return copy
    }

    /// E-mail delivery of the full notification as JSON.
    public static func emailJSON(_ address: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column)
        -> Subscription
    {
        var subscription = email(address, fileID: fileID, filePath: filePath, line: line, column: column)
        subscription.deliversJSON = true
        return subscription
    }

    /// E-mail delivery.
    public static func email(_ address: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column)
        -> Subscription
    {
        Subscription(endpoint: .email(address), location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }
    /// SMS delivery to an E.164 number.
    public static func sms(_ number: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Subscription {
        Subscription(endpoint: .sms(number), location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }
    /// HTTPS delivery (the endpoint must confirm the subscription).
    public static func https(_ url: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Subscription {
        Subscription(endpoint: .https(url), location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }
    /// Delivery to a function whose handler is an ``SNSHandler``.
    public static func function(_ function: Function, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column)
        -> Subscription
    {
        Subscription(
            endpoint: .function(function.id, declaredAt: function.location, receivesMessages: function.snsHandler != nil),
            location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }

    /// The protocol name SNS uses.
    public var protocolName: String {
        switch endpoint {
        case .email: deliversJSON ? "email-json" : "email"
        case .sms: "sms"
        case .https: "https"
        case .function: "lambda"
        }
    }
}

/// A verified SES sending identity (a domain or an e-mail address).
public struct EmailIdentity: Resource, Taggable {
    public static let kind = ResourceKind.emailIdentity
    public let name: String
    public let location: SourceLocation
    /// The domain or address.
    public let identity: String

    /// Declares an identity.
    public init(
        _ name: String, identity: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.identity = identity
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Whether the identity is a single address rather than a domain.
    public var isAddress: Bool { identity.contains("@") }

    /// Whether SES lets `sender` (`address` or `Name <address>`) send through this identity:
    /// the address itself, or any address of the domain or of its subdomains.
    public func covers(_ sender: String) -> Bool {
        let address = Self.address(in: sender).lowercased()
        let declared = identity.lowercased()
        if isAddress { return address == declared }
        let domain = address.split(separator: "@").last.map(String.init) ?? ""
        return domain == declared || domain.hasSuffix("." + declared)
    }

    /// The address of `Name <address>`, or the text itself.
    public static func address(in sender: String) -> String {
        if let open = sender.lastIndex(of: "<"), let close = sender.lastIndex(of: ">"), open < close {
            return String(sender[sender.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        }
        return sender.trimmingCharacters(in: .whitespaces)
    }

    public func validate() -> [Diagnostic] {
        let valid =
            !identity.isEmpty && !identity.contains(" ") && identity.contains(".")
            && identity.split(separator: "@", omittingEmptySubsequences: false).count <= 2
        return valid ? [] : [.error("email identity '\(name)': '\(identity)' is neither a domain nor an e-mail address", at: location)]
    }
}

/// An SNS subscription filter policy on message attributes: every named attribute must match
/// one of its conditions. The emitter writes it as the subscription's `FilterPolicy`; the
/// simulator decides deliveries with ``matches(_:)``.
public struct FilterPolicy: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// One accepted value or test of an attribute.
    public enum Condition: Sendable, Hashable {
        /// The string value, or an element of a `String.Array`.
        case equals(String)
        /// A number value.
        case number(Double)
        /// A string value starting with the prefix.
        case prefix(String)
        /// Any value but these.
        case anythingBut([String])
        /// The attribute is present (true) or absent (false).
        case exists(Bool)
        /// A number within the bounds (each inclusive when given).
        case numeric(atLeast: Double?, atMost: Double?)

        /// A number of at least `lower`.
        public static func numeric(atLeast lower: Double) -> Condition { .numeric(atLeast: lower, atMost: nil) }
    }

    /// The conditions of each attribute, by name.
    public var conditions: [(name: String, accepted: [Condition])]

    public init(dictionaryLiteral elements: (String, [Condition])...) {
        conditions = elements.map { (name: $0.0, accepted: $0.1) }
    }

    public static func == (lhs: FilterPolicy, rhs: FilterPolicy) -> Bool {
        lhs.conditions.map(\.name) == rhs.conditions.map(\.name) && lhs.conditions.map(\.accepted) == rhs.conditions.map(\.accepted)
    }

    public func hash(into hasher: inout Hasher) {
        for condition in conditions {
            hasher.combine(condition.name)
            hasher.combine(condition.accepted)
        }
    }

    /// What SNS would refuse in the policy, or nil.
    public var problem: String? {
        if conditions.isEmpty { return "names no attribute" }
        if let empty = conditions.first(where: { $0.accepted.isEmpty }) { return "gives attribute '\(empty.name)' no condition" }
        for (name, accepted) in conditions {
            for case .numeric(nil, nil) in accepted { return "gives attribute '\(name)' a numeric range without bounds" }
        }
        if Set(conditions.map(\.name)).count != conditions.count { return "names an attribute twice" }
        return nil
    }

    /// Whether a message with these attributes (`Type` and `Value`, as SNS carries them) passes.
    public func matches(_ attributes: [String: (type: String, value: String)]) -> Bool {
        conditions.allSatisfy { name, accepted in
            let attribute = attributes[name]
            return accepted.contains { condition in Self.accepts(condition, attribute) }
        }
    }

    private static func accepts(_ condition: Condition, _ attribute: (type: String, value: String)?) -> Bool {
        if case .exists(let wanted) = condition { return (attribute != nil) == wanted }
        guard let attribute else { return false }
        // A String.Array's elements are strings and numbers; other types hold one value.
        let values: [(text: String, isNumber: Bool)]
        if attribute.type == "String.Array",
            let array = try? JSONSerialization.jsonObject(with: Data(attribute.value.utf8)) as? [Any]
        {
            values = array.map { element in
                if let text = element as? String { return (text, false) }
                return ("\(element)", element is NSNumber)
            }
        } else if attribute.type.hasPrefix("Binary") {
            return false
        } else {
            values = [(attribute.value, attribute.type.hasPrefix("Number"))]
        }
        return values.contains { value, isNumber in
            switch condition {
            case .equals(let wanted): return !isNumber && value == wanted
            case .number(let wanted): return isNumber && Double(value) == wanted
            case .prefix(let prefix): return !isNumber && value.hasPrefix(prefix)
            case .anythingBut(let refused): return !refused.contains(value)
            case .numeric(let lower, let upper):
                guard isNumber, let number = Double(value) else { return false }
                return (lower.map { number >= $0 } ?? true) && (upper.map { number <= $0 } ?? true)
            case .exists: return true
            }
        }
    }
}
