import Formwork
import FormworkCLI
import Foundation
import Testing

/// The ELF reader behind `formwork package`'s check that a bootstrap starts on provided.al2023:
/// against readelf on real executables, on executables written here, and on broken input.
@Suite struct BootstrapCompatibilityTests {
    /// `readelf -V -d -h`, reduced to what the reader returns.
    static func readelf(_ path: String) throws -> (machine: String, libraries: [String], versions: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["readelf", "-h", "-d", "-V", "--wide", path]
        process.environment = ["LC_ALL": "C", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "readelf (binutils) must run: make deps installs it")
        var machine = "", libraries: [String] = [], versions: [String] = [], library = ""
        var inNeeds = false
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("Version ") { inNeeds = line.hasPrefix("Version needs section") }
            if line.hasPrefix("Machine:") { machine = line.dropFirst("Machine:".count).trimmingCharacters(in: .whitespaces) }
            if line.contains("(NEEDED)"), let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]") {
                libraries.append(String(line[line.index(after: open)..<close]))
            }
            if inNeeds, let file = line.range(of: "File: ") {
                library = String(line[file.upperBound...].prefix { $0 != " " })
            }
            if inNeeds, line.contains("Name: "), line.contains("Flags:"), let name = line.range(of: "Name: ") {
                versions.append("\(library) \(line[name.upperBound...].prefix { $0 != " " })")
            }
        }
        return (machine, libraries, versions)
    }

    static var realExecutables: [String] {
        ["/bin/ls", "/usr/bin/env", "/bin/bash"].filter { FileManager.default.fileExists(atPath: $0) }
    }

    @Test func readsWhatReadelfReadsFromRealExecutables() throws {
        #expect(Self.realExecutables.count >= 2)
        for path in Self.realExecutables {
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? path
            let oracle = try Self.readelf(resolved)
            let read = try ELFRequirements(contentsOf: URL(fileURLWithPath: resolved))
            #expect(read.libraries == oracle.libraries, "\(path)")
            #expect(read.versions.map { "\($0.library) \($0.version)" } == oracle.versions, "\(path)")
            #expect(!read.versions.isEmpty, "\(path) is dynamically linked: it needs glibc versions")
            let expected: CPUArchitecture? =
                oracle.machine.contains("X86-64") ? .x86_64 : oracle.machine.contains("AArch64") ? .arm64 : nil
            #expect(read.architecture == expected, "\(path): \(oracle.machine)")
        }
    }

    @Test func aBootstrapNeedingANewerGlibcIsRefusedAndTheRuntimesOwnIsNot() throws {
        let runtime = LambdaRuntimeLibraries.providedAL2023
        let newer = try ELFRequirements(
            ELFWriter.executable(
                machine: 183,
                needs: [("libc.so.6", ["GLIBC_2.17", "GLIBC_2.35", "GLIBC_2.34"]), ("libstdc++.so.6", ["GLIBCXX_3.4.30", "CXXABI_1.3.9"])]),
            name: "newer")
        #expect(newer.architecture == .arm64)
        #expect(newer.libraries == ["libc.so.6", "libstdc++.so.6"])
        #expect(runtime.missing(in: newer) == ["GLIBC_2.35 (libc.so.6)", "GLIBCXX_3.4.30 (libstdc++.so.6)"])

        let matching = try ELFRequirements(
            ELFWriter.executable(
                machine: 62, needs: [("libc.so.6", ["GLIBC_2.34", "GLIBC_2.2.5"]), ("libstdc++.so.6", ["GLIBCXX_3.4.29", "CXXABI_1.3.13"])]),
            name: "matching")
        #expect(matching.architecture == .x86_64)
        #expect(runtime.missing(in: matching).isEmpty)

        let foreign = try ELFRequirements(
            ELFWriter.executable(machine: 183, needs: [("libc.so.6", ["GLIBC_2.17"]), ("libxml2.so.2", ["LIBXML2_2.4.30"])]), name: "foreign")
        #expect(runtime.missing(in: foreign) == ["libxml2.so.2"])

        let staticExecutable = try ELFRequirements(ELFWriter.executable(machine: 183, needs: []), name: "static")
        #expect(staticExecutable.versions.isEmpty && staticExecutable.libraries.isEmpty)
        #expect(runtime.missing(in: staticExecutable).isEmpty)
        #expect(runtime.summary == "glibc 2.34, CXXABI 1.3.13, GLIBCXX 3.4.29")
        #expect(runtime.runtime == Function.runtime)
    }

    @Test func brokenInputIsAnErrorNeverACrash() throws {
        let valid = ELFWriter.executable(machine: 183, needs: [("libc.so.6", ["GLIBC_2.34"])])
        #expect(throws: ELFRequirements.ReadError.self) { try ELFRequirements(Data("#!/bin/sh\n".utf8), name: "script") }
        #expect(throws: ELFRequirements.ReadError.self) { try ELFRequirements(Data(valid.prefix(40)), name: "short") }
        var thirtyTwoBit = valid
        thirtyTwoBit[4] = 1
        #expect(throws: ELFRequirements.ReadError.self) { try ELFRequirements(thirtyTwoBit, name: "32-bit") }
        // Every truncation and every single corrupted byte either reads or throws.
        var outcomes = (read: 0, refused: 0)
        for length in 0..<valid.count {
            if (try? ELFRequirements(Data(valid.prefix(length)), name: "cut")) != nil { outcomes.read += 1 } else { outcomes.refused += 1 }
        }
        for index in 0..<valid.count {
            var corrupted = valid
            corrupted[index] ^= 0xFF
            if (try? ELFRequirements(corrupted, name: "corrupted")) != nil { outcomes.read += 1 } else { outcomes.refused += 1 }
        }
        #expect(outcomes.refused > valid.count)
    }
}

