import Formwork
import FormworkTemplate

/// One GitHub Actions workflow command (`::warning file=…,line=…,title=…::message`).
struct GitHubAnnotation {
    var level: String
    var location: SourceLocation?
    var title: String
    var message: String

    var line: String {
        var properties: [String] = []
        if let location {
            properties += ["file=\(Self.property(location.displayPath()))", "line=\(location.line)", "col=\(location.column)"]
        }
        properties.append("title=\(Self.property(title))")
        return "::\(level) \(properties.joined(separator: ","))::\(Self.data(message))\n"
    }

    /// The escaping GitHub's runner applies to a command's message.
    static func data(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// The escaping of a property value, which also escapes `:` and `,`.
    static func property(_ text: String) -> String {
        data(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

/// Renders a template diff as GitHub Actions annotations at the blueprint's lines: an error for
/// each failing update and each data loss, a warning for each replacement and deletion (what
/// SAM generates from one resource in one warning), a notice for each note, and a closing
/// notice with the counts.
public enum GitHubRenderer {
    /// The workflow commands; one notice when there is no difference.
    public static func render(_ diff: TemplateDiff, title: String) -> String {
        var out = ""
        for resource in diff.resources where resource.generatedBy == nil {
            out += annotations(resource).map(\.line).joined()
        }
        let generated = Dictionary(grouping: diff.resources.filter { $0.generatedBy != nil }, by: { $0.generatedBy ?? "" })
        for (source, resources) in generated.sorted(by: { $0.key < $1.key }) {
            let replaced = resources.filter { $0.kind == .modified && $0.impact == .replacement }
            guard !replaced.isEmpty else { continue }
            let lines = replaced.map { resource in
                "\(resource.logicalID) (\(resource.type)): "
                    + (resource.replacesLogicalID.map { "replaces \($0)" } ?? resource.replacedBecause.map { "replaced because \($0) is replaced" }
                        ?? "replaced")
            }
            let reasons = Array(Set(replaced.flatMap(\.notes))).sorted()
            out +=
                GitHubAnnotation(
                    level: "warning", location: replaced[0].location,
                    title: "Replacement: \(replaced.count) resource\(replaced.count == 1 ? "" : "s") SAM generates from \(source)",
                    message: (lines + (reasons.count == 1 ? reasons : [])).joined(separator: "\n")
                ).line
        }
        for note in diff.notes {
            out += GitHubAnnotation(level: "notice", location: nil, title: "Not rated", message: note).line
        }
        let s = DiffSummary(diff)
        out +=
            GitHubAnnotation(
                level: "notice", location: nil, title: title,
                message: diff.isEmpty
                    ? "no differences"
                    : "\(s.added) added, \(s.removed) removed, \(s.modified) modified; \(s.replacements) replaced, \(s.dataLoss) with data loss, \(s.failingUpdates) failing updates"
            ).line
        return out
    }

    private static func annotations(_ resource: ResourceChange) -> [GitHubAnnotation] {
        let name = "\(resource.logicalID) (\(resource.type))"
        var result: [GitHubAnnotation] = []
        if let note = resource.failureNote {
            result.append(GitHubAnnotation(level: "error", location: resource.location, title: "Update fails: \(name)", message: note))
        }
        if resource.data == .loss, let note = resource.dataNote {
            result.append(GitHubAnnotation(level: "error", location: resource.location, title: "Data loss: \(name)", message: note))
        } else if resource.kind == .modified, resource.impact == .replacement {
            let because = resource.replacedBecause.map { " because \($0) is replaced" } ?? ""
            let message = (["replaced\(because): a new \(resource.type) is created and the old one deleted"] + (resource.dataNote.map { [$0] } ?? []))
            result.append(
                GitHubAnnotation(level: "warning", location: resource.location, title: "Replacement: \(name)", message: message.joined(separator: "\n")))
        } else if resource.kind == .removed {
            result.append(
                GitHubAnnotation(
                    level: "warning", location: resource.location, title: "Deleted: \(name)", message: resource.dataNote ?? "deleted from the stack"))
        }
        for note in resource.notes {
            result.append(GitHubAnnotation(level: "notice", location: resource.location, title: "Note: \(name)", message: note))
        }
        return result
    }
}
