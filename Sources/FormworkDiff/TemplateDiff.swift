import Formwork
import FormworkTemplate

/// How a resource or section entry changed.
public enum ChangeKind: String, Sendable, Comparable {
    case added, removed, modified

    public static func < (lhs: ChangeKind, rhs: ChangeKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a change does to the data a stateful resource holds.
public enum DataImpact: String, Sendable {
    /// Nothing: not stateful, or not deleted or replaced.
    case none
    /// The data is deleted with the old resource.
    case loss = "data-loss"
    /// The old resource is kept (DeletionPolicy/UpdateReplacePolicy Retain) and left outside the stack.
    case retained = "retained-orphaned"
}

/// One changed property of a resource.
public struct PropertyChange: Sendable, Equatable {
    /// The change of value.
    public var change: ValueChange
    /// What applying it does to the resource.
    public var impact: Impact
    /// Why, when the impact comes from the replacement table.
    public var reason: String?
    /// Whether the change shows only in SAM's expansion of the templates (a setting from
    /// Globals, an API's regenerated definition, a reference SAM resolves to a generated resource).
    public var afterTransform = false
}

/// A resource added, removed or modified.
public struct ResourceChange: Sendable {
    /// The logical ID.
    public var logicalID: String
    /// Added, removed or modified.
    public var kind: ChangeKind
    /// The type after the change (before, for a removed resource).
    public var type: String
    /// The type before, when it changed.
    public var oldType: String?
    /// Changed paths below the resource (`Properties.X`, `DeletionPolicy`, ...).
    public var changes: [PropertyChange]
    /// The strongest impact of the changes; removals and additions count as replacement of nothing.
    public var impact: Impact
    /// What happens to the data it holds.
    public var data: DataImpact
    /// Where the blueprint declared it, when known.
    public var location: SourceLocation?
    /// For an added resource identical to a removed one: the removed one's logical ID.
    public var looksRenamedFrom: String?
    /// When it is replaced only because a property CloudFormation cannot update in place
    /// refers to a replaced resource: that resource's logical ID.
    public var replacedBecause: String?
    /// For a resource SAM's transform generates: the SAM resource it comes from.
    public var generatedBy: String?
    /// For a generated resource SAM names anew (after a stage, or a hash of the API's
    /// definition): the logical ID it replaces, which CloudFormation deletes.
    public var replacesLogicalID: String?
    /// What else a reviewer should know (why SAM renames it, an invoke URL that changes).
    public var notes: [String] = []
    /// For a SAM resource: its changes reach only what SAM generates from it (an event's
    /// permission, an API's stage), so the resource under its own logical ID is not updated.
    public var generatedOnly = false
}

/// A changed entry of a section other than Resources (Parameters, Conditions, Outputs, ...).
public struct SectionChange: Sendable {
    /// The section.
    public var section: String
    /// The entry's name (empty for scalar sections such as Transform).
    public var name: String
    /// Added, removed or modified.
    public var kind: ChangeKind
    /// The changed paths.
    public var changes: [ValueChange]
}

/// The semantic difference between two templates.
public struct TemplateDiff: Sendable {
    /// Changed entries of other sections, in section order then by name.
    public var sections: [SectionChange]
    /// Changed resources, by logical ID; resources SAM generates follow the resource they come from.
    public var resources: [ResourceChange]
    /// Parts of SAM templates whose expansion is not modelled, so their generated resources are not rated.
    public var notes: [String] = []

    /// Whether nothing differs.
    public var isEmpty: Bool { sections.isEmpty && resources.isEmpty }

    /// Resources replaced by the change.
    public var replacements: [ResourceChange] { resources.filter { $0.kind == .modified && $0.impact == .replacement } }

    /// Resources whose data is lost.
    public var dataLoss: [ResourceChange] { resources.filter { $0.data == .loss } }

    /// Resources whose update CloudFormation cannot apply: the stack update fails.
    public var failingUpdates: [ResourceChange] { resources.filter { $0.kind == .modified && $0.impact == .updateFails } }

    static let sectionOrder = [
        "AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters", "Mappings", "Conditions", "Globals", "Outputs",
    ]

    /// Compares `old` with `new` (both normalized template documents). `locations` names the
    /// blueprint line that declared each logical ID, where known. For SAM templates, what SAM's
    /// transform generates is rated too unless `expandingSAM` is false.
    public init(old: TemplateValue, new: TemplateValue, locations: [String: SourceLocation] = [:], expandingSAM: Bool = true) {
        sections = []
        for section in Self.sectionOrder {
            let a = old[section], b = new[section]
            if a == b { continue }
            if case .map(let oldEntries)? = a ?? .map([]), case .map(let newEntries)? = b ?? .map([]),
                section != "AWSTemplateFormatVersion", section != "Description", section != "Transform"
            {
                sections += Self.entryChanges(section: section, oldEntries, newEntries)
            } else {
                let kind: ChangeKind = a == nil ? .added : b == nil ? .removed : .modified
                sections.append(SectionChange(section: section, name: "", kind: kind, changes: [ValueChange(path: ValuePath(), old: a, new: b)]))
            }
        }
        resources = Self.resourceChanges(Self.entries(old["Resources"]), Self.entries(new["Resources"]), locations: locations)
        if expandingSAM, SAMExpansion.applies(to: old) || SAMExpansion.applies(to: new) {
            let before = SAMExpansion(template: old), after = SAMExpansion(template: new)
            // What the expansion leaves alone diffs as it did above; what it touches, and what is
            // replaced (whose cascades may reach generated resources), is diffed again. When the
            // expansion replaces something the templates as written do not (a create-only
            // setting from Globals), what refers to it may be anywhere: everything is diffed again.
            let replacedAsWritten = Set(replacements.map(\.logicalID))
            let touched = before.touched.union(after.touched).union(replacedAsWritten)
            var expanded = Self.resourceChanges(
                before.resources.filter { touched.contains($0.key) }, after.resources.filter { touched.contains($0.key) }, locations: locations)
            let generated = Set(before.origins.keys).union(after.origins.keys)
            if expanded.contains(where: {
                $0.kind == .modified && $0.impact == .replacement && !generated.contains($0.logicalID) && !replacedAsWritten.contains($0.logicalID)
            }) {
                expanded = Self.resourceChanges(before.resources, after.resources, locations: locations)
            }
            resources = Self.merging(expanded, into: resources, before: before, after: after, locations: locations)
            notes = Array(Set(before.unmodelled + after.unmodelled)).sorted().map { "SAM expansion not modelled: \($0)" }
        }
    }

    private static func entries(_ value: TemplateValue?) -> [String: TemplateValue] {
        guard case .map(let entries)? = value else { return [:] }
        return Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    private static func entryChanges(section: String, _ a: [TemplateEntry], _ b: [TemplateEntry]) -> [SectionChange] {
        let old = entries(.map(a)), new = entries(.map(b))
        return Set(old.keys).union(new.keys).sorted().compactMap { name in
            switch (old[name], new[name]) {
            case (let x?, let y?):
                let changes = ValueDiff.changes(x, y)
                return changes.isEmpty ? nil : SectionChange(section: section, name: name, kind: .modified, changes: changes)
            case (let x?, nil): return SectionChange(section: section, name: name, kind: .removed, changes: [ValueChange(path: ValuePath(), old: x, new: nil)])
            case (nil, let y?): return SectionChange(section: section, name: name, kind: .added, changes: [ValueChange(path: ValuePath(), old: nil, new: y)])
            case (nil, nil): return nil
            }
        }
    }

    private static func resourceChanges(
        _ old: [String: TemplateValue], _ new: [String: TemplateValue], locations: [String: SourceLocation]
    ) -> [ResourceChange] {
        var result: [ResourceChange] = []
        for id in Set(old.keys).union(new.keys).sorted() {
            switch (old[id], new[id]) {
            case (let x?, let y?):
                if let change = modified(id, x, y, location: locations[id]) { result.append(change) }
            case (let x?, nil):
                var removed = ResourceChange(
                    logicalID: id, kind: .removed, type: typeName(x), changes: [], impact: .replacement,
                    data: dataImpact(x, deleting: true), location: locations[id])
                if let note = accountWideNotes[removed.type] { removed.notes.append(note) }
                result.append(removed)
            case (nil, let y?):
                result.append(
                    ResourceChange(
                        logicalID: id, kind: .added, type: typeName(y), changes: [], impact: .noInterruption,
                        data: .none, location: locations[id]))
            case (nil, nil): break
            }
        }
        cascade(&result, old: old, new: new, locations: locations)
        for index in result.indices where result[index].kind == .added {
            let added = new[result[index].logicalID]
            if let removed = result.first(where: {
                $0.kind == .removed && $0.type == result[index].type && old[$0.logicalID]?["Properties"] == added?["Properties"]
            }) {
                result[index].looksRenamedFrom = removed.logicalID
            }
        }
        return result
    }

    /// What a reviewer should know when a setting AWS keeps once per account and region leaves a stack.
    static let accountWideNotes = [
        "AWS::ApiGateway::Account":
            "API Gateway's CloudWatch role is one per account and region, so it leaves the environments' stacks: with DeletionPolicy Retain "
            + "the setting stays as it is, and the account stack formwork synth writes (output/account, deployed once before the environments) "
            + "takes it over; without Retain, deploy the account stack first, or the stages' logging stops"
    ]

    private static func modified(_ id: String, _ x: TemplateValue, _ y: TemplateValue, location: SourceLocation?) -> ResourceChange? {
        let changes = ValueDiff.changes(x, y)
        if changes.isEmpty { return nil }
        let type = typeName(y), oldType = typeName(x)
        var properties: [PropertyChange] = []
        for change in changes {
            guard case .key(let top)? = change.path.components.first else { continue }
            var impact = Impact.noInterruption
            var reason: String?
            if top == "Type" {
                impact = .replacement
                reason = "the resource type changed"
            } else if top == "Properties" {
                (impact, reason) = ReplacementRules.impact(type: type, path: ValuePath(Array(change.path.components.dropFirst())))
                if impact < .replacement, type == "AWS::DynamoDB::Table", keyTypeChanged(change, table: y) {
                    impact = .replacement
                    reason = "AWS::DynamoDB::Table: the type of a key attribute changed (Update requires Replacement)"
                }
            }
            properties.append(PropertyChange(change: change, impact: impact, reason: reason))
        }
        let impact = properties.map(\.impact).max() ?? .noInterruption
        return ResourceChange(
            logicalID: id, kind: .modified, type: type, oldType: oldType == type ? nil : oldType, changes: properties,
            impact: impact, data: impact == .replacement ? dataImpact(x, deleting: false) : .none, location: location)
    }

    /// A replaced resource gets a new physical id and ARN: every resource whose create-only
    /// property refers to it (`Ref`, `Fn::GetAtt`, `Fn::Sub`, at any depth) is replaced too, and
    /// so on; one whose updatable property refers to it is updated, with that property's impact.
    private static func cascade(
        _ result: inout [ResourceChange], old: [String: TemplateValue], new: [String: TemplateValue], locations: [String: SourceLocation]
    ) {
        var replaced = result.filter { $0.kind == .modified && $0.impact == .replacement }.map(\.logicalID)
        if replaced.isEmpty { return }
        var done = Set(replaced)
        // Who may refer to whom, read once: each resource is then searched only for the replaced
        // resources it mentions.
        var dependants: [String: [String]] = [:]
        for id in new.keys.sorted() where old[id] != nil {
            guard let properties = new[id]?["Properties"] else { continue }
            for target in mentionedIDs(in: properties) { dependants[target, default: []].append(id) }
        }
        while !replaced.isEmpty {
            let cause = replaced.removeFirst()
            for id in dependants[cause] ?? [] where id != cause {
                guard let resource = new[id], let properties = resource["Properties"] else { continue }
                let type = typeName(resource)
                for (path, value) in references(to: cause, in: properties, at: ValuePath()) {
                    var (impact, rule) = ReplacementRules.impact(type: type, path: path)
                    if impact == .noInterruption { rule = nil }
                    let position =
                        result.firstIndex { $0.logicalID == id }
                        ?? {
                            result.append(
                                ResourceChange(
                                    logicalID: id, kind: .modified, type: type, changes: [], impact: .noInterruption, data: .none,
                                    location: locations[id]))
                            return result.count - 1
                        }()
                    guard result[position].kind == .modified else { break }
                    let full = ValuePath([.key("Properties")] + path.components)
                    let reason = "refers to \(cause), which is replaced" + (rule.map { "; \($0)" } ?? "")
                    if !result[position].changes.contains(where: { $0.change.path == full }) {
                        result[position].changes.append(
                            PropertyChange(change: ValueChange(path: full, old: value, new: value), impact: impact, reason: reason))
                    }
                    if impact > result[position].impact { result[position].impact = impact }
                    if impact == .replacement, !done.contains(id) {
                        done.insert(id)
                        replaced.append(id)
                        result[position].replacedBecause = cause
                        if let before = old[id] { result[position].data = dataImpact(before, deleting: false) }
                    }
                }
            }
        }
        result.sort { $0.logicalID < $1.logicalID }
    }

    /// Every logical ID `value` may refer to through `Ref`, `Fn::GetAtt` or a `${…}` of
    /// `Fn::Sub`: a superset of what ``references(to:in:at:)`` finds, to narrow its search.
    static func mentionedIDs(in value: TemplateValue) -> Set<String> {
        var ids = Set<String>()
        func visit(_ value: TemplateValue) {
            switch value {
            case .intrinsic("Ref", .string(let target)): ids.insert(target)
            case .intrinsic("Fn::GetAtt", .list(let parts)):
                if case .string(let target)? = parts.first { ids.insert(target) }
            case .intrinsic("Fn::Sub", let argument):
                var rest = Substring(subTemplate(argument) ?? "")
                while let open = rest.range(of: "${") {
                    rest = rest[open.upperBound...]
                    let name = rest.prefix { $0 != "}" && $0 != "." }
                    ids.insert(String(name))
                }
                if case .list(let parts) = argument { parts.dropFirst().forEach(visit) }
            case .intrinsic(_, let argument): visit(argument)
            case .list(let items): items.forEach(visit)
            case .map(let entries): entries.forEach { visit($0.value) }
            default: break
            }
        }
        visit(value)
        return ids
    }

    /// The text of an `Fn::Sub`: its argument, or the first of its two.
    static func subTemplate(_ argument: TemplateValue) -> String? {
        switch argument {
        case .string(let text): text
        case .list(let parts): parts.first.flatMap { if case .string(let text) = $0 { text } else { nil } }
        default: nil
        }
    }

    /// The places in `value` that refer to the resource `id`, with the value written there.
    static func references(to id: String, in value: TemplateValue, at path: ValuePath) -> [(ValuePath, TemplateValue)] {
        switch value {
        case .intrinsic("Ref", .string(let target)):
            return target == id ? [(path, value)] : []
        case .intrinsic("Fn::GetAtt", .list(let parts)):
            return parts.first == .string(id) ? [(path, value)] : []
        case .intrinsic("Fn::Sub", let argument):
            if let text = subTemplate(argument), text.contains("${\(id)}") || text.contains("${\(id).") { return [(path, value)] }
            if case .list(let parts) = argument, parts.count > 1 { return references(to: id, in: parts[1], at: path) }
            return []
        case .intrinsic(_, let argument):
            return references(to: id, in: argument, at: path)
        case .list(let items):
            // One finding per property: a list counts once, at its own path.
            return items.indices.contains { !references(to: id, in: items[$0], at: path).isEmpty } ? [(path, value)] : []
        case .map(let entries):
            return entries.flatMap { references(to: id, in: $0.value, at: path.appending(.key($0.key))) }
        default:
            return []
        }
    }

    /// A changed `AttributeType` of an attribute the table's key schema uses.
    private static func keyTypeChanged(_ change: ValueChange, table: TemplateValue) -> Bool {
        let components = change.path.components
        guard components.count >= 3, components[1] == .key("AttributeDefinitions"), case .element(let attribute) = components[2] else { return false }
        guard case .list(let schema)? = table["Properties"]?["KeySchema"] else { return false }
        return schema.contains { $0["AttributeName"] == .string(attribute) }
    }

    private static func typeName(_ resource: TemplateValue) -> String {
        if case .string(let type)? = resource["Type"] { return type }
        return "?"
    }

    /// What deleting (or replacing) the resource `old` does to its data, judged by the deployed
    /// (old) template's policies.
    private static func dataImpact(_ old: TemplateValue, deleting: Bool) -> DataImpact {
        let type = typeName(old)
        guard ReplacementRules.isStateful(type: type) else { return .none }
        let policy = old[deleting ? "DeletionPolicy" : "UpdateReplacePolicy"]
        if policy == .string("Retain") || policy == .string("RetainExceptOnCreate") { return .retained }
        if policy == .string("Snapshot") && ReplacementRules.snapshotTypes.contains(type) { return .retained }
        return .loss
    }
}

extension TemplateDiff {
    /// Compares two synthesized templates, naming the blueprint lines that declared their resources.
    public init(old: Template, new: Template) {
        var locations: [String: SourceLocation] = [:]
        for resource in old.resources + new.resources {
            if let location = resource.originLocation { locations[resource.logicalID] = location }
        }
        self.init(old: old.document.normalized, new: new.document.normalized, locations: locations)
    }
}
