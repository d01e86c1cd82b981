extension ParsedCondition {
    /// The top-level attribute names the condition reads.
    public var referencedAttributes: Set<String> { root.attributes }
}

extension ConditionNode {
    var attributes: Set<String> {
        switch self {
        case .and(let a, let b), .or(let a, let b): a.attributes.union(b.attributes)
        case .not(let inner): inner.attributes
        case .compare(_, let a, let b), .beginsWith(let a, let b), .contains(let a, let b): a.attributes.union(b.attributes)
        case .between(let a, let b, let c): a.attributes.union(b.attributes).union(c.attributes)
        case .inList(let a, let list): list.reduce(a.attributes) { $0.union($1.attributes) }
        case .attributeExists(let path), .attributeNotExists(let path), .attributeType(let path, _): [path.attributeName]
        case .invalid: []
        }
    }
}

extension OperandNode {
    var attributes: Set<String> {
        switch self {
        case .path(let path): [path.attributeName]
        case .value: []
        case .size(let inner): inner.attributes
        }
    }
}

extension ParsedUpdate {
    /// The document paths the update writes, as a projection: UPDATED_OLD and UPDATED_NEW
    /// return exactly these parts of the item.
    public var updatedParts: ParsedProjection { ParsedProjection(paths: actions.map(\.path)) }
}
