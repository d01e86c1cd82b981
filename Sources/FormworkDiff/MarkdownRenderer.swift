import FormworkTemplate

/// Renders a diff for a pull-request comment: the summary table first, details folded.
public enum MarkdownRenderer {
    /// The diff as Markdown; a one-line note when there is no difference.
    public static func render(_ diff: TemplateDiff, title: String) -> String {
        var out = "### \(title)\n\n"
        if diff.isEmpty { return out + "No differences.\n" }
        let s = DiffSummary(diff)
        out += "| added | removed | modified | replaced | data loss | retained | failing updates | other changes |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        out +=
            "| \(s.added) | \(s.removed) | \(s.modified) | \(s.replacements) | \(s.dataLoss) | \(s.retained) | \(s.failingUpdates) | \(s.sectionChanges) |\n\n"
        for resource in diff.failingUpdates {
            out += "> **⛔ Update fails** `\(resource.logicalID)` (\(resource.type)): \(resource.failureNote ?? "")\n"
        }
        let warnings = diff.resources.filter { $0.data != .none || ($0.kind == .modified && $0.impact == .replacement) }
        for resource in warnings {
            let because = resource.replacedBecause.map { " because `\($0)` is replaced" } ?? ""
            let note = (resource.dataNote.map { $0 + because }) ?? "replaced\(because): a new \(resource.type) is created and the old one deleted"
            out += "> **\(resource.data == .loss ? "⚠️ Data loss" : "Replacement")** `\(resource.logicalID)` (\(resource.type)): \(note)\n"
        }
        if !warnings.isEmpty { out += "\n" }
        out += "| change | logical ID | type | impact | declared at |\n|---|---|---|---|---|\n"
        for resource in diff.resources {
            let impact = resource.kind == .modified ? resource.impact.description : resource.kind == .removed ? "delete" : "create"
            out +=
                "| \(resource.kind.rawValue) | `\(resource.logicalID)` | \(resource.type) | \(impact)\(resource.data == .none ? "" : ", \(resource.data.rawValue)") | \(resource.location.map { "`\($0)`" } ?? "") |\n"
        }
        for section in diff.sections {
            out += "| \(section.kind.rawValue) | \(section.section)\(section.name.isEmpty ? "" : " `\(section.name)`") | | | |\n"
        }
        let detailed = diff.resources.filter { !$0.changes.isEmpty }
        if !detailed.isEmpty || !diff.sections.isEmpty {
            out += "\n<details><summary>Property changes</summary>\n\n"
            for resource in detailed {
                out += "#### `\(resource.logicalID)` (\(resource.type))\n\n| path | before | after | impact |\n|---|---|---|---|\n"
                for property in resource.changes {
                    let after = property.change.old == property.change.new ? (property.reason ?? "") : cell(property.change.new)
                    out += "| `\(property.change.path)` | \(cell(property.change.old)) | \(after) | \(property.impact) |\n"
                }
                out += "\n"
            }
            for section in diff.sections where section.kind == .modified {
                out += "#### \(section.section) `\(section.name)`\n\n| path | before | after |\n|---|---|---|\n"
                for change in section.changes { out += "| `\(change.path)` | \(cell(change.old)) | \(cell(change.new)) |\n" }
                out += "\n"
            }
            out += "</details>\n"
        }
        return out
    }

    private static func cell(_ value: TemplateValue?) -> String {
        guard let value else { return "—" }
        return "`" + value.inline.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'") + "`"
    }
}
