import FormworkRuntime

/// A document path with its placeholders resolved: `a.b[2].c` is `a`, `b`, `[2]`, `c`.
struct DocumentPath: Hashable, Sendable, CustomStringConvertible {
    /// One step of a path: a map member or a list element.
    enum Element: Hashable, Sendable, Comparable {
        case name(String)
        case index(Int)

        static func < (lhs: Element, rhs: Element) -> Bool {
            switch (lhs, rhs) {
            case (.name(let a), .name(let b)): a < b
            case (.index(let a), .index(let b)): a < b
            case (.name, .index): true
            case (.index, .name): false
            }
        }

        /// Whether both elements step into the same kind of container (map or list).
        func isSameKind(as other: Element) -> Bool {
            switch (self, other) {
            case (.name, .name), (.index, .index): true
            default: false
            }
        }
    }

    /// DynamoDB's deepest document path.
    static let maximumDepth = 32

    /// The elements; the first is always a name.
    let elements: [Element]

    /// The top-level attribute the path starts at.
    var attributeName: String {
        if case .name(let name)? = elements.first { return name }
        return ""
    }

    /// DynamoDB's rendering in messages: `[a, b, [2], c]`.
    var description: String {
        let parts = elements.map { element in
            switch element {
            case .name(let name): name
            case .index(let index): "[\(index)]"
            }
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }

    /// The value at this path in `item`, or nil when the path leads nowhere (a missing member, an
    /// index past the end, or a step into a value that is not a map or list).
    func value(in item: TableItem) -> AttributeValue? {
        var current: AttributeValue?
        for (position, element) in elements.enumerated() {
            switch element {
            case .name(let name):
                if position == 0 {
                    current = item[name]
                } else {
                    guard case .map(let members)? = current else { return nil }
                    current = members[name]
                }
            case .index(let index):
                guard case .list(let values)? = current, index < values.count else { return nil }
                current = values[index]
            }
            if current == nil { return nil }
        }
        return current
    }

    /// How two paths of one expression relate, as DynamoDB checks update actions and projections.
    enum Relation {
        /// They lead to different places.
        case disjoint
        /// One is the other or a prefix of it.
        case overlap
        /// They agree up to a step that one takes into a map and the other into a list.
        case conflict
    }

    func relation(to other: DocumentPath) -> Relation {
        for (mine, theirs) in zip(elements, other.elements) {
            if !mine.isSameKind(as: theirs) { return .conflict }
            if mine != theirs { return .disjoint }
        }
        return .overlap
    }
}
