import Formwork
import FormworkTemplate

/// The level of difference that makes `formwork diff` fail.
public enum FailLevel: String, Sendable, CaseIterable {
    /// Any difference.
    case any
    /// A resource replaced or removed.
    case replacement
    /// A stateful resource whose data would be lost, or an update that would fail.
    case dataLoss = "data-loss"
    /// Never.
    case none

    /// Whether `diff` has differences at this level.
    public func isReached(by diff: TemplateDiff) -> Bool {
        switch self {
        case .any: !diff.isEmpty
        case .replacement: !diff.replacements.isEmpty || !diff.failingUpdates.isEmpty || diff.resources.contains { $0.kind == .removed }
        case .dataLoss: !diff.dataLoss.isEmpty || !diff.failingUpdates.isEmpty
        case .none: false
        }
    }
}

/// Counts shown first by every renderer.
public struct DiffSummary: Sendable, Equatable {
    public var added = 0, removed = 0, modified = 0, replacements = 0, dataLoss = 0, retained = 0, failingUpdates = 0, sectionChanges = 0

    /// Counts a diff.
    public init(_ diff: TemplateDiff) {
        for resource in diff.resources {
            switch resource.kind {
            case .added: added += 1
            case .removed: removed += 1
            case .modified: modified += 1
            }
            if resource.kind == .modified && resource.impact == .replacement { replacements += 1 }
            if resource.kind == .modified && resource.impact == .updateFails { failingUpdates += 1 }
            if resource.data == .loss { dataLoss += 1 }
            if resource.data == .retained { retained += 1 }
        }
        sectionChanges = diff.sections.count
    }
}

extension TemplateValue {
    /// A one-line rendering for diffs: scalars plain, everything else as compact JSON.
    var inline: String {
        switch self {
        case .string(let text): text.contains("\n") ? TemplateValue.jsonString(text) : text
        case .number(let text): text
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        default: compactJSON
        }
    }
}

extension ResourceChange {
    /// Why the update fails and the way out, for a failing update; nil otherwise.
    var failureNote: String? {
        guard kind == .modified, impact == .updateFails else { return nil }
        let reasons = changes.filter { $0.impact == .updateFails }.compactMap(\.reason)
        return "UPDATE FAILS: \(reasons.joined(separator: "; ")). CloudFormation rolls the stack back; to make this change, "
            + "give the resource a new logical ID (a new \(type) beside the old one, then move to it) or move to a new stack blue/green"
    }

    /// The data note for a resource, or nil.
    var dataNote: String? {
        switch data {
        case .none: nil
        case .loss:
            kind == .removed ? "DATA LOSS: deleting this \(type) deletes its data" : "DATA LOSS: replacing this \(type) deletes the old one and its data"
        case .retained: "the old \(type) is retained (Retain policy) and left orphaned outside the stack"
        }
    }
}
