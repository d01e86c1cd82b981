import Formwork

/// A CloudFormation/SAM template as an ordered document tree.
public struct Template: Sendable, Equatable {
    public var formatVersion = "2010-09-09"
    public var transform: String?
    public var description: String?
    public var metadata: [TemplateEntry] = []
    public var parameters: [TemplateEntry] = []
    public var mappings: [TemplateEntry] = []
    public var conditions: [TemplateEntry] = []
    public var globals: [TemplateEntry] = []
    public var resources: [TemplateResource] = []
    public var outputs: [TemplateEntry] = []

    /// Creates an empty template.
    public init() {}

    /// The resource with this logical ID.
    public func resource(_ logicalID: String) -> TemplateResource? {
        resources.first { $0.logicalID == logicalID }
    }

    /// Resources of one CloudFormation type, in order.
    public func resources(ofType type: String) -> [TemplateResource] {
        resources.filter { $0.type == type }
    }

    /// The whole document, sections in CloudFormation's canonical order, empty sections left out.
    public var document: TemplateValue {
        var entries = [TemplateEntry("AWSTemplateFormatVersion", .string(formatVersion))]
        if let transform { entries.append(TemplateEntry("Transform", .string(transform))) }
        if let description { entries.append(TemplateEntry("Description", .string(description))) }
        let sections: [(String, [TemplateEntry])] = [
            ("Metadata", metadata), ("Parameters", parameters), ("Mappings", mappings),
            ("Conditions", conditions), ("Globals", globals),
        ]
        for (name, section) in sections where !section.isEmpty { entries.append(TemplateEntry(name, .map(section))) }
        entries.append(TemplateEntry("Resources", .map(resources.map { TemplateEntry($0.logicalID, $0.value) })))
        if !outputs.isEmpty { entries.append(TemplateEntry("Outputs", .map(outputs))) }
        return .map(entries)
    }
}

/// One resource of a template, with the model resource it came from.
public struct TemplateResource: Sendable, Equatable {
    public var logicalID: String
    public var type: String
    public var properties: [TemplateEntry]
    public var dependsOn: [String] = []
    public var condition: String?
    public var metadata: [TemplateEntry] = []
    /// `Retain` or `Delete`; nil leaves CloudFormation's default.
    public var deletionPolicy: String?
    public var updateReplacePolicy: String?
    /// The model resource that produced this one.
    public var origin: ResourceID?
    /// Where that model resource was declared.
    public var originLocation: SourceLocation?

    /// Creates a resource.
    public init(_ logicalID: String, type: String, properties: [TemplateEntry]) {
        self.logicalID = logicalID
        self.type = type
        self.properties = properties
    }

    /// Records that a checkov check does not apply, with the reason, in the resource's Metadata.
    public mutating func skipCheck(_ id: String, because reason: String) {
        let skip = TemplateValue.map(["id": .string(id), "comment": .string(reason)])
        if let index = metadata.firstIndex(where: { $0.key == "checkov" }), case .map(let entries) = metadata[index].value,
            case .list(let skips)? = entries.first?.value
        {
            metadata[index].value = .map([TemplateEntry("skip", .list(skips + [skip]))])
        } else {
            metadata.append(TemplateEntry("checkov", .map([TemplateEntry("skip", .list([skip]))])))
        }
    }

    /// A property by name.
    public func property(_ name: String) -> TemplateValue? { properties.first { $0.key == name }?.value }

    /// The resource as it appears under `Resources`, attributes in CloudFormation's usual order.
    public var value: TemplateValue {
        var entries = [TemplateEntry("Type", .string(type))]
        if let condition { entries.append(TemplateEntry("Condition", .string(condition))) }
        if !dependsOn.isEmpty { entries.append(TemplateEntry("DependsOn", .strings(dependsOn))) }
        if let deletionPolicy { entries.append(TemplateEntry("DeletionPolicy", .string(deletionPolicy))) }
        if let updateReplacePolicy { entries.append(TemplateEntry("UpdateReplacePolicy", .string(updateReplacePolicy))) }
        if !metadata.isEmpty { entries.append(TemplateEntry("Metadata", .map(metadata))) }
        if !properties.isEmpty { entries.append(TemplateEntry("Properties", .map(properties))) }
        return .map(entries)
    }
}
