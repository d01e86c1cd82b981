import Foundation

/// Where in a blueprint a resource, modifier or reference was written.
///
/// Every DSL initializer and modifier captures its call site, so diagnostics can point at the
/// exact line: `blueprints/TaskManagement.swift:42:9: error: ...`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The module-qualified file name, as `#fileID` gives it (`Blueprints/TaskManagement.swift`).
    public var fileID: String
    /// The full path of the file, as `#filePath` gives it.
    public var filePath: String
    /// The 1-based line.
    public var line: Int
    /// The 1-based column.
    public var column: Int

    /// Captures the caller's location.
    public init(fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) {
        self.fileID = fileID
        self.filePath = filePath
        self.line = line
        self.column = column
    }

    /// The file's path relative to `directory` when the file lies below it, otherwise the file ID.
    public func displayPath(relativeTo directory: String = FileManager.default.currentDirectoryPath) -> String {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        if filePath.hasPrefix(base) { return String(filePath.dropFirst(base.count)) }
        return fileID
    }

    /// `path:line:column`, with the path relative to the current directory where possible.
    public var description: String { "\(displayPath()):\(line):\(column)" }
}
