import Formwork
import FormworkTemplate

extension ConfigurationDiff {
    /// The counts a summary starts with.
    var counts: (resources: Int, onlyInOld: Int, onlyInNew: Int, settings: Int) {
        (groups.count, groups.map(\.onlyInOld.count).reduce(0, +), groups.map(\.onlyInNew.count).reduce(0, +), groups.map(\.settings.count).reduce(0, +))
    }

    /// One sentence: how many blueprint resources differ, and how.
    var summary: String {
        let c = counts
        var parts = ["\(c.resources) blueprint resource\(c.resources == 1 ? "" : "s") configured differently"]
        if c.settings > 0 { parts.append("\(c.settings) setting\(c.settings == 1 ? "" : "s") differ\(c.settings == 1 ? "s" : "")") }
        if c.onlyInNew > 0 { parts.append("\(c.onlyInNew) template resource\(c.onlyInNew == 1 ? "" : "s") only in \(new)") }
        if c.onlyInOld > 0 { parts.append("\(c.onlyInOld) only in \(old)") }
        if !sections.isEmpty { parts.append("\(sections.count) other template entr\(sections.count == 1 ? "y" : "ies")") }
        return parts.joined(separator: "; ")
    }

    static func setting(_ setting: Setting) -> String {
        "\(setting.property): \(setting.old?.inline ?? "(absent)") → \(setting.new?.inline ?? "(absent)")"
    }
}

