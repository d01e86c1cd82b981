/// A problem found in a blueprint, tied to the place that caused it.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    /// How serious the problem is; errors make `validate` and `synth` fail.
    public var severity: Severity
    /// What is wrong, in a sentence that names the resource.
    public var message: String
    /// Where the problem was written, if known.
    public var location: SourceLocation?
    /// Related places, such as the declaration a dangling reference points to.
    public var notes: [Note]

    /// A secondary location that helps explain a diagnostic.
    public struct Note: Sendable, Hashable {
        /// What the place is.
        public var message: String
        /// Where it is.
        public var location: SourceLocation
        /// Creates a note.
        public init(_ message: String, at location: SourceLocation) {
            self.message = message
            self.location = location
        }
    }

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ message: String, at location: SourceLocation?, notes: [Note] = []) {
        self.severity = severity
        self.message = message
        self.location = location
        self.notes = notes
    }

    /// An error at a location.
    public static func error(_ message: String, at location: SourceLocation?, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.error, message, at: location, notes: notes)
    }

    /// A warning at a location.
    public static func warning(_ message: String, at location: SourceLocation?, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.warning, message, at: location, notes: notes)
    }

    /// Compiler-style text: `file:line:column: error: message`, then one line per note.
    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += "\(severity.rawValue): \(message)"
        for note in notes { text += "\n\(note.location): note: \(note.message)" }
        return text
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Diagnostics in reading order: by file, line and column, then by message.
    public var sortedByLocation: [Diagnostic] {
        sorted { a, b in
            let la = a.location, lb = b.location
            if la?.fileID != lb?.fileID { return (la?.fileID ?? "") < (lb?.fileID ?? "") }
            if la?.line != lb?.line { return (la?.line ?? 0) < (lb?.line ?? 0) }
            if la?.column != lb?.column { return (la?.column ?? 0) < (lb?.column ?? 0) }
            return a.message < b.message
        }
    }
}
