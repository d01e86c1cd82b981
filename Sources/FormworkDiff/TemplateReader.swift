import FormworkTemplate
import FormworkYAML
import Foundation

/// Reads CloudFormation templates (YAML with short-form tags, or JSON, or the JSON that
/// `aws cloudformation get-template` prints, with the template in `TemplateBody`) into the document tree,
/// normalized so that equivalent spellings compare equal: `!Ref X` and `{Ref: X}`,
/// `!GetAtt A.B` and `{Fn::GetAtt: [A, B]}`, `5` and `'5'`.
public enum TemplateReader {
    /// A template that could not be read.
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        /// What went wrong, with the file and position when known.
        public var description: String
    }

    /// Parses template text (YAML or JSON).
    public static func parse(_ text: String, name: String = "template") throws -> TemplateValue {
        let node: YAMLNode
        do {
            node = try YAMLParser.parse(text)
        } catch let error as YAMLError {
            throw ReadError(description: "\(name):\(error.line):\(error.column): \(error.message)")
        }
        var value = TemplateValue(node)
        // `aws cloudformation get-template` wraps the template: {"TemplateBody": "<text>"} for a
        // template written as YAML, {"TemplateBody": {...}} for one written as JSON.
        if case .map(let entries) = value, !entries.contains(where: { $0.key == "Resources" }),
            let body = entries.first(where: { $0.key == "TemplateBody" })?.value
        {
            switch body {
            case .string(let text): return try parse(text, name: "\(name) (TemplateBody)")
            case .map: value = body
            default: break
            }
        }
        guard case .map(let entries) = value, entries.contains(where: { $0.key == "Resources" }) else {
            throw ReadError(description: "\(name): not a CloudFormation template (no Resources section)")
        }
        return value
    }

    /// Reads and parses a template file.
    public static func read(path: String) throws -> TemplateValue {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReadError(description: "\(path): cannot read: \(error.localizedDescription)")
        }
        return try parse(text, name: path)
    }
}

extension TemplateValue {
    /// Converts a parsed YAML tree: short-form tags become intrinsics by their long names, and
    /// everything is normalized in the same pass (see ``normalized``).
    init(_ node: YAMLNode) {
        switch node {
        case .string(let text, let tag): self = Self.tagged(.string(text), tag)
        case .number(let text, let tag): self = Self.tagged(.number(Self.canonicalNumber(text)), tag)
        case .bool(let value, let tag): self = Self.tagged(.bool(value), tag)
        case .null: self = .null
        case .sequence(let items, let tag): self = Self.tagged(.list(items.map(TemplateValue.init)), tag)
        case .mapping(let pairs, let tag):
            if tag == nil, pairs.count == 1, let only = pairs.first,
                only.key == "Ref" || only.key == "Condition" || only.key.hasPrefix("Fn::")
            {
                self = Self.canonicalIntrinsic(only.key, TemplateValue(only.value))
            } else {
                self = Self.tagged(.map(pairs.map { TemplateEntry($0.key, TemplateValue($0.value)) }), tag)
            }
        }
    }

    /// An intrinsic in canonical form: `Fn::GetAtt` as a two-element list.
    static func canonicalIntrinsic(_ name: String, _ argument: TemplateValue) -> TemplateValue {
        if name == "Fn::GetAtt", case .string(let text) = argument, let dot = text.firstIndex(of: ".") {
            return .intrinsic(name, .list([.string(String(text[..<dot])), .string(String(text[text.index(after: dot)...]))]))
        }
        return .intrinsic(name, argument)
    }

    private static func tagged(_ value: TemplateValue, _ tag: String?) -> TemplateValue {
        guard let tag, tag.hasPrefix("!"), !tag.hasPrefix("!!") else { return value }
        let name = String(tag.dropFirst())
        return canonicalIntrinsic(name == "Ref" || name == "Condition" ? name : "Fn::\(name)", value)
    }

    /// The canonical form used for comparison: long-form intrinsics, `Fn::GetAtt` as a two-element
    /// list, numbers in canonical decimal form.
    public var normalized: TemplateValue {
        switch self {
        case .string, .null, .bool: return self
        case .number(let text): return .number(Self.canonicalNumber(text))
        case .list(let items): return .list(items.map(\.normalized))
        case .map(let entries):
            if entries.count == 1, let only = entries.first,
                only.key == "Ref" || only.key == "Condition" || only.key.hasPrefix("Fn::")
            {
                return TemplateValue.intrinsic(only.key, only.value).normalized
            }
            return .map(entries.map { TemplateEntry($0.key, $0.value.normalized) })
        case .intrinsic(let name, let argument):
            if name == "Fn::GetAtt", case .string(let text) = argument, let dot = text.firstIndex(of: ".") {
                return .intrinsic(name, .list([.string(String(text[..<dot])), .string(String(text[text.index(after: dot)...]))]))
            }
            return .intrinsic(name, argument.normalized)
        }
    }

    static func canonicalNumber(_ text: String) -> String {
        if let integer = Int(text) { return String(integer) }
        if let decimal = Decimal(string: text), text.allSatisfy({ $0.isNumber || ".-+eE".contains($0) }) {
            return "\(decimal)"
        }
        return text
    }
}

extension TemplateValue {
    /// The text CloudFormation reads from a scalar (`5`, `'5'` and `"5"` alike), nil for others.
    var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): text
        case .bool(let value): value ? "true" : "false"
        default: nil
        }
    }
}
