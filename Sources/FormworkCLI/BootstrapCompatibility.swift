import Formwork
import Foundation

/// What a Linux executable asks of the system that loads it, read from its ELF headers: the
/// CPU it was built for, the shared libraries it needs, and the symbol versions it needs from
/// each (`.gnu.version_r`, what `readelf -V` lists). A statically linked executable needs none.
public struct ELFRequirements: Sendable {
    /// Why a file could not be read as a 64-bit little-endian ELF executable.
    public struct ReadError: Error, CustomStringConvertible, Equatable {
        /// What is wrong, for the user.
        public var description: String
    }

    /// The CPU architecture (`e_machine`), when it is one Lambda runs.
    public var architecture: CPUArchitecture?
    /// The `e_machine` number, for messages about other CPUs.
    public var machine: UInt16
    /// The shared libraries it names (`DT_NEEDED`), in file order.
    public var libraries: [String]
    /// The symbol versions it needs, per library, in file order (`GLIBC_2.34` from `libc.so.6`).
    public var versions: [(library: String, version: String)]

    /// Reads the executable at `url`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw ReadError(description: "\(url.path) cannot be read") }
        try self.init(data, name: url.path)
    }

    /// Reads an executable's bytes; `name` is used in errors.
    public init(_ data: Data, name: String) throws {
        let file = ByteReader(bytes: [UInt8](data), name: name)
        guard data.count >= 64, file.bytes[0..<4] == [0x7F, 0x45, 0x4C, 0x46] else {
            throw ReadError(description: "\(name) is not an ELF executable")
        }
        guard file.bytes[4] == 2, file.bytes[5] == 1 else {
            throw ReadError(description: "\(name) is not a 64-bit little-endian ELF executable, which Lambda runs")
        }
        machine = try file.u16(18)
        architecture = [62: .x86_64, 183: .arm64][machine]
        let sectionsAt = try file.u64(0x28)
        let sectionSize = Int(try file.u16(0x3A))
        let sectionCount = Int(try file.u16(0x3C))
        guard sectionCount == 0 || sectionSize >= 64 else { throw ReadError(description: "\(name) has malformed section headers") }
        let sections = try (0..<sectionCount).map { index in
            try Section(file, at: try file.sum(sectionsAt, UInt64(index * sectionSize)))
        }
        func strings(of section: Section) throws -> Section {
            guard Int(section.link) < sections.count else { throw ReadError(description: "\(name) has a section naming no string table") }
            return sections[Int(section.link)]
        }
        libraries = []
        for dynamic in sections where dynamic.type == 6 {  // SHT_DYNAMIC
            let table = try strings(of: dynamic)
            for entry in stride(from: 0, to: dynamic.size, by: 16) {
                let at = try file.sum(dynamic.offset, entry)
                let tag = try file.u64(at)
                if tag == 0 { break }
                if tag == 1 { libraries.append(try file.string(in: table, at: try file.u64(try file.sum(at, 8)))) }  // DT_NEEDED
            }
        }
        versions = []
        for needs in sections where needs.type == 0x6FFF_FFFE {  // SHT_GNU_verneed
            let table = try strings(of: needs)
            var entry = needs.offset
            for _ in 0..<needs.info {
                let library = try file.string(in: table, at: UInt64(try file.u32(try file.sum(entry, 4))))
                var auxiliary = try file.sum(entry, UInt64(try file.u32(try file.sum(entry, 8))))
                for _ in 0..<(try file.u16(try file.sum(entry, 2))) {
                    versions.append((library, try file.string(in: table, at: UInt64(try file.u32(try file.sum(auxiliary, 8))))))
                    let next = try file.u32(try file.sum(auxiliary, 12))
                    if next == 0 { break }
                    auxiliary = try file.sum(auxiliary, UInt64(next))
                }
                let next = try file.u32(try file.sum(entry, 12))
                if next == 0 { break }
                entry = try file.sum(entry, UInt64(next))
            }
        }
    }

    private struct Section {
        var type: UInt32, offset: UInt64, size: UInt64, link: UInt32, info: UInt32

        init(_ file: ByteReader, at header: UInt64) throws {
            type = try file.u32(try file.sum(header, 4))
            offset = try file.u64(try file.sum(header, 24))
            size = try file.u64(try file.sum(header, 32))
            link = try file.u32(try file.sum(header, 40))
            info = try file.u32(try file.sum(header, 44))
        }
    }

    private struct ByteReader {
        let bytes: [UInt8]
        let name: String

        var malformed: ReadError { ReadError(description: "\(name) is truncated or malformed (an offset points past its end)") }

        /// An offset plus a distance; past any file's end when it overflows.
        func sum(_ offset: UInt64, _ distance: UInt64) throws -> UInt64 {
            let (total, overflow) = offset.addingReportingOverflow(distance)
            if overflow { throw malformed }
            return total
        }

        func range(_ at: UInt64, _ count: Int) throws -> Range<Int> {
            guard at <= UInt64(bytes.count), Int(at) + count <= bytes.count else { throw malformed }
            return Int(at)..<Int(at) + count
        }

        func u16(_ at: UInt64) throws -> UInt16 {
            let r = try range(at, 2)
            return UInt16(bytes[r.lowerBound]) | UInt16(bytes[r.lowerBound + 1]) << 8
        }

        func u32(_ at: UInt64) throws -> UInt32 {
            try bytes[range(at, 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }

        func u64(_ at: UInt64) throws -> UInt64 {
            try bytes[range(at, 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }

        func string(in table: Section, at offset: UInt64) throws -> String {
            guard offset < table.size else { throw ReadError(description: "\(name) names a string outside its string table") }
            let at = try sum(table.offset, offset)
            guard at < UInt64(bytes.count) else { throw malformed }
            let start = Int(at)
            let end = bytes[start...].firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }
}

/// The newest symbol versions a Lambda runtime's system libraries provide. An executable that
/// needs a newer one stops at start with `version 'GLIBC_2.35' not found`, before any of its code runs.
public struct LambdaRuntimeLibraries: Sendable {
    /// The runtime's identifier, as a function's `Runtime` names it.
    public var runtime: String
    /// The newest version per prefix: glibc, libstdc++ and its ABI.
    public var newest: [String: [Int]]
    /// The shared libraries the runtime ships that a Swift executable may load.
    public var libraries: Set<String>

    /// `provided.al2023` (``Function/runtime``): Amazon Linux 2023, glibc 2.34 and GCC 11's libstdc++.
    public static let providedAL2023 = LambdaRuntimeLibraries(
        runtime: Function.runtime, newest: ["GLIBC": [2, 34], "GLIBCXX": [3, 4, 29], "CXXABI": [1, 3, 13]],
        libraries: [
            "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1", "libresolv.so.2", "libstdc++.so.6",
            "libgcc_s.so.1", "libz.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
        ])

    /// What `requirements` needs that this runtime lacks: shared libraries it does not ship
    /// (`libxml2.so.2`), then the newest too-new version per prefix (`GLIBC_2.35 (libc.so.6)`);
    /// empty when it starts.
    public func missing(in requirements: ELFRequirements) -> [String] {
        let absent = requirements.libraries.filter { !libraries.contains($0) }
        var newestNeeded: [String: (version: [Int], text: String)] = [:]
        for (library, version) in requirements.versions {
            guard let separator = version.lastIndex(of: "_") else { continue }
            let prefix = String(version[..<separator])
            let numbers = version[version.index(after: separator)...].split(separator: ".").compactMap { Int($0) }
            guard let ceiling = newest[prefix], numbers.lexicographicallyPrecedes(ceiling) == false, numbers != ceiling else { continue }
            if let known = newestNeeded[prefix], !known.version.lexicographicallyPrecedes(numbers) { continue }
            newestNeeded[prefix] = (numbers, "\(version) (\(library))")
        }
        return absent + newestNeeded.keys.sorted().compactMap { newestNeeded[$0]?.text }
    }

    /// What this runtime provides, for messages: `glibc 2.34, GLIBCXX 3.4.29, CXXABI 1.3.13`.
    public var summary: String {
        newest.sorted { ($0.key == "GLIBC" ? "" : $0.key) < ($1.key == "GLIBC" ? "" : $1.key) }.map { prefix, version in
            "\(prefix == "GLIBC" ? "glibc" : prefix) \(version.map(String.init).joined(separator: "."))"
        }.joined(separator: ", ")
    }
}
