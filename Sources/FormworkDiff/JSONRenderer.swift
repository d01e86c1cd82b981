import Formwork
import FormworkTemplate

/// Renders a diff as JSON with a stable schema (`schemaVersion` 1):
///
/// ```
/// { "schemaVersion": 1, "title": String,
///   "summary": { "added", "removed", "modified", "replacements", "dataLoss", "retained", "failingUpdates", "sectionChanges": Int },
///   "sections": [ { "section", "name", "change": "added|removed|modified", "changes": [Change] } ],
///   "resources": [ { "logicalId", "change", "type", "oldType"?, "impact": "no-interruption|some-interruption|replacement|update-fails",
///                    "data": "none|data-loss|retained-orphaned", "location"?: { "file", "line", "column" },
///                    "looksRenamedFrom"?, "replacedBecause"?, "generatedBy"?, "replacesLogicalId"?, "notes"?: [String], "generatedOnly"?: true,
///                    "failure"?, "changes": [Change & { "impact", "reason"?, "afterTransform"?: true }] } ],
///   "notes"?: [String] }
/// Change = { "path": String, "pathComponents": [String|Int], "old"?: value, "new"?: value }
/// ```
/// Values are JSON with long-form intrinsics; keys appear in this order. For SAM templates,
/// `resources` also holds what SAM's transform generates (`generatedBy` names the SAM resource;
/// `replacesLogicalId` the generated resource SAM's new name replaces; `generatedOnly` marks a SAM
/// resource whose changes reach only what SAM generates from it).
public enum JSONRenderer {
    /// The diff as JSON.
    public static func render(_ diff: TemplateDiff, title: String) -> String {
        let s = DiffSummary(diff)
        let document: TemplateValue = .map([
            "schemaVersion": 1,
            "title": .string(title),
            "summary": .map([
                "added": .int(s.added), "removed": .int(s.removed), "modified": .int(s.modified),
                "replacements": .int(s.replacements), "dataLoss": .int(s.dataLoss), "retained": .int(s.retained),
                "failingUpdates": .int(s.failingUpdates),
                "sectionChanges": .int(s.sectionChanges),
            ]),
            "sections": .list(
                diff.sections.map { section in
                    .map([
                        "section": .string(section.section), "name": .string(section.name), "change": .string(section.kind.rawValue),
                        "changes": .list(section.changes.map { change($0) }),
                    ])
                }),
            "resources": .list(diff.resources.map(resource)),
            "notes": diff.notes.isEmpty ? nil : .strings(diff.notes),
        ])
        return document.jsonText()
    }

    private static func resource(_ r: ResourceChange) -> TemplateValue {
        .map([
            "logicalId": .string(r.logicalID),
            "change": .string(r.kind.rawValue),
            "type": .string(r.type),
            "oldType": r.oldType.map(TemplateValue.string),
            "impact": .string(r.kind == .added ? Impact.noInterruption.description : r.impact.description),
            "data": .string(r.data.rawValue),
            "location": r.location.map { .map(["file": .string($0.displayPath()), "line": .int($0.line), "column": .int($0.column)]) },
            "looksRenamedFrom": r.looksRenamedFrom.map(TemplateValue.string),
            "replacedBecause": r.replacedBecause.map(TemplateValue.string),
            "generatedBy": r.generatedBy.map(TemplateValue.string),
            "replacesLogicalId": r.replacesLogicalID.map(TemplateValue.string),
            "notes": r.notes.isEmpty ? nil : .strings(r.notes),
            "generatedOnly": r.generatedOnly ? true : nil,
            "failure": r.failureNote.map(TemplateValue.string),
            "changes": .list(
                r.changes.map { property in
                    var value = change(property.change)
                    if case .map(var entries) = value {
                        entries.append(TemplateEntry("impact", .string(property.impact.description)))
                        if let reason = property.reason { entries.append(TemplateEntry("reason", .string(reason))) }
                        if property.afterTransform { entries.append(TemplateEntry("afterTransform", true)) }
                        value = .map(entries)
                    }
                    return value
                }),
        ])
    }

    private static func change(_ c: ValueChange) -> TemplateValue {
        .map([
            "path": .string(c.path.description),
            "pathComponents": .list(
                c.path.components.map { component in
                    switch component {
                    case .key(let key): .string(key)
                    case .element(let name): .string("[\(name)]")
                    case .index(let index): .int(index)
                    }
                }),
            "old": c.old,
            "new": c.new,
        ])
    }
}
