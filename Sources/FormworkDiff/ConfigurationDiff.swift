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

        /// The path as a reader names the setting: below `Properties`, or the resource attribute.
        public var property: ValuePath {
            path.components.first == .key("Properties") ? ValuePath(Array(path.components.dropFirst())) : path
        }
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
    public init(old: Template, oldEnvironment: String, new: Template, newEnvironment: String) {
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
        var sources: [String: BlueprintSource] = [:]
        self.groups = groups.values
            .filter { !$0.onlyInOld.isEmpty || !$0.onlyInNew.isEmpty || !$0.settings.isEmpty }
            .map { group in
                var group = group
                guard let location = group.location else { return group }
                if sources[location.filePath] == nil { sources[location.filePath] = BlueprintSource(path: location.filePath) }
                group.choices =
                    sources[location.filePath]?.choices(
                        declaredAt: location, settings: group.settings.map(\.path),
                        existenceDiffers: !group.onlyInOld.isEmpty || !group.onlyInNew.isEmpty) ?? []
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

/// One blueprint source file, read once, to find where the environment decides a resource's settings.
struct BlueprintSource {
    /// The file's lines.
    let lines: [String]
    /// Each line without string literals and without the environment's name (which is masked).
    let code: [String]
    /// The environment parameter and the locals derived from it.
    let dependent: Set<String>
    /// The line of each local function's declaration, by name.
    let functions: [String: Int]

    /// Reads the file; an unreadable file has no lines.
    init(path: String) {
        let lines = (try? String(contentsOfFile: path, encoding: .utf8))?.components(separatedBy: "\n") ?? []
        let parameters = Self.environmentParameters(in: lines)
        self.lines = lines
        self.code = lines.map { Self.code($0, parameters: parameters) }
        self.dependent = Self.environmentNames(in: code, parameters: parameters)
        var functions: [String: Int] = [:]
        for (index, line) in code.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let range = trimmed.range(of: "func ") else { continue }
            let name = trimmed[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !name.isEmpty, functions[String(name)] == nil { functions[String(name)] = index }
        }
        self.functions = functions
    }

    /// The lines at which the environment decides the settings that differ for the resource
    /// declared at `location`. Candidates are the lines of its declaration (the statement there,
    /// with its indented continuation and chained `.modifier` lines), the statements that use its
    /// variable later (`configured(notifier, …)`, `api = api.firewall(…)`), the bodies of local
    /// functions those call, and the conditions around all of them. A candidate counts when it
    /// uses the environment or a local derived from it (`let prod = env.isProduction`) and names
    /// one of `settings` by a word of three or more letters (`pointInTimeRecovery` for
    /// `PointInTimeRecoverySpecification`); a condition counts when `existenceDiffers`.
    func choices(declaredAt location: SourceLocation, settings: [ValuePath], existenceDiffers: Bool) -> [BlueprintLine] {
        guard location.line >= 1, location.line <= lines.count else { return [] }
        let start = location.line - 1
        var statements = [statement(at: start)]
        let declared = code[start].trimmingCharacters(in: .whitespaces)
        if declared.hasPrefix("let ") || declared.hasPrefix("var ") {
            let name = String(declared.dropFirst(4).prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            for index in code.indices where index > start && Self.rebuilds(name, in: code[index]) {
                statements.append(statement(at: index))
            }
        }
        var candidates = statements.flatMap { $0 }
        for index in candidates {
            for name in Self.identifiers(code[index]) {
                if let body = functions[name] { candidates += statement(at: body).dropFirst() }
            }
        }
        let conditions = statements.flatMap { enclosingConditions(of: $0[0]) }
        let settingStems = Set(
            settings.flatMap { path in
                path.components.flatMap { component -> [String] in
                    guard case .key(let key) = component else { return [] }
                    // What keeps a resource on delete is written as a retention choice.
                    return Self.words(key) + (key == "DeletionPolicy" || key == "UpdateReplacePolicy" ? ["retain"] : [])
                }
            }.map(Self.stem))
        var seen = Set<Int>()
        let chosen =
            candidates.filter { index in
                usesEnvironment(index) && !Set(Self.words(code[index]).map(Self.stem)).isDisjoint(with: settingStems)
            } + (existenceDiffers ? conditions.filter(usesEnvironment) : [])
        return chosen.filter { seen.insert($0).inserted }.map { index in
            var line = location
            line.line = index + 1
            line.column = Self.indent(lines[index]) + 1
            return BlueprintLine(location: line, text: lines[index].trimmingCharacters(in: .whitespaces))
        }
    }

    private func usesEnvironment(_ index: Int) -> Bool {
        Self.identifiers(code[index]).contains { dependent.contains($0) }
    }

    static func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }

    /// The line at `start`, the more indented non-empty lines that follow it, and the chained
    /// `.modifier` lines (and closing braces) at its own indentation.
    func statement(at start: Int) -> [Int] {
        var indices = [start]
        var index = start + 1
        while index < lines.count {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            let deeper = Self.indent(lines[index]) > Self.indent(lines[start])
            let chained = Self.indent(lines[index]) == Self.indent(lines[start]) && (trimmed.hasPrefix(".") || trimmed.hasPrefix("}"))
            guard !trimmed.isEmpty, deeper || chained else { break }
            indices.append(index)
            index += 1
        }
        return indices
    }

    /// The `if`, `guard`, `for` and `switch` lines that enclose the line at `index`, and the line
    /// itself when it is one (`if prod { api = api.firewall(firewall) }`).
    func enclosingConditions(of index: Int) -> [Int] {
        let starts = ["if ", "} else if ", "guard ", "for ", "switch ", "case "]
        var result = starts.contains(where: code[index].trimmingCharacters(in: .whitespaces).hasPrefix) ? [index] : []
        var level = Self.indent(code[index])
        var line = index - 1
        while line >= 0, level > 0 {
            let trimmed = code[line].trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, Self.indent(code[line]) < level {
                level = Self.indent(code[line])
                if starts.contains(where: trimmed.hasPrefix) { result.append(line) }
                if trimmed.contains("func ") { break }
            }
            line -= 1
        }
        return result
    }

    /// The names of `Environment` parameters (`architecture(for env: Environment)`); `env` when none is found.
    static func environmentParameters(in lines: [String]) -> Set<String> {
        var names = Set<String>()
        for line in lines {
            guard let range = line.range(of: ": Environment") else { continue }
            if let name = line[..<range.lowerBound].split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).last {
                names.insert(String(name))
            }
        }
        return names.isEmpty ? ["env"] : names
    }

    /// The parameters and every local whose initializer mentions one, transitively.
    static func environmentNames(in code: [String], parameters: Set<String>) -> Set<String> {
        var names = parameters
        var changed = true
        while changed {
            changed = false
            for line in code {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("let ") || trimmed.hasPrefix("var "), let equals = trimmed.firstIndex(of: "=") else { continue }
                let name = String(trimmed.dropFirst(4).prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                if !name.isEmpty, !names.contains(name), identifiers(String(trimmed[trimmed.index(after: equals)...])).contains(where: names.contains) {
                    names.insert(name)
                    changed = true
                }
            }
        }
        return names
    }

    /// The line without its string literals and without `<parameter>.name` (the environment's
    /// name is masked, so it decides nothing).
    static func code(_ line: String, parameters: Set<String>) -> String {
        var result = ""
        var inString = false
        var previous: Character = " "
        for character in line {
            if character == "\"", previous != "\\" { inString.toggle() } else if !inString { result.append(character) }
            previous = character
        }
        for parameter in parameters {
            result = result.replacingOccurrences(of: "\(parameter).name", with: "")
        }
        return result
    }

    /// Whether the line lists the resource in `name` (in the architecture's builder) or makes a
    /// new value of it: `name = name.modifier(…)`, `let other = helper(name, …)`; not a line that
    /// only refers to it.
    static func rebuilds(_ name: String, in line: String) -> Bool {
        let compact = line.filter { !$0.isWhitespace }
        if compact == name || compact.contains("\(name)=\(name).") { return true }
        guard let equals = compact.firstIndex(of: "="), compact.hasPrefix("let") || compact.hasPrefix("var") else { return false }
        let value = compact[compact.index(after: equals)...]
        guard let open = value.firstIndex(of: "("), value[..<open].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return false }
        let argument = value[value.index(after: open)...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return argument == name
    }

    /// The first five letters: `deletion` and `deleteProtection` meet at `delet`.
    static func stem(_ word: String) -> String { String(word.prefix(5)) }

    static func identifiers(_ text: String) -> [String] {
        text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
    }

    /// Lowercased words of three or more letters, split at case changes: `pointInTimeRecovery` →
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
        return words.map { $0.lowercased() }.filter { $0.count >= 3 }
    }
}
