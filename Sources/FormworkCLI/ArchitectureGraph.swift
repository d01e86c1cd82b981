import Formwork

/// The architecture as a graph: one node per resource, one edge per distinct reference.
struct ArchitectureGraph {
    enum Style { case mermaid, dot }

    let architecture: Architecture

    private var edges: [ReferenceEdge] { architecture.referenceEdges }

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
