/// A customer-managed KMS key with rotation, used to encrypt tables, topics, queues, logs and
/// the audit trail. Services that use it are added to its key policy from the resources that
/// refer to it.
public struct EncryptionKey: Resource, Taggable, Stateful {
    public static let kind = ResourceKind.encryptionKey
    public let name: String
    public let location: SourceLocation
    /// What the key protects.
    public private(set) var summary: String
    /// The alias, without the `alias/` prefix.
    public private(set) var alias: String?
    /// Days KMS waits before deleting the key once scheduled (7–30).
    public private(set) var pendingDeletionDays = 30
    public private(set) var retainOnDelete = true

    /// Declares a key.
    public init(
        _ name: String, summary: String = "",
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.summary = summary
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Sets the key's alias (`alias/<name>` in AWS).
    public func alias(_ alias: String?) -> Self { with { $0.alias = alias } }
    /// Sets the deletion waiting period in days (7–30).
    public func pendingDeletion(days: Int) -> Self { with { $0.pendingDeletionDays = days } }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if !(7...30).contains(pendingDeletionDays) {
            problems.append(.error("key '\(name)': the pending deletion window must be 7 to 30 days, not \(pendingDeletionDays)", at: location))
        }
        if let alias, !NameRules.isValidKMSAlias(alias) {
            problems.append(
                .error("key '\(name)': alias '\(alias)' must be 1 to 250 letters, digits, '/', '_' or '-', and must not start with 'aws/'", at: location))
        }
        return problems
    }
}

/// How a resource is encrypted at rest.
public enum Encryption: Sendable, Hashable {
    /// Keys owned and managed by the service (SSE-S3 for buckets, AWS-owned keys elsewhere).
    case serviceManaged
    /// A customer-managed key declared in the architecture.
    case key(ResourceID, declaredAt: SourceLocation)

    /// Encryption with a declared key.
    public static func with(_ key: EncryptionKey) -> Encryption { .key(key.id, declaredAt: key.location) }

    /// The key's identity, when a customer-managed key is used.
    public var keyID: ResourceID? {
        if case .key(let id, _) = self { return id }
        return nil
    }

    func reference(purpose: String, at location: SourceLocation) -> Reference? {
        guard case .key(let id, let declared) = self else { return nil }
        return Reference(target: id, targetLocation: declared, purpose: purpose, location: location)
    }
}

extension Reference {
    /// Creates a reference from stored identity and declaration location.
    public init(target: ResourceID, targetLocation: SourceLocation, purpose: String, location: SourceLocation) {
        self.target = target
        self.targetLocation = targetLocation
        self.purpose = purpose
        self.location = location
    }
}
