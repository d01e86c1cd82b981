import Blueprints
import Formwork
import FormworkCLI
import FormworkDiff
import FormworkTemplate
import Foundation

let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

func synthesized(_ env: Environment) -> Template {
    Synthesizer(blueprint: TaskManagementBlueprint(), environment: env).synthesize().template
}

/// A template with the given resources (logical ID → resource map), normalized.
func template(_ resources: [(String, TemplateValue)]) -> TemplateValue {
    TemplateValue.map([
        TemplateEntry("AWSTemplateFormatVersion", "2010-09-09"),
        TemplateEntry("Resources", .map(resources.map { TemplateEntry($0.0, $0.1) })),
    ]).normalized
}

func resource(_ type: String, _ properties: [TemplateEntry], deletionPolicy: String? = nil) -> TemplateValue {
    var entries = [TemplateEntry("Type", .string(type))]
    if let deletionPolicy {
        entries.append(TemplateEntry("DeletionPolicy", .string(deletionPolicy)))
        entries.append(TemplateEntry("UpdateReplacePolicy", .string(deletionPolicy)))
    }
    entries.append(TemplateEntry("Properties", .map(properties)))
    return .map(entries)
}

final class Output: @unchecked Sendable {
    // Appended to only by the command running synchronously on the test's thread.
    private let lock = NSLock()
    private var buffer = ""
    func append(_ text: String) { lock.lock(); buffer += text; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return buffer }
}

func runCLI(_ arguments: [String]) async -> (status: Int32, out: String, err: String) {
    let out = Output(), err = Output()
    let status = await FormworkCLI.run(blueprints: [TaskManagementBlueprint()], arguments: arguments,
                                 output: TextSink(out: { out.append($0) }, err: { err.append($0) }))
    return (status, out.text, err.text)
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-diff-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A deterministic random number generator (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
