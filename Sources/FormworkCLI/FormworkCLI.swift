import ArgumentParser
import Formwork
import Foundation

/// The `formwork` command line as a library, so a team's own executable can run it over its
/// own blueprints:
///
/// ```swift
/// // main.swift of the team's executable
/// import FormworkCLI
/// import Foundation
/// exit(await FormworkCLI.run(blueprints: [MyBlueprint()]))
/// ```
public enum FormworkCLI {
    /// The blueprints the running command works on.
    @TaskLocal static var blueprints: [any Blueprint] = []

    /// The name help and messages call the executable by.
    @TaskLocal static var commandName = "formwork"

    /// The running executable's file name (`formwork`, or a team's own tool).
    public static var executableName: String {
        URL(fileURLWithPath: CommandLine.arguments.first ?? "formwork").lastPathComponent
    }

    /// Runs the command line over `blueprints` and returns the exit status:
    /// 0 success, 1 findings (diagnostics, differences), 2 usage or I/O error. Help and
    /// messages call the executable `commandName` (by default, its own file name).
    public static func run(
        blueprints: [any Blueprint], arguments: [String] = Array(CommandLine.arguments.dropFirst()),
        output: TextSink = .standard, commandName: String = FormworkCLI.executableName
    ) async -> Int32 {
        await $commandName.withValue(commandName) { await run(blueprints: blueprints, arguments: arguments, sink: output) }
    }

    private static func run(blueprints: [any Blueprint], arguments: [String], sink output: TextSink) async -> Int32 {
        await $blueprints.withValue(blueprints) {
            await Console.$current.withValue(output) {
                do {
                    var command = try FormworkCommand.parseAsRoot(arguments)
                    if var asyncCommand = command as? any AsyncParsableCommand {
                        try await asyncCommand.run()
                    } else {
                        try command.run()
                    }
                    return 0
                } catch let failure as CommandFailure {
                    if !failure.message.isEmpty { Console.error(failure.message) }
                    return failure.status
                } catch {
                    let code = FormworkCommand.exitCode(for: error)
                    let message = FormworkCommand.fullMessage(for: error)
                    if code == .success {
                        Console.print(message)
                        return 0
                    }
                    Console.error(message)
                    return 2
                }
            }
        }
    }
}

/// A failure with a status: 1 for findings, 2 for usage and I/O problems.
struct CommandFailure: Error {
    var status: Int32
    var message: String

    static func findings(_ message: String = "") -> CommandFailure { CommandFailure(status: 1, message: message) }
    static func usage(_ message: String) -> CommandFailure { CommandFailure(status: 2, message: message) }
}

/// Where the commands write: standard output and standard error, or buffers in tests.
public struct TextSink: Sendable {
    let out: @Sendable (String) -> Void
    let err: @Sendable (String) -> Void
    let isTerminal: Bool

    /// Creates a sink from two writers; `isTerminal` allows colour.
    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void, isTerminal: Bool = false) {
        self.out = out
        self.err = err
        self.isTerminal = isTerminal
    }

    /// The process's standard output and standard error.
    public static let standard = TextSink(
        out: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
        err: { text in FileHandle.standardError.write(Data(text.utf8)) },
        isTerminal: isatty(STDOUT_FILENO) == 1)
}

enum Console {
    @TaskLocal static var current = TextSink.standard

    static var isTerminal: Bool { current.isTerminal }

    static func print(_ text: String) { current.out(text.hasSuffix("\n") ? text : text + "\n") }
    static func error(_ text: String) { current.err(text.hasSuffix("\n") ? text : text + "\n") }
}

struct FormworkCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: FormworkCLI.commandName,
            abstract: "Describe a serverless system once in Swift; generate, check and draw it.",
            discussion: """
                Exit status: 0 success, 1 findings (blueprint errors), 2 usage or I/O error.
                """,
            subcommands: [
                SynthCommand.self, ValidateCommand.self, DiffCommand.self, CheckCommand.self, SimulateCommand.self, ListCommand.self,
                GraphCommand.self, PackageCommand.self, ClockCommand.self, InvokeCommand.self, OutboxCommand.self,
            ])
    }
}

/// Options shared by commands that read a blueprint.
struct BlueprintOptions: ParsableArguments {
    @Option(name: .long, help: "The blueprint to use, when the executable has several.")
    var blueprint: String?

    func selected() throws -> any Blueprint {
        let all = FormworkCLI.blueprints
        guard !all.isEmpty else { throw CommandFailure.usage("error: this executable registers no blueprints") }
        guard let name = blueprint else { return all[0] }
        guard let found = all.first(where: { $0.name == name }) else {
            throw CommandFailure.usage("error: no blueprint named '\(name)'; available: \(all.map(\.name).joined(separator: ", "))")
        }
        return found
    }

    /// The environments to use: one by name, or all of the blueprint's.
    func environments(of blueprint: any Blueprint, named name: String?) throws -> [Environment] {
        guard let name else { return blueprint.environments }
        guard let env = blueprint.environment(named: name) else {
            throw CommandFailure.usage(
                "error: blueprint \(blueprint.name) has no environment '\(name)'; it has \(blueprint.environments.map(\.name).joined(separator: ", "))")
        }
        return [env]
    }
}

/// Prints diagnostics to standard error and returns whether any is an error.
/// Diagnostics gathered over several environments (and the pipeline), printed once each with
/// every context they occur in: `… error: … [dev, staging, prod]`.
struct DiagnosticsReport {
    private var entries: [(diagnostic: Diagnostic, contexts: [String])] = []
    private var positions: [String: Int] = [:]

    /// Adds what one environment (or the pipeline) reported.
    mutating func add(_ diagnostics: [Diagnostic], context: String) {
        for diagnostic in diagnostics {
            if let position = positions[diagnostic.description] {
                if !entries[position].contexts.contains(context) { entries[position].contexts.append(context) }
            } else {
                positions[diagnostic.description] = entries.count
                entries.append((diagnostic, [context]))
            }
        }
    }

    /// Whether any is an error.
    var hasErrors: Bool { entries.contains { $0.diagnostic.severity == .error } }

    /// How many distinct warnings.
    var warnings: Int { entries.filter { $0.diagnostic.severity == .warning }.count }

    /// Prints each diagnostic once, on standard error.
    func print() {
        for entry in entries {
            // The contexts close the diagnostic's first line; its notes follow.
            let lines = entry.diagnostic.description.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let head = "\(lines[0]) [\(entry.contexts.joined(separator: ", "))]"
            Console.error(lines.count > 1 ? head + "\n" + lines[1] : head)
        }
    }
}

func report(_ diagnostics: [Diagnostic], environment: Environment) -> Bool {
    report(diagnostics, context: environment.name)
}

/// Prints diagnostics once each, tagged with what they concern (an environment, the pipeline);
/// true when any is an error.
func report(_ diagnostics: [Diagnostic], context: String) -> Bool {
    var report = DiagnosticsReport()
    report.add(diagnostics, context: context)
    report.print()
    return report.hasErrors
}
