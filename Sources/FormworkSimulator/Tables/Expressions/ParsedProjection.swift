import FormworkRuntime

/// A parsed `ProjectionExpression`: the attributes a read returns.
public struct ParsedProjection: Sendable {
    let paths: [DocumentPath]

    /// Top-level attribute names the projection reads from.
    public var topLevelAttributes: Set<String> {
        Set(paths.map(\.attributeName))
    }

    /// Keeps only the projected parts of `item`, as DynamoDB returns them: a nested path keeps
    /// the maps and lists leading to it (`a.b` gives `{a: {b: …}}`; `l[3], l[1]` gives the two
    /// elements as a list, in list order), and paths that lead nowhere are left out.
    public func apply(to item: TableItem) -> TableItem {
        var tree: [DocumentPath.Element: ProjectionNode] = [:]
        for path in paths {
            ProjectionNode.insert(path.elements[...], into: &tree)
        }
        return ProjectionNode.project(tree, fromMap: item)
    }
}

/// The projected paths arranged as a tree.
indirect enum ProjectionNode: Sendable {
    /// The whole value is projected.
    case whole
    /// Only parts of the value are projected.
    case parts([DocumentPath.Element: ProjectionNode])

    static func insert(_ elements: ArraySlice<DocumentPath.Element>, into tree: inout [DocumentPath.Element: ProjectionNode]) {
        guard let first = elements.first else { return }
        let rest = elements.dropFirst()
        if rest.isEmpty {
            tree[first] = .whole
            return
        }
        if case .whole? = tree[first] { return }
        var parts: [DocumentPath.Element: ProjectionNode] = [:]
        if case .parts(let existing)? = tree[first] { parts = existing }
        insert(rest, into: &parts)
        tree[first] = .parts(parts)
    }

    static func project(_ tree: [DocumentPath.Element: ProjectionNode], fromMap members: [String: AttributeValue]) -> [String: AttributeValue] {
        var result: [String: AttributeValue] = [:]
        for (element, node) in tree {
            guard case .name(let name) = element, let value = members[name] else { continue }
            if let projected = project(node, from: value) { result[name] = projected }
        }
        return result
    }

    private static func project(_ node: ProjectionNode, from value: AttributeValue) -> AttributeValue? {
        guard case .parts(let tree) = node else { return value }
        switch value {
        case .map(let members):
            let projected = project(tree, fromMap: members)
            return projected.isEmpty ? nil : .map(projected)
        case .list(let values):
            var projected: [AttributeValue] = []
            for element in tree.keys.sorted() {
                guard case .index(let index) = element, index < values.count, let child = tree[element] else { continue }
                if let part = project(child, from: values[index]) { projected.append(part) }
            }
            return projected.isEmpty ? nil : .list(projected)
        default:
            return nil
        }
    }
}

/// Resolution and checks of projections.
extension ExpressionResolver {
    mutating func projection(_ raw: [RawPath]) -> [DocumentPath] {
        var paths: [DocumentPath] = []
        for rawPath in raw {
            checkOverlap(resolve(rawPath), with: &paths)
        }
        return paths
    }
}
