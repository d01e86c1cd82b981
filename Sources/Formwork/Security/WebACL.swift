/// A WAFv2 web ACL for a regional resource (a REST API stage), evaluated in rule order.
///
/// ```swift
/// WebACL("ApiFirewall") {
///     FirewallRule.rateLimit("PerAddress", requests: 2000, per: .minutes(5))
///     FirewallRule.blockAddresses("Blocklist", blocked)
///     FirewallRule.blockSQLInjection("SQLi")
/// }
/// ```
public struct WebACL: Resource, Taggable {
    public static let kind = ResourceKind.webACL
    public let name: String
    public let location: SourceLocation
    /// The rules, in priority order.
    public let rules: [FirewallRule]
    /// What happens to requests no rule blocks.
    public private(set) var defaultAllow = true
    /// How the request log group is encrypted.
    public private(set) var logEncryption = Encryption.serviceManaged
    private var logEncryptionAt: SourceLocation?

    /// Declares a web ACL.
    public init(
        _ name: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column,
        @FirewallRuleBuilder rules: () -> [FirewallRule]
    ) {
        self.name = name
        self.rules = rules()
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Blocks requests no rule allows, instead of allowing them.
    public func blockByDefault() -> Self { with { $0.defaultAllow = false } }

    /// Encrypts the request log group.
    public func logEncryption(
        _ encryption: Encryption,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        with {
            $0.logEncryption = encryption
            $0.logEncryptionAt = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
        }
    }

    public var references: [Reference] {
        var refs: [Reference] = rules.compactMap { rule in
            guard case .blockAddresses(let set, let declared) = rule.statement else { return nil }
            return Reference(target: set, targetLocation: declared, purpose: "rule \(rule.name)", location: rule.location)
        }
        if let ref = logEncryption.reference(purpose: "encryption", at: logEncryptionAt ?? location) { refs.append(ref) }
        return refs
    }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var names: Set<String> = []
        for rule in rules {
            if !names.insert(rule.name).inserted {
                problems.append(.error("web ACL '\(name)' has two rules named '\(rule.name)'", at: rule.location))
            }
            if let problem = NameRules.simpleNameProblem(rule.name, limit: 128, extra: "-_") {
                problems.append(.error("web ACL rule name '\(rule.name)' \(problem)", at: rule.location))
            }
            switch rule.statement {
            case .rateLimit(let limit, let window):
                if !(10...2_000_000_000).contains(limit) {
                    problems.append(.error("rule '\(rule.name)': a rate limit must be 10 to 2,000,000,000 requests", at: rule.location))
                }
                if ![60, 120, 300, 600].contains(window.seconds) {
                    problems.append(.error("rule '\(rule.name)': the evaluation window must be 1, 2, 5 or 10 minutes", at: rule.location))
                }
            case .maxBodySize(let bytes) where bytes <= 0 || bytes > 65_536:
                problems.append(.error("rule '\(rule.name)': the body size limit must be 1 to 65536 bytes (WAF inspects at most 64 KB)", at: rule.location))
            default: break
            }
        }
        return problems
    }
}

/// One rule of a web ACL.
public struct FirewallRule: Sendable, Hashable {
    /// What the rule inspects.
    public enum Statement: Sendable, Hashable {
        /// Blocks an address that sends more than `limit` requests in `window`.
        case rateLimit(Int, window: TimeSpan)
        /// Blocks addresses in an IP set.
        case blockAddresses(ResourceID, declaredAt: SourceLocation)
        /// Blocks bodies larger than this many bytes.
        case maxBodySize(Int)
        /// Blocks SQL injection in the query string and body.
        case sqlInjection
        /// Blocks cross-site scripting in the query string and body.
        case crossSiteScripting
        /// An AWS managed rule group; rules named in `countOnly` only count matches.
        case managed(vendor: String, group: String, countOnly: [String])
    }

    /// The rule's name (also its metric name).
    public var name: String
    /// What it inspects.
    public var statement: Statement
    /// Where it was written.
    public var location: SourceLocation

    private static func make(_ name: String, _ statement: Statement, _ f: String, _ p: String, _ l: Int, _ c: Int) -> FirewallRule {
        FirewallRule(name: name, statement: statement, location: SourceLocation(fileID: f, filePath: p, line: l, column: c))
    }

    /// Rate-based blocking per client address.
    public static func rateLimit(
        _ name: String, requests: Int, per window: TimeSpan,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> FirewallRule {
        make(name, .rateLimit(requests, window: window), fileID, filePath, line, column)
    }
    /// Blocks the addresses of an IP set.
    public static func blockAddresses(
        _ name: String, _ set: IPSet,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> FirewallRule {
        make(name, .blockAddresses(set.id, declaredAt: set.location), fileID, filePath, line, column)
    }
    /// Blocks bodies over `bytes`.
    public static func maxBodySize(
        _ name: String, bytes: Int,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> FirewallRule {
        make(name, .maxBodySize(bytes), fileID, filePath, line, column)
    }
    /// Blocks SQL injection.
    public static func blockSQLInjection(
        _ name: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> FirewallRule {
        make(name, .sqlInjection, fileID, filePath, line, column)
    }
    /// Blocks cross-site scripting.
    public static func blockCrossSiteScripting(
        _ name: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> FirewallRule {
        make(name, .crossSiteScripting, fileID, filePath, line, column)
    }
    /// An AWS managed rule group, such as `AWSManagedRulesCommonRuleSet`; the rules of the group
    /// named in `countOnly` count matches instead of blocking (for example a body-size rule
    /// stricter than the API's own limit).
    public static func managed(
        _ name: String, group: String, vendor: String = "AWS", countOnly: [String] = [],
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> FirewallRule {
        make(name, .managed(vendor: vendor, group: group, countOnly: countOnly), fileID, filePath, line, column)
    }
}

/// Collects the rules of a ``WebACL``.
@resultBuilder
public enum FirewallRuleBuilder {
    public static func buildExpression(_ rule: FirewallRule) -> [FirewallRule] { [rule] }
    public static func buildBlock(_ parts: [FirewallRule]...) -> [FirewallRule] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [FirewallRule]?) -> [FirewallRule] { part ?? [] }
    public static func buildEither(first part: [FirewallRule]) -> [FirewallRule] { part }
    public static func buildEither(second part: [FirewallRule]) -> [FirewallRule] { part }
}

/// A set of IPv4 ranges a web ACL rule can block.
public struct IPSet: Resource, Taggable {
    public static let kind = ResourceKind.ipSet
    public let name: String
    public let location: SourceLocation
    /// The CIDR ranges.
    public let addresses: [String]

    /// Declares an IP set.
    public init(
        _ name: String, addresses: [String],
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.addresses = addresses
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    public func validate() -> [Diagnostic] {
        addresses.filter { !RouteRules.isCIDR($0) }.map {
            .error("IP set '\(name)': '\($0)' is not an IPv4 CIDR range", at: location)
        }
    }
}
