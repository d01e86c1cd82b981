/// One arrow of the architecture drawn as a graph: every reference from one resource to
/// another, merged, with short labels for what the references are for.
public struct ReferenceEdge: Sendable, Hashable {
    /// The resource that refers.
    public var from: ResourceID
    /// The resource referred to.
    public var to: ResourceID
    /// What the references are for, shortened (`readWrite`, `env`, `routes`), each once, in
    /// the order they were written.
    public var labels: [String]

    /// The labels joined with commas.
    public var label: String { labels.joined(separator: ", ") }
}

extension Architecture {
    /// The references between resources as one edge per ordered pair, in declaration order.
    public var referenceEdges: [ReferenceEdge] {
        var edges: [ReferenceEdge] = []
        var index: [[ResourceID]: Int] = [:]
        for resource in resources {
            for reference in resource.references {
                let key = [resource.id, reference.target]
                let label = Self.shortLabel(reference.purpose)
                if let position = index[key] {
                    if !edges[position].labels.contains(label) { edges[position].labels.append(label) }
                } else {
                    index[key] = edges.count
                    edges.append(ReferenceEdge(from: resource.id, to: reference.target, labels: [label]))
                }
            }
        }
        return edges
    }

    private static func shortLabel(_ purpose: String) -> String {
        if purpose.hasPrefix("route ") { return "routes" }
        if purpose.hasPrefix("environment variable ") { return "env" }
        if purpose.hasPrefix("grant ") { return String(purpose.dropFirst(6)) }
        return purpose
    }
}
