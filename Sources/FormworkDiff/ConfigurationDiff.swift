import Formwork
import FormworkTemplate
import Foundation

/// Two environments of one blueprint compared as configuration: they are separate stacks, so
/// nothing is replaced; what a reviewer wants is the settings that differ. Names derived from the
/// environment's name (physical names, the `Environment` tag, the stage, URLs in outputs) are
/// masked as `{env}` before the comparison, and the differences are grouped by the blueprint
/// resource that produced them, with the blueprint lines where the environment decides them.
public struct ConfigurationDiff: Sendable {
    /// One setting that differs.
    public struct Setting: Sendable {
        /// The template resource.
        public var logicalID: String
        /// Its type.
        public var type: String
        /// Where, below the resource (`Properties.PointInTimeRecoverySpecification…`, `DeletionPolicy`).
        public var path: ValuePath
        /// The first environment's value; nil when absent there.
        public var old: TemplateValue?
        /// The second environment's value; nil when absent there.
        public var new: TemplateValue?
    }

    /// The differences one blueprint resource makes.
    public struct Group: Sendable {
        /// The blueprint resource's name.
        public var name: String
        /// Where the blueprint declares it.
        public var location: SourceLocation?
        /// Template resources only the first environment has.
        public var onlyInOld: [(logicalID: String, type: String)]
        /// Template resources only the second environment has.
        public var onlyInNew: [(logicalID: String, type: String)]
        /// Settings that differ in resources both have.
        public var settings: [Setting]
        /// Lines of its declaration that depend on the environment, those naming a differing
        /// setting first.
        public var choices: [BlueprintLine]
    }

    /// The environments' names.
    public var old: String, new: String
    /// Differences by blueprint resource, in declaration order.
    public var groups: [Group]
    /// Differing entries of the other sections (Parameters, Conditions, Outputs, …), masked likewise.
    public var sections: [SectionChange]

    /// Whether the environments are configured alike.
    public var isEmpty: Bool { groups.isEmpty && sections.isEmpty }

    /// The mask written in place of an environment's name.
    public static let mask = "{env}"

    /// Compares two environments' templates.
    public init(old: Template, oldEnvironment: String, new: Template, newEnvironment: String, sources: BlueprintSources = BlueprintSources()) {
        self.old = oldEnvironment
        self.new = newEnvironment
        let before = Self.masking(old.document.normalized, name: oldEnvironment)
        let after = Self.masking(new.document.normalized, name: newEnvironment)
        let diff = TemplateDiff(old: before, new: after, expandingSAM: false)
        sections = diff.sections

        var origins: [String: (name: String, location: SourceLocation?)] = [:]
        for resource in old.resources + new.resources {
            origins[resource.logicalID] = (resource.origin?.name ?? resource.logicalID, resource.originLocation)
        }
        var groups: [String: Group] = [:]
        for change in diff.resources {
            let origin = origins[change.logicalID] ?? (change.logicalID, nil)
            var group =
                groups[origin.name] ?? Group(name: origin.name, location: origin.location, onlyInOld: [], onlyInNew: [], settings: [], choices: [])
            switch change.kind {
            case .added: group.onlyInNew.append((change.logicalID, change.type))
            case .removed: group.onlyInOld.append((change.logicalID, change.type))
            case .modified:
                group.settings += change.changes.filter { $0.change.old != $0.change.new }.map {
                    Setting(logicalID: change.logicalID, type: change.type, path: $0.change.path, old: $0.change.old, new: $0.change.new)
                }
            }
            groups[origin.name] = group
        }
        self.groups = groups.values
            .filter { !$0.onlyInOld.isEmpty || !$0.onlyInNew.isEmpty || !$0.settings.isEmpty }
            .map { group in
                var group = group
                if let location = group.location {
                    group.choices = sources.choices(declaredAt: location, settings: group.settings.map(\.path))
                }
                return group
            }
            .sorted { ($0.location?.line ?? .max, $0.name) < ($1.location?.line ?? .max, $1.name) }
    }

    /// The document with every whole-word occurrence of `name` in its strings replaced by ``mask``.
    static func masking(_ value: TemplateValue, name: String) -> TemplateValue {
        switch value {
        case .string(let text): .string(masking(text, name: name))
        case .list(let items): .list(items.map { masking($0, name: name) })
        case .map(let entries): .map(entries.map { TemplateEntry($0.key, masking($0.value, name: name)) })
        case .intrinsic(let function, let argument): .intrinsic(function, masking(argument, name: name))
        default: value
        }
    }

