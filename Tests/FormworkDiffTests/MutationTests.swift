import FormworkDiff
import FormworkTemplate
import FormworkTestSupport
import Testing

/// Random mutations of a real template: the diff reports exactly the mutated paths.
@Suite("Property: diff reports exactly what was mutated")
struct MutationTests {
    enum Mutation { case add, remove, change, rename }

    /// Maps reachable from a resource's Properties through map keys only, with their paths.
    func maps(in value: TemplateValue, at path: [String]) -> [[String]] {
        guard case .map(let entries) = value else { return [] }
        return [path] + entries.flatMap { maps(in: $0.value, at: path + [$0.key]) }
    }

    func value(_ root: TemplateValue, at path: [String]) -> TemplateValue? {
        path.reduce(Optional(root)) { $0?[$1] }
    }

    func updating(_ root: TemplateValue, at path: [String], _ change: (inout [TemplateEntry]) -> Void) -> TemplateValue {
        guard case .map(var entries) = root else { return root }
        if let first = path.first {
            if let index = entries.firstIndex(where: { $0.key == first }) {
                entries[index].value = updating(entries[index].value, at: Array(path.dropFirst()), change)
            }
        } else {
            change(&entries)
        }
        return .map(entries)
    }

    @Test("200 random mutations of the prod template", arguments: 0..<4)
    func mutations(batch: Int) throws {
        let original = try TemplateReader.parse(synthesized(.prod).rendered(as: .yaml))
        guard case .map(let resources)? = original["Resources"] else { Issue.record("no resources"); return }
        var random = SeededGenerator(state: UInt64(20_261_125 + batch))
        for iteration in 0..<50 {
            let target = resources[Int.random(in: 0..<resources.count, using: &random)]
            let mutation = [Mutation.add, .remove, .change, .rename][Int.random(in: 0..<4, using: &random)]
            var mutated = original
            var expected: Set<String> = []
            var expectedKinds: [String: ChangeKind] = [:]
            switch mutation {
            case .rename:
                let newID = target.key + "Renamed\(iteration)"
                mutated = updating(original, at: ["Resources"]) { entries in
                    if let index = entries.firstIndex(where: { $0.key == target.key }) { entries[index].key = newID }
                }
                expectedKinds = [target.key: .removed, newID: .added]
            case .add, .remove, .change:
                let candidates = maps(in: target.value["Properties"] ?? .map([]), at: ["Properties"])
                let mapPath = candidates[Int.random(in: 0..<candidates.count, using: &random)]
                guard case .map(let entries)? = value(target.value, at: mapPath) else { continue }
                let scalarKeys = entries.filter { if case .string = $0.value { return true } else { return false } }.map(\.key)
                var kind = mutation
                if (kind == .remove && entries.isEmpty) || (kind == .change && scalarKeys.isEmpty) { kind = .add }
                let full = ["Resources", target.key] + mapPath
                switch kind {
                case .add:
                    let key = "Mutated\(iteration)"
                    mutated = updating(original, at: full) { $0.append(TemplateEntry(key, .string("value-\(iteration)"))) }
                    expected = [(mapPath + [key]).joined(separator: ".")]
                case .remove:
                    let key = entries[Int.random(in: 0..<entries.count, using: &random)].key
                    mutated = updating(original, at: full) { $0.removeAll { $0.key == key } }
                    expected = [(mapPath + [key]).joined(separator: ".")]
                default:
                    let key = scalarKeys[Int.random(in: 0..<scalarKeys.count, using: &random)]
                    mutated = updating(original, at: full) { entries in
                        if let index = entries.firstIndex(where: { $0.key == key }) { entries[index].value = .string("changed-\(iteration)") }
                    }
                    expected = [(mapPath + [key]).joined(separator: ".")]
                }
                expectedKinds = [target.key: .modified]
            }
            let diff = TemplateDiff(old: original, new: mutated)
            #expect(diff.sections.isEmpty, "iteration \(iteration)")
            // A replacement's consequences (resources that refer to the replaced one) come on top,
            // each marked as a cascade: a change whose value did not change, with its reason.
            // What SAM's transform generates, and what shows only after it, are rated on top; the
            // SAM expansion tests (tests/diff) prove those against aws-sam-translator.
            let generated = diff.resources.filter { $0.generatedBy != nil }
            #expect(
                generated.allSatisfy { change in
                    diff.resources.contains { $0.logicalID == change.generatedBy } || original["Resources"]?[change.generatedBy ?? ""] != nil
                },
                "iteration \(iteration): a generated resource names the SAM resource it comes from")
            let own = diff.resources.filter { $0.generatedBy == nil }
            let ownChanges = own.flatMap(\.changes).filter { !$0.afterTransform }
            let cascaded = ownChanges.filter { $0.change.old == $0.change.new }
            #expect(cascaded.allSatisfy { $0.reason?.hasPrefix("refers to ") == true }, "iteration \(iteration)")
            let direct = own.filter { $0.kind != .modified || $0.changes.contains { $0.change.old != $0.change.new && !$0.afterTransform } }
            #expect(
                Dictionary(uniqueKeysWithValues: direct.map { ($0.logicalID, $0.kind) }) == expectedKinds,
                "iteration \(iteration): \(mutation) on \(target.key)")
            if !expected.isEmpty {
                let reported = Set(ownChanges.filter { $0.change.old != $0.change.new }.map { $0.change.path.description })
                #expect(reported == expected, "iteration \(iteration): \(mutation) on \(target.key)")
            }
            if !cascaded.isEmpty {
                #expect(
                    diff.resources.contains { $0.kind == .modified && $0.impact == .replacement && $0.replacedBecause == nil },
                    "iteration \(iteration): a cascade starts at a resource replaced by its own change")
            }
        }
    }
}
