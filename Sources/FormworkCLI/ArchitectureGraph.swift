import Formwork

/// The architecture as a graph: one node per resource, one edge per distinct reference; and the
/// delivery pipeline's stages, in order, when the blueprint has one.
struct ArchitectureGraph {
    enum Style { case mermaid, dot }

    let architecture: Architecture
    var delivery: Delivery? = nil
    /// The architectures the pipeline builds a bootstrap for (``Delivery/bootstrapArchitectures(of:)``).
    var bootstrapArchitectures: [CPUArchitecture] = []

    /// The pipeline's steps in the order they run: an ID, a title and a detail.
    var pipelineSteps: [(id: String, title: String, detail: String)] {
        guard let delivery else { return [] }
        let source: String =
            switch delivery.source {
            case .gitHub(let repository, let branch): "GitHub \(repository) @ \(branch)"
            case .codeCommit(let repository, let branch): "CodeCommit \(repository) @ \(branch)"
            }
        var steps = [("PipelineSource", "Source", source)]
        steps += bootstrapArchitectures.map { ("PipelineBootstrap_\($0.rawValue)", "Bootstrap", "\($0.rawValue), on the runtime's glibc") }
        steps.append(("PipelineBuild", "Build", "make test, check, synth, package"))
        for environment in delivery.stages {
            let name = environment.name
            steps += delivery.deploySteps(for: environment).map { step in
                switch step {
                case .createChangeSet: ("PipelineChangeSet_\(name)", "Change set", name)
                case .diffGate(let level, let approvalDecides):
                    ("PipelineDiffGate_\(name)", "Diff gate", approvalDecides ? "\(level.rawValue): the approval decides" : "stops on \(level.rawValue)")
                case .approval: ("PipelineApproval_\(name)", "Approval", "before \(name)")
                case .executeChangeSet: ("PipelineDeploy_\(name)", "Deploy \(name)", "executes the change set")
                }
            }
        }
        return steps
    }

    private var edges: [ReferenceEdge] { architecture.referenceEdges }

    func render(_ style: Style) -> String {
        switch style {
        case .mermaid:
            var lines = ["flowchart LR"]
            for resource in architecture.resources {
                lines.append("  \(resource.name)[\"\(resource.name)<br/><small>\(resource.id.kind.rawValue)</small>\"]")
            }
            for edge in edges { lines.append("  \(edge.from.name) -->|\(edge.label)| \(edge.to.name)") }
            if let delivery, !pipelineSteps.isEmpty {
                lines.append("  subgraph \(delivery.name)[\"\(delivery.name) (pipeline)\"]")
                lines.append("    direction LR")
                for step in pipelineSteps { lines.append("    \(step.id)[\"\(step.title)<br/><small>\(step.detail)</small>\"]") }
                lines.append("    " + pipelineSteps.map(\.id).joined(separator: " --> "))
                lines.append("  end")
            }
            return lines.joined(separator: "\n")
        case .dot:
            var lines = ["digraph \"\(architecture.name)\" {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
            for resource in architecture.resources {
                lines.append("  \"\(resource.name)\" [label=\"\(resource.name)\\n(\(resource.id.kind.rawValue))\"];")
            }
            for edge in edges { lines.append("  \"\(edge.from.name)\" -> \"\(edge.to.name)\" [label=\"\(edge.label)\"];") }
            if let delivery, !pipelineSteps.isEmpty {
                lines.append("  subgraph \"cluster_\(delivery.name)\" {")
                lines.append("    label=\"\(delivery.name) (pipeline)\";")
                for step in pipelineSteps { lines.append("    \"\(step.id)\" [label=\"\(step.title)\\n(\(step.detail))\", shape=cds];") }
                for (from, to) in zip(pipelineSteps, pipelineSteps.dropFirst()) { lines.append("    \"\(from.id)\" -> \"\(to.id)\" [style=bold];") }
                lines.append("  }")
            }
            lines.append("}")
            return lines.joined(separator: "\n")
        }
    }
}