/// Renders a comparison of two environments' configuration.
public enum ConfigurationRenderer {
    /// Plain text; empty when the environments are configured alike.
    public static func text(_ diff: ConfigurationDiff) -> String {
        if diff.isEmpty { return "" }
        var lines = [
            "\(diff.old) → \(diff.new): configuration (names derived from the environment shown as \(ConfigurationDiff.mask); --raw compares the templates in full)",
            diff.summary,
        ]
        for group in diff.groups {
            lines.append("")
            lines.append(group.name + (group.location.map { "  (\($0))" } ?? ""))
            for (logicalID, settings) in Dictionary(grouping: group.settings, by: \.logicalID).sorted(by: { $0.key < $1.key }) {
                lines.append("    \(logicalID) (\(settings[0].type))")
                lines += settings.map { "        " + ConfigurationDiff.setting($0) }
            }
            if !group.onlyInNew.isEmpty {
                lines.append("    only in \(diff.new): " + group.onlyInNew.map { "\($0.logicalID) (\($0.type))" }.joined(separator: ", "))
            }
            if !group.onlyInOld.isEmpty {
                lines.append("    only in \(diff.old): " + group.onlyInOld.map { "\($0.logicalID) (\($0.type))" }.joined(separator: ", "))
            }
            for choice in group.choices { lines.append("    decided at \(choice.location)  \(choice.text)") }
        }
        if !diff.sections.isEmpty {
            lines.append("")
            lines.append("Template")
            for section in diff.sections {
                lines.append("    \(section.section)\(section.name.isEmpty ? "" : " \(section.name)"): \(section.kind.rawValue)")
                if section.kind == .modified {
                    lines += section.changes.map { "        \($0.path): \($0.old?.inline ?? "(absent)") → \($0.new?.inline ?? "(absent)")" }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Markdown for a pull-request comment: the summary first, then one table row per setting.
    public static func markdown(_ diff: ConfigurationDiff) -> String {
        var out = "### \(diff.old) → \(diff.new): configuration\n\n"
        if diff.isEmpty { return out + "The environments are configured alike.\n" }
        out +=
            "**\(diff.summary).** Separate stacks, compared setting by setting; names derived from the environment are shown as `\(ConfigurationDiff.mask)`.\n\n"
        out += "| blueprint resource | template resource | setting | \(diff.old) | \(diff.new) |\n|---|---|---|---|---|\n"
        for group in diff.groups {
            let name = "`\(group.name)`" + (group.location.map { " (`\($0)`)" } ?? "")
            for setting in group.settings {
                out += "| \(name) | `\(setting.logicalID)` | `\(setting.property)` | \(cell(setting.old)) | \(cell(setting.new)) |\n"
            }
            for resource in group.onlyInNew { out += "| \(name) | `\(resource.logicalID)` (\(resource.type)) | only in \(diff.new) | — | ✓ |\n" }
            for resource in group.onlyInOld { out += "| \(name) | `\(resource.logicalID)` (\(resource.type)) | only in \(diff.old) | ✓ | — |\n" }
        }
        let decided = diff.groups.filter { !$0.choices.isEmpty }
        if !decided.isEmpty {
            out += "\n<details><summary>Where the blueprint decides</summary>\n\n"
            for group in decided {
                out +=
                    "- `\(group.name)`: "
                    + group.choices.map { "`\($0.location)` `\($0.text.replacingOccurrences(of: "`", with: "'"))`" }.joined(separator: "; ") + "\n"
            }
            out += "\n</details>\n"
        }
        if !diff.sections.isEmpty {
            out +=
                "\nOther template entries: "
                + diff.sections.map { "\($0.section)\($0.name.isEmpty ? "" : " `\($0.name)`") (\($0.kind.rawValue))" }.joined(separator: ", ") + "\n"
        }
        return out
    }

    /// JSON with a stable schema (`schemaVersion` 1, `kind` "configuration"):
    ///
    /// ```
    /// { "schemaVersion": 1, "kind": "configuration", "old": String, "new": String, "summary": String,
    ///   "groups": [ { "name", "location"?: { "file", "line", "column" },
    ///                 "settings": [ { "logicalId", "type", "path", "old"?, "new"? } ],
    ///                 "onlyInOld": [ { "logicalId", "type" } ], "onlyInNew": [ … ],
    ///                 "choices": [ { "file", "line", "column", "text" } ] } ],
    ///   "sections": [ { "section", "name", "change" } ] }
    /// ```
    public static func json(_ diff: ConfigurationDiff) -> String {
        let resource = { (resource: (logicalID: String, type: String)) in
            TemplateValue.map([TemplateEntry("logicalId", .string(resource.logicalID)), TemplateEntry("type", .string(resource.type))])
        }
        let location = { (location: SourceLocation) in
            [
                TemplateEntry("file", .string(location.displayPath())), TemplateEntry("line", .int(location.line)),
                TemplateEntry("column", .int(location.column)),
            ]
        }
        let groups = diff.groups.map { group in
            TemplateValue.map(
                [TemplateEntry("name", .string(group.name))]
                    + (group.location.map { [TemplateEntry("location", .map(location($0)))] } ?? []) + [
                        TemplateEntry(
                            "settings",
                            .list(
                                group.settings.map { setting in
                                    .map(
                                        [
                                            TemplateEntry("logicalId", .string(setting.logicalID)), TemplateEntry("type", .string(setting.type)),
                                            TemplateEntry("path", .string(setting.path.description)),
                                        ] + (setting.old.map { [TemplateEntry("old", $0)] } ?? []) + (setting.new.map { [TemplateEntry("new", $0)] } ?? []))
                                })),
                        TemplateEntry("onlyInOld", .list(group.onlyInOld.map(resource))),
                        TemplateEntry("onlyInNew", .list(group.onlyInNew.map(resource))),
                        TemplateEntry("choices", .list(group.choices.map { .map(location($0.location) + [TemplateEntry("text", .string($0.text))]) })),
                    ])
        }
        let document = TemplateValue.map([
            TemplateEntry("schemaVersion", 1), TemplateEntry("kind", "configuration"), TemplateEntry("old", .string(diff.old)),
            TemplateEntry("new", .string(diff.new)), TemplateEntry("summary", .string(diff.summary)), TemplateEntry("groups", .list(groups)),
            TemplateEntry(
                "sections",
                .list(
                    diff.sections.map {
                        .map([
                            TemplateEntry("section", .string($0.section)), TemplateEntry("name", .string($0.name)),
                            TemplateEntry("change", .string($0.kind.rawValue)),
                        ])
                    })),
        ])
        return document.jsonText()
    }

    /// GitHub Actions workflow commands: a notice per blueprint resource at its declaration.
    public static func github(_ diff: ConfigurationDiff) -> String {
        var out = ""
        for group in diff.groups {
            var details = group.settings.map(ConfigurationDiff.setting)
            if !group.onlyInNew.isEmpty { details.append("only in \(diff.new): " + group.onlyInNew.map(\.logicalID).joined(separator: ", ")) }
            if !group.onlyInOld.isEmpty { details.append("only in \(diff.old): " + group.onlyInOld.map(\.logicalID).joined(separator: ", ")) }
            out +=
                GitHubAnnotation(
                    level: "notice", location: group.choices.first?.location ?? group.location,
                    title: "\(group.name) differs between \(diff.old) and \(diff.new)", message: details.joined(separator: "\n")
                ).line
        }
        out += GitHubAnnotation(level: "notice", location: nil, title: "\(diff.old) → \(diff.new)", message: diff.summary).line
        return out
    }

    private static func cell(_ value: TemplateValue?) -> String {
        guard let value else { return "—" }
        return "`" + value.inline.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'") + "`"
    }
}
