import FormworkTemplate

/// Renders a diff for a terminal: one block per resource, coloured when asked.
public struct TextRenderer: Sendable {
    /// Whether to use ANSI colours.
    public var color: Bool

    /// Creates a renderer.
    public init(color: Bool) { self.color = color }

    private func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// The diff as text; empty when there is no difference.
    public func render(_ diff: TemplateDiff, title: String) -> String {
        if diff.isEmpty { return "" }
        var lines = [paint(title, "1")]
        let summary = DiffSummary(diff)
        lines.append(
            "\(summary.added) added, \(summary.removed) removed, \(summary.modified) modified; \(summary.replacements) replaced, \(summary.dataLoss) with data loss"
                + (summary.failingUpdates > 0 ? ", \(summary.failingUpdates) failing update\(summary.failingUpdates == 1 ? "" : "s")" : "")
                + (summary.sectionChanges > 0 ? "; \(summary.sectionChanges) other changes" : "")
        )
        if !diff.sections.isEmpty {
            lines.append("")
            lines.append(paint("Template", "1"))
            for section in diff.sections {
                let name = section.name.isEmpty ? section.section : "\(section.section) \(section.name)"
                lines.append("\(marker(section.kind)) \(name)")
                if section.kind == .modified { lines += section.changes.map { "    " + describe($0) } }
            }
        }
        if !diff.resources.isEmpty {
            lines.append("")
            lines.append(paint("Resources", "1"))
        }
        for resource in diff.resources {
            var head = "\(marker(resource.kind)) \(resource.type) \(resource.logicalID)"
            if let location = resource.location { head += paint("  (\(location))", "2") }
            lines.append(head)
            if let oldType = resource.oldType { lines.append("    type: \(oldType) → \(resource.type)") }
            if let renamed = resource.looksRenamedFrom {
                lines.append(paint("    same properties as removed \(renamed): a renamed logical ID is a delete and a create", "33"))
            }
            for property in resource.changes {
                let cascaded = property.change.old == property.change.new
                var line = "    " + (cascaded ? "\(property.change.path): \(property.reason ?? "refers to a replaced resource")" : describe(property.change))
                if property.impact == .replacement { line += " " + paint("[replacement]", "31;1") }
                if property.impact == .updateFails { line += " " + paint("[update fails]", "35;1") }
                if property.impact == .someInterruption { line += " " + paint("[some interruption]", "33") }
                lines.append(line)
            }
            if resource.kind == .modified && resource.impact == .replacement {
                let because = resource.replacedBecause.map { " because \($0) is replaced" } ?? ""
                lines.append(paint("    ! replaces \(resource.logicalID)\(because): a new \(resource.type) is created and the old one deleted", "31"))
            }
            if let note = resource.failureNote { lines.append(paint("    ! \(note)", "35;1")) }
            if let note = resource.dataNote {
                lines.append(paint("    ! \(note)", resource.data == .loss ? "31;1" : "33"))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func marker(_ kind: ChangeKind) -> String {
        switch kind {
        case .added: paint("[+]", "32")
        case .removed: paint("[-]", "31")
        case .modified: paint("[~]", "33")
        }
    }

    private func describe(_ change: ValueChange) -> String {
        let path = change.path.components.isEmpty ? "(value)" : change.path.description
        switch (change.old, change.new) {
        case (let old?, let new?): return "\(path): \(paint(old.inline, "31")) → \(paint(new.inline, "32"))"
        case (let old?, nil): return "\(path): \(paint("removed", "31")) (was \(old.inline))"
        case (nil, let new?): return "\(path): \(paint("added", "32")) \(new.inline)"
        case (nil, nil): return path
        }
    }
}
