import Formwork

/// The architecture as a graph: one node per resource, one edge per distinct reference.
struct ArchitectureGraph {
    enum Style { case mermaid, dot }

    let architecture: Architecture

    /// One edge per pair of resources, labelled with what the references are for.
    private var edges: [(from: ResourceID, to: ResourceID, label: String)] {
        var order: [(ResourceID, ResourceID)] = []
        var labels: [String: [String]] = [:]
        for resource in architecture.resources {
            for reference in resource.references {
                let key = "\(resource.name)>\(reference.target.name)"
                if labels[key] == nil { order.append((resource.id, reference.target)) }
                let label = Self.shortLabel(reference.purpose)
                if labels[key, default: []].contains(label) == false { labels[key, default: []].append(label) }
            }
        }
        return order.map { ($0.0, $0.1, labels["\($0.0.name)>\($0.1.name)", default: []].joined(separator: ", ")) }
    }

    private static func shortLabel(_ purpose: String) -> String {
        if purpose.hasPrefix("route ") { return "routes" }
        if purpose.hasPrefix("environment variable ") { return "env" }
        if purpose.hasPrefix("grant ") { return String(purpose.dropFirst(6)) }
        return purpose
    }

    func render(_ style: Style) -> String {
        switch style {
        case .mermaid:
            var lines = ["flowchart LR"]
            for resource in architecture.resources {
                lines.append("  \(resource.name)[\"\(resource.name)<br/><small>\(resource.id.kind.rawValue)</small>\"]")
            }
            for edge in edges { lines.append("  \(edge.from.name) -->|\(edge.label)| \(edge.to.name)") }
            return lines.joined(separator: "\n")
        case .dot:
            var lines = ["digraph \"\(architecture.name)\" {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
            for resource in architecture.resources {
                lines.append("  \"\(resource.name)\" [label=\"\(resource.name)\\n(\(resource.id.kind.rawValue))\"];")
            }
            for edge in edges { lines.append("  \"\(edge.from.name)\" -> \"\(edge.to.name)\" [label=\"\(edge.label)\"];") }
            lines.append("}")
            return lines.joined(separator: "\n")
        }
    }
}
