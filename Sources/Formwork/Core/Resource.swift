/// The kinds of resource the DSL can declare.
public enum ResourceKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case encryptionKey = "encryption key"
    case bucket
    case distribution
    case restAPI = "REST API"
    case function
    case table
    case userPool = "user pool"
    case identityPool = "identity pool"
    case topic
    case emailIdentity = "email identity"
    case schedule
    case webACL = "web ACL"
    case ipSet = "IP set"
    case alarm
    case dashboard
    case parameter
    case trail
    case budget

    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The identity of a declared resource: its logical ID and its kind.
public struct ResourceID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The logical ID, written once in the resource's initializer.
    public var name: String
    /// What the resource is.
    public var kind: ResourceKind

    /// Creates an identity.
    public init(_ name: String, kind: ResourceKind) {
        self.name = name
        self.kind = kind
    }

    public static func < (lhs: ResourceID, rhs: ResourceID) -> Bool {
        (lhs.name, lhs.kind) < (rhs.name, rhs.kind)
    }

    public var description: String { "\(kind.rawValue) '\(name)'" }
}

/// A typed reference from one resource to another, kept with the place it was written.
public struct Reference: Sendable, Hashable {
    /// The resource referred to.
    public var target: ResourceID
    /// Where the referred resource was declared.
    public var targetLocation: SourceLocation
    /// What the reference is for, in words ("grant readWrite", "route target").
    public var purpose: String
    /// Where the reference was written.
    public var location: SourceLocation

    /// Creates a reference to `resource`.
    public init(to resource: some Resource, for purpose: String, at location: SourceLocation) {
        self.target = resource.id
        self.targetLocation = resource.location
        self.purpose = purpose
        self.location = location
    }
}

/// A resource of the architecture model: a value with a logical ID, a kind and a source location.
///
/// Resources are plain values. Modifiers return changed copies, so a resource is complete only
/// once all its modifiers have run; other resources refer to it by value and the reference keeps
/// its ``ResourceID``.
public protocol Resource: Sendable {
    /// The kind of every value of this type.
    static var kind: ResourceKind { get }
    /// The logical ID.
    var name: String { get }
    /// Where the resource was declared.
    var location: SourceLocation { get }
    /// The resources this one refers to.
    var references: [Reference] { get }
    /// Problems with this resource's own settings (names, ranges, expressions).
    func validate() -> [Diagnostic]
}

extension Resource {
    /// The resource's identity.
    public var id: ResourceID { ResourceID(name, kind: Self.kind) }
    /// No references by default.
    public var references: [Reference] { [] }
    /// No settings to check by default.
    public func validate() -> [Diagnostic] { [] }

    /// Returns a copy changed by `change`.
    func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}

/// Resources that remember where each of their settings was written, so a diagnostic about a
/// setting points at the modifier rather than at the declaration.
protocol LocatedSettings: Resource {
    var settingLocations: [String: SourceLocation] { get set }
}

extension LocatedSettings {
    /// A copy changed by `change`, remembering that `key` was set at the given call site.
    func setting(
        _ key: String, _ fileID: String, _ filePath: String, _ line: Int, _ column: Int,
        _ change: (inout Self) -> Void
    ) -> Self {
        with {
            change(&$0)
            $0.settingLocations[key] = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
        }
    }

    /// Where `key` was set, or the declaration when it was not.
    func location(of key: String) -> SourceLocation { settingLocations[key] ?? location }
}

/// Resources that carry the architecture's tags.
public protocol Taggable: Resource {}

/// Resources that hold data, so deleting or replacing them loses it.
public protocol Stateful: Resource {
    /// Whether the resource is kept when removed from the stack or replaced.
    var retainOnDelete: Bool { get }
}