    static func masking(_ text: String, name: String) -> String {
        guard !name.isEmpty, text.contains(name) else { return text }
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: name) {
            let before = rest[..<range.lowerBound].last ?? result.last
            let after = rest[range.upperBound...].first
            let isWord = { (character: Character?) in character.map { $0.isLetter || $0.isNumber } ?? false }
            result += rest[..<range.lowerBound]
            result += isWord(before) || isWord(after) ? name : mask
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

/// A line of a blueprint's source.
public struct BlueprintLine: Sendable, Equatable {
    /// Where.
    public var location: SourceLocation
    /// The line's text, trimmed.
    public var text: String
}

/// Reads blueprint sources to find where an environment decides a resource's settings.
public struct BlueprintSources: Sendable {
    /// Creates a reader of the files that source locations name.
    public init() {}

    /// The lines at which the environment decides the settings of the resource declared at
    /// `location`, found in the blueprint's source: lines of its declaration (the statement there
    /// and its indented continuation lines, and the bodies of local functions it calls), and the
    /// conditions around the declaration and around the statements that add it to the
    /// architecture, that use `env` or a local derived from it (`let prod = env.isProduction`).
    /// The environment's name alone (`env.name`, string interpolations) is masked, so it decides
    /// nothing. Lines that name one of `settings` (by a word of four or more letters,
    /// `pointInTimeRecovery` for `PointInTimeRecoverySpecification`) come first.
    public func choices(declaredAt location: SourceLocation, settings: [ValuePath]) -> [BlueprintLine] {
        guard let text = try? String(contentsOfFile: location.filePath, encoding: .utf8) else { return [] }
        let lines = text.components(separatedBy: "\n")
        guard location.line >= 1, location.line <= lines.count else { return [] }
        let code = lines.map(Self.code)
        let dependent = Self.environmentNames(in: code)
        let start = location.line - 1
        var candidates = Self.statement(at: start, in: lines)
        for index in candidates {
            for name in Self.identifiers(code[index]) {
                if let body = code.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("func \(name)(") }) {
                    candidates += Self.statement(at: body, in: lines).dropFirst()
                }
            }
        }
        var uses = [start]
        let declared = code[start].trimmingCharacters(in: .whitespaces)
        if declared.hasPrefix("let ") || declared.hasPrefix("var ") {
            let name = String(declared.dropFirst(4).prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            uses += code.indices.filter { code[$0].trimmingCharacters(in: .whitespaces) == name }
        }
        candidates += uses.flatMap { Self.enclosingConditions(of: $0, in: code) }
        var seen = Set<Int>()
        let found = candidates.filter { seen.insert($0).inserted && Self.identifiers(code[$0]).contains { dependent.contains($0) } }
            .map { index in
                var line = location
                line.line = index + 1
                line.column = Self.indent(lines[index]) + 1
                return BlueprintLine(location: line, text: lines[index].trimmingCharacters(in: .whitespaces))
            }
        let settingWords = Set(
            settings.flatMap { path in
                path.components.flatMap { component -> [String] in
                    if case .key(let key) = component { return Self.words(key) }
                    return []
                }
            })
        let naming = found.filter { !Set(Self.words($0.text)).isDisjoint(with: settingWords) }
        return naming + found.filter { !naming.contains($0) }
    }

    static func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }

    /// The line at `start` and the more indented, non-empty lines that follow it.
    static func statement(at start: Int, in lines: [String]) -> [Int] {
        var indices = [start]
        var index = start + 1
        while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).isEmpty, indent(lines[index]) > indent(lines[start]) {
            indices.append(index)
            index += 1
        }
        return indices
    }

    /// The `if`, `guard`, `for` and `switch` lines that enclose the line at `index`.
    static func enclosingConditions(of index: Int, in code: [String]) -> [Int] {
        var result: [Int] = []
        var level = indent(code[index])
        var line = index - 1
        while line >= 0, level > 0 {
            let trimmed = code[line].trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, indent(code[line]) < level {
                level = indent(code[line])
                if ["if ", "} else if ", "guard ", "for ", "switch ", "case "].contains(where: trimmed.hasPrefix) { result.append(line) }
                if trimmed.hasPrefix("func ") || trimmed.hasPrefix("public func ") { break }
            }
            line -= 1
        }
        return result
    }

    /// The line without its string literals and without `.name` (the environment's name is
    /// masked): what is left can decide a setting.
    static func code(_ line: String) -> String {
        var result = ""
        var inString = false
        var previous: Character = " "
        for character in line {
            if character == "\"", previous != "\\" { inString.toggle() } else if !inString { result.append(character) }
            previous = character
        }
        return result.replacingOccurrences(of: ".name", with: "")
    }

    /// The environment parameter (`architecture(for env: Environment)`) and every local whose
    /// initializer mentions it, transitively.
    static func environmentNames(in lines: [String]) -> Set<String> {
        var names: Set<String> = []
        for line in lines {
            guard let range = line.range(of: ": Environment") else { continue }
            if let name = line[..<range.lowerBound].split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).last {
                names.insert(String(name))
            }
        }
        if names.isEmpty { names = ["env"] }
        var changed = true
        while changed {
            changed = false
            for line in lines {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("let ") || trimmed.hasPrefix("var "), let equals = trimmed.firstIndex(of: "=") else { continue }
                let name = trimmed.dropFirst(4).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                let value = trimmed[trimmed.index(after: equals)...]
                if !name.isEmpty, !names.contains(String(name)), identifiers(String(value)).contains(where: names.contains) {
                    names.insert(String(name))
                    changed = true
                }
            }
        }
        return names
    }

    static func identifiers(_ text: String) -> [String] {
        text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
    }

    /// Lowercased words of four or more letters, split at case changes: `pointInTimeRecovery` →
    /// `point`, `time`, `recovery`.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text {
            if character.isUppercase, !current.isEmpty, current.last?.isLowercase == true {
                words.append(current)
                current = ""
            }
            if character.isLetter {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.lowercased() }.filter { $0.count >= 4 }
    }
}
