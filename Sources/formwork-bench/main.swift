import Formwork
import FormworkCLI
import FormworkDiff
import FormworkTemplate
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Benchmarks whole-process synthesis: wall time and peak resident memory of
/// `formwork synth --all` and of a generated 500-resource architecture, median of N runs.
///
///     swift build -c release --product formwork --product formwork-bench
///     .build/release/formwork-bench [--runs 7]
///
/// Run as `formwork-bench synth-generated ...` it is the command line over the generated
/// blueprint, so both measurements include process start, the CLI and writing files.

let arguments = Array(CommandLine.arguments.dropFirst())
if let index = arguments.firstIndex(of: "--tables") {
    let count = index + 1 < arguments.count ? Int(arguments[index + 1]) ?? 1_000_000 : 1_000_000
    do {
        try await TableBenchmark.run(items: count, queries: 2000)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("table benchmark failed: \(error)\n".utf8))
        exit(1)
    }
}
if arguments.first == "synth-generated" {
    exit(await FormworkCLI.run(blueprints: [GeneratedBlueprint()], arguments: ["synth"] + arguments.dropFirst()))
}

let runs: Int = {
    if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 {
        return value
    }
    return 7
}()
let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
let formwork = "\(binDir)/formwork", bench = "\(binDir)/formwork-bench"
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-bench-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: scratch) }

struct Sample { var seconds: Double; var peakKB: Int }

/// Spawns a process, waits, and reads its wall time and peak RSS (`ru_maxrss`, KB on Linux).
func measure(_ path: String, _ args: [String]) -> Sample? {
    var pid: pid_t = 0
    let argv = ([path] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let start = DispatchTime.now().uptimeNanoseconds
    guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { return nil }
    var status: Int32 = 0
    var usage = rusage()
    guard wait4(pid, &status, 0, &usage) == pid else { return nil }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    guard status == 0 else {
        FileHandle.standardError.write(Data("\(path) \(args.joined(separator: " ")) exited with status \(status)\n".utf8))
        return nil
    }
    return Sample(seconds: elapsed, peakKB: usage.ru_maxrss)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Runs two commands alternately, `runs` times each, and prints the ratio of their medians.
func compare(_ label: String, _ path: String, _ a: [String], _ b: [String], runs: Int, goalRatio: Double) -> Bool {
    _ = measure(path, a)
    _ = measure(path, b)
    var first: [Double] = [], second: [Double] = []
    for _ in 0..<runs {
        guard let x = measure(path, a), let y = measure(path, b) else { return false }
        first.append(x.seconds * 1000)
        second.append(y.seconds * 1000)
    }
    let ratio = median(first) / median(second)
    print(
        String(
            format: "%-38@ median %7.1f ms against %.1f ms: ×%.2f (goal ≤ ×%.2f)   %@", label as NSString, median(first), median(second), ratio,
            goalRatio, (ratio <= goalRatio ? "ok" : "OVER GOAL") as NSString))
    return true
}

func run(_ label: String, _ path: String, _ args: [String], runs: Int, goalMS: Double, goalMB: Double) -> Bool {
    _ = measure(path, args)  // warm the page cache
    var samples: [Sample] = []
    for _ in 0..<runs {
        guard let sample = measure(path, args) else { return false }
        samples.append(sample)
    }
    let ms = median(samples.map { $0.seconds * 1000 })
    let mb = median(samples.map { Double($0.peakKB) / 1024 })
    let minMS = (samples.map(\.seconds).min() ?? 0) * 1000, maxMS = (samples.map(\.seconds).max() ?? 0) * 1000
    print(
        String(
            format: "%-38@ median %7.1f ms (min %.1f, max %.1f; goal ≤ %.0f ms)   peak RSS %6.1f MB (goal ≤ %.0f MB)   %@",
            label as NSString, ms, minMS, maxMS, goalMS, mb, goalMB, (ms <= goalMS && mb <= goalMB ? "ok" : "OVER GOAL") as NSString))
    return true
}

let generated = Synthesizer(blueprint: GeneratedBlueprint(), environment: .dev).synthesize().template
let variant = Synthesizer(blueprint: GeneratedBlueprint(variant: true), environment: .dev).synthesize().template
let changed = TemplateDiff(old: generated, new: variant).resources.count
let (oldTemplate, newTemplate) = ("\(scratch)/generated-a.yaml", "\(scratch)/generated-b.yaml")
let (oldPlain, newPlain) = ("\(scratch)/plain-a.yaml", "\(scratch)/plain-b.yaml")
do {
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    for (template, path, plainPath) in [(generated, oldTemplate, oldPlain), (variant, newTemplate, newPlain)] {
        let yaml = try template.rendered(as: .yaml)
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        // Without the Transform line, diff compares the templates as written and skips SAM's expansion.
        let plain = yaml.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("Transform:") }.joined(separator: "\n")
        try plain.write(toFile: plainPath, atomically: true, encoding: .utf8)
    }
} catch {
    FileHandle.standardError.write(Data("cannot write the generated templates: \(error)\n".utf8))
    exit(2)
}
print("Formwork benchmark: \(runs) runs each, whole process, release build")
print("generated architecture: \(generated.resources.count) resources; its variant changes \(changed) of them")
var ok = run("formwork synth --all (3 envs)", formwork, ["synth", "--all", "--output", "\(scratch)/all"], runs: runs, goalMS: 40, goalMB: 50)
ok =
    run(
        "synth of 500 generated resources", bench, ["synth-generated", "--env", "dev", "--output", "\(scratch)/generated"], runs: runs, goalMS: 150, goalMB: 50)
    && ok
ok =
    run(
        "diff of two 500-resource templates", formwork, ["diff", oldTemplate, newTemplate, "--format", "json", "--fail-on", "none"],
        runs: runs, goalMS: 50, goalMB: 50) && ok
ok =
    compare(
        "diff with SAM's expansion, against without", formwork,
        ["diff", oldTemplate, newTemplate, "--format", "json", "--fail-on", "none"],
        ["diff", oldPlain, newPlain, "--format", "json", "--fail-on", "none"], runs: runs, goalRatio: 1.10) && ok
let baseline = run("process start only (formwork --help)", formwork, ["--help"], runs: runs, goalMS: 40, goalMB: 50)
exit(ok && baseline ? 0 : 1)
