import FormworkYAML

/// Output formats of a template.
public enum TemplateFormat: String, Sendable, CaseIterable {
    case yaml
    case json

    /// The file extension.
    public var fileExtension: String { rawValue }
}

extension TemplateValue {
    /// The short-form YAML tag of an intrinsic's long name (`Fn::GetAtt` → `!GetAtt`).
    static func shortTag(_ longName: String) -> String {
        "!" + (longName.hasPrefix("Fn::") ? String(longName.dropFirst(4)) : longName)
    }

    /// The YAML tree, with intrinsics in short form (`!Ref X`, `!GetAtt A.B`, `!Sub '...'`).
    public var yamlNode: YAMLNode {
        switch self {
        case .string(let text): .string(text)
        case .number(let text): .number(text)
        case .bool(let value): .bool(value)
        case .null: .null
        case .list(let items): .sequence(items.map(\.yamlNode))
        case .map(let entries): .mapping(entries.map { YAMLPair($0.key, $0.value.yamlNode) })
        case .intrinsic(let name, let argument):
            Self.taggedNode(Self.shortTag(name), name == "Fn::GetAtt" ? argument.getAttShortForm : argument)
        }
    }

    private var getAttShortForm: TemplateValue {
        if case .list(let parts) = self, parts.count == 2, case .string(let resource) = parts[0], case .string(let attribute) = parts[1] {
            return .string("\(resource).\(attribute)")
        }
        return self
    }

    private static func taggedNode(_ tag: String, _ argument: TemplateValue) -> YAMLNode {
        switch argument.yamlNode {
        case .string(let text, _): .string(text, tag: tag)
        case .number(let text, _): .number(text, tag: tag)
        case .bool(let value, _): .bool(value, tag: tag)
        case .null: .string("", tag: tag)
        case .sequence(let items, _): .sequence(items, tag: tag)
        case .mapping(let pairs, _): .mapping(pairs, tag: tag)
        }
    }

    /// JSON on one line, with intrinsics in long form and keys in document order.
    public var compactJSON: String {
        switch self {
        case .string(let text): Self.jsonString(text)
        case .number(let text): text
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .list(let items): "[" + items.map(\.compactJSON).joined(separator: ",") + "]"
        case .map(let entries): "{" + entries.map { Self.jsonString($0.key) + ":" + $0.value.compactJSON }.joined(separator: ",") + "}"
        case .intrinsic(let name, let argument): "{" + Self.jsonString(name) + ":" + argument.compactJSON + "}"
        }
    }

    /// JSON text with intrinsics in long form, two-space indentation, keys in document order.
    public func jsonText() -> String {
        var out = ""
        writeJSON(into: &out, indent: 0)
        out += "\n"
        return out
    }

    private func writeJSON(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1), closing = String(repeating: "  ", count: indent)
        switch self {
        case .string(let text): out += Self.jsonString(text)
        case .number(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                item.writeJSON(into: &out, indent: indent + 1)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += closing + "]"
        case .map(let entries):
            if entries.isEmpty { out += "{}"; return }
            out += "{\n"
            for (index, entry) in entries.enumerated() {
                out += pad + Self.jsonString(entry.key) + ": "
                entry.value.writeJSON(into: &out, indent: indent + 1)
                out += index == entries.count - 1 ? "\n" : ",\n"
            }
            out += closing + "}"
        case .intrinsic(let name, let argument):
            TemplateValue.map([TemplateEntry(name, argument)]).writeJSON(into: &out, indent: indent)
        }
    }

    /// A JSON string literal for `text`.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension TemplateValue {
    /// The value as a YAML or JSON document.
    public func rendered(as format: TemplateFormat) throws -> String {
        switch format {
        case .yaml: try YAMLEmitter.emit(yamlNode)
        case .json: jsonText()
        }
    }
}

extension Template {
    /// The template as text in `format`.
    public func rendered(as format: TemplateFormat) throws -> String {
        try document.rendered(as: format)
    }
}