/// Writes small 64-bit little-endian ELF files: a header, a string table, a dynamic section
/// naming the libraries, and a `.gnu.version_r` with the versions each needs.
enum ELFWriter {
    static func executable(machine: UInt16, needs: [(library: String, versions: [String])]) -> Data {
        var strings: [UInt8] = [0]
        func string(_ text: String) -> UInt32 {
            let offset = UInt32(strings.count)
            strings += Array(text.utf8) + [0]
            return offset
        }
        var dynamic: [UInt8] = []
        var versionNeeds: [UInt8] = []
        for (index, need) in needs.enumerated() {
            let name = string(need.library)
            dynamic += le(UInt64(1)) + le(UInt64(name))
            let isLast = index == needs.count - 1
            versionNeeds += le(UInt16(1)) + le(UInt16(need.versions.count)) + le(name) + le(UInt32(16))
            versionNeeds += le(UInt32(isLast ? 0 : 16 + 16 * need.versions.count))
            for (position, version) in need.versions.enumerated() {
                versionNeeds += le(UInt32(0)) + le(UInt16(0)) + le(UInt16(2 + position)) + le(string(version))
                versionNeeds += le(UInt32(position == need.versions.count - 1 ? 0 : 16))
            }
        }
        dynamic += le(UInt64(0)) + le(UInt64(0))
        let stringsAt = 64, dynamicAt = stringsAt + strings.count, needsAt = dynamicAt + dynamic.count
        let sectionsAt = needsAt + versionNeeds.count
        var header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        header += le(UInt16(2)) + le(machine) + le(UInt32(1)) + le(UInt64(0)) + le(UInt64(0)) + le(UInt64(sectionsAt))
        header += le(UInt32(0)) + le(UInt16(64)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(64)) + le(UInt16(4)) + le(UInt16(1))
        func section(type: UInt32, offset: Int, size: Int, link: UInt32 = 0, info: UInt32 = 0) -> [UInt8] {
            le(UInt32(0)) + le(type) + le(UInt64(0)) + le(UInt64(0)) + le(UInt64(offset)) + le(UInt64(size)) + le(link) + le(info)
                + le(UInt64(8)) + le(UInt64(0))
        }
        let sections =
            section(type: 0, offset: 0, size: 0) + section(type: 3, offset: stringsAt, size: strings.count)
            + section(type: 6, offset: dynamicAt, size: dynamic.count, link: 1)
            + section(type: 0x6FFF_FFFE, offset: needsAt, size: versionNeeds.count, link: 1, info: UInt32(needs.count))
        return Data(header + strings + dynamic + versionNeeds + sections)
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
