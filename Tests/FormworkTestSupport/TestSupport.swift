import Blueprints
import Formwork
import FormworkCLI
import Foundation

/// Text a command printed, collected from its writers.
public final class CapturedText: @unchecked Sendable {
    // The lock guards `buffer`; commands may write from any task.
    private let lock = NSLock()
    private var buffer = ""

    public init() {}

    public func append(_ text: String) {
        lock.lock()
        buffer += text
        lock.unlock()
    }

    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        return buffer
    }
}

/// Runs the command line in process over `blueprints` and returns its status and output.
public func runCLI(
    _ arguments: [String], blueprints: [any Blueprint] = [TaskManagementBlueprint()], commandName: String = "formwork"
) async -> (status: Int32, out: String, err: String) {
    let out = CapturedText(), err = CapturedText()
    let status = await FormworkCLI.run(
        blueprints: blueprints, arguments: arguments, output: TextSink(out: { out.append($0) }, err: { err.append($0) }),
        commandName: commandName)
    return (status, out.text, err.text)
}

/// A deterministic random number generator (SplitMix64), so property tests reproduce.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
