import FormworkTemplate

/// One step of a path into a template: a map key, a list position, or a list element
/// identified by its key (`Tags[Environment]`, `GlobalSecondaryIndexes[ByAssignee]`).
public enum PathComponent: Sendable, Hashable, CustomStringConvertible {
    case key(String)
    case index(Int)
    case element(String)

    public var description: String {
        switch self {
        case .key(let key): key
        case .index(let index): "[\(index)]"
        case .element(let name): "[\(name)]"
        }
    }
}

/// A path into a template, written `Properties.Tags[Environment].Value`.
public struct ValuePath: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The steps.
    public var components: [PathComponent]

    /// Creates a path.
    public init(_ components: [PathComponent] = []) { self.components = components }

    /// The path one step further.
    public func appending(_ component: PathComponent) -> ValuePath { ValuePath(components + [component]) }

    public var description: String {
        var text = ""
        for component in components {
            if case .key(let key) = component, !text.isEmpty { text += "." + key } else { text += component.description }
        }
        return text
    }

    public static func < (lhs: ValuePath, rhs: ValuePath) -> Bool { lhs.description < rhs.description }
}

/// A value that differs at one path; nil on one side means absent there.
public struct ValueChange: Sendable, Equatable {
    /// Where.
    public var path: ValuePath
    /// The value before, nil when added.
    public var old: TemplateValue?
    /// The value after, nil when removed.
    public var new: TemplateValue?
}

/// Structural comparison of two normalized values.
enum ValueDiff {
    /// List-valued keys whose order CloudFormation ignores, compared as sets of scalars.
    static let unorderedScalarLists: Set<String> = [
        "Action", "NotAction", "Resource", "NotResource", "ManagedPolicyArns", "ExplicitAuthFlows",
        "AutoVerifiedAttributes", "UsernameAttributes", "AliasAttributes", "SecurityGroupIds", "SubnetIds",
        "AllowedMethods", "CachedMethods", "Aliases", "Architectures", "EnabledMfas", "Addresses", "DependsOn",
    ]
    /// List-valued keys whose elements CloudFormation and IAM treat as unordered even when they
    /// are maps or intrinsics: a permutation is no difference.
    static let unorderedLists: Set<String> = ["Statement", "Resource", "NotResource", "Action", "DependsOn", "Subscribers"]
    /// Keys that identify list elements, in order of preference, when every element has them
    /// (`MethodSettings` elements are identified by method and path together).
    static let elementKeys = [
        ["Key"], ["IndexName"], ["AttributeName"], ["PolicyName"], ["Sid"], ["Name"], ["Id"],
        ["HttpMethod", "ResourcePath"], ["ErrorCode"],
    ]

    static func changes(_ old: TemplateValue, _ new: TemplateValue, at path: ValuePath = ValuePath(), key: String? = nil) -> [ValueChange] {
        if old == new { return [] }
        switch (old, new) {
        case (.map(let a), .map(let b)):
            return mapChanges(a, b, at: path)
        case (.list(let a), .list(let b)):
            if let key, unorderedScalarLists.contains(key), let setA = scalarSet(a), let setB = scalarSet(b) {
                return setA == setB ? [] : [ValueChange(path: path, old: old, new: new)]
            }
            if let key, unorderedLists.contains(key), a.count == b.count,
                a.map({ canonical($0) }).sorted() == b.map({ canonical($0) }).sorted()
            {
                return []
            }
            if let elementKey = sharedElementKey(a, b) {
                return keyedChanges(a, b, by: elementKey, at: path)
            }
            if a.count == b.count {
                return zip(a, b).enumerated().flatMap { index, pair in changes(pair.0, pair.1, at: path.appending(.index(index))) }
            }
            return [ValueChange(path: path, old: old, new: new)]
        case (.intrinsic(let nameA, let argA), .intrinsic(let nameB, let argB)) where nameA == nameB:
            return changes(argA, argB, at: path.appending(.key(nameA)))
        default:
            if let a = old.scalarText, let b = new.scalarText, a == b { return [] }
            return [ValueChange(path: path, old: old, new: new)]
        }
    }

    /// A value's text for order-free comparison: map keys sorted, and the elements of lists whose
    /// order does not matter sorted too, at any depth.
    static func canonical(_ value: TemplateValue, key: String? = nil) -> String {
        switch value {
        case .list(let items):
            let parts = items.map { canonical($0) }
            let unordered = key.map { unorderedLists.contains($0) || unorderedScalarLists.contains($0) } ?? false
            return "[" + (unordered ? parts.sorted() : parts).joined(separator: ",") + "]"
        case .map(let entries):
            return "{"
                + entries.sorted { $0.key < $1.key }.map { TemplateValue.jsonString($0.key) + ":" + canonical($0.value, key: $0.key) }
                .joined(separator: ",") + "}"
        case .intrinsic(let name, let argument):
            return "{" + TemplateValue.jsonString(name) + ":" + canonical(argument) + "}"
        default:
            return value.scalarText.map(TemplateValue.jsonString) ?? value.compactJSON
        }
    }

    private static func mapChanges(_ a: [TemplateEntry], _ b: [TemplateEntry], at path: ValuePath) -> [ValueChange] {
        let oldValues = Dictionary(a.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        let newValues = Dictionary(b.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        var result: [ValueChange] = []
        for key in Set(oldValues.keys).union(newValues.keys).sorted() {
            let child = path.appending(.key(key))
            switch (oldValues[key], newValues[key]) {
            case (let x?, let y?): result += changes(x, y, at: child, key: key)
            case (let x?, nil): result.append(ValueChange(path: child, old: x, new: nil))
            case (nil, let y?): result.append(ValueChange(path: child, old: nil, new: y))
            case (nil, nil): break
            }
        }
        return result
    }

    private static func scalarSet(_ items: [TemplateValue]) -> Set<String>? {
        var set: Set<String> = []
        for item in items {
            guard let text = item.scalarText else { return nil }
            set.insert(text)
        }
        return set
    }

    /// The name of a list element under `keys` (values joined by a space), if it has them all.
    static func elementName(_ item: TemplateValue, keys: [String]) -> String? {
        let parts = keys.compactMap { item[$0]?.scalarText }
        return parts.count == keys.count ? parts.joined(separator: " ") : nil
    }

    /// Keys every element of both lists has, naming each element uniquely on each side.
    private static func sharedElementKey(_ a: [TemplateValue], _ b: [TemplateValue]) -> [String]? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        for keys in elementKeys {
            let unique = [a, b].allSatisfy { side in
                let names = side.compactMap { elementName($0, keys: keys) }
                return names.count == side.count && Set(names).count == names.count
            }
            if unique { return keys }
        }
        return nil
    }

    private static func keyedChanges(_ a: [TemplateValue], _ b: [TemplateValue], by keys: [String], at path: ValuePath) -> [ValueChange] {
        func name(_ item: TemplateValue) -> String { elementName(item, keys: keys) ?? "" }
        let oldItems = Dictionary(a.map { (name($0), $0) }, uniquingKeysWith: { first, _ in first })
        let newItems = Dictionary(b.map { (name($0), $0) }, uniquingKeysWith: { first, _ in first })
        var result: [ValueChange] = []
        for element in Set(oldItems.keys).union(newItems.keys).sorted() {
            let child = path.appending(.element(element))
            switch (oldItems[element], newItems[element]) {
            case (let x?, let y?): result += changes(x, y, at: child)
            case (let x?, nil): result.append(ValueChange(path: child, old: x, new: nil))
            case (nil, let y?): result.append(ValueChange(path: child, old: nil, new: y))
            case (nil, nil): break
            }
        }
        return result
    }
}
