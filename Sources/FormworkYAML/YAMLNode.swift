/// A YAML document tree whose mappings keep their key order.
///
/// Tags are local tags such as `"!Ref"` or `"!GetAtt"`, or full standard tags such as
/// `"tag:yaml.org,2002:binary"` (a tag written `"!!binary"` is read as that full form).
public indirect enum YAMLNode: Sendable, Equatable {
    /// A string. Emitted plain when that reads back as the same string; single-quoted when a
    /// plain scalar would read as a bool, number, date/timestamp, null, or otherwise change
    /// meaning under YAML 1.1 or the YAML 1.2 core schema; multi-line strings as literal
    /// block scalars (`|`, `|-`, `|+`) when that reads back byte-identical, otherwise
    /// double-quoted. Strings with control characters are double-quoted. Non-ASCII text is
    /// written as UTF-8, not escaped.
    case string(String, tag: String? = nil)
    /// A number, written exactly as given (e.g. `"42"`, `"3.5"`), plain, never quoted.
    /// The text must be an int or float of the YAML 1.2 core schema, or emitting throws.
    case number(String, tag: String? = nil)
    /// A boolean, written `true` or `false`.
    case bool(Bool, tag: String? = nil)
    /// A null, written `null`.
    case null
    /// A sequence, written in block style (`[]` when empty).
    case sequence([YAMLNode], tag: String? = nil)
    /// A mapping whose keys keep their order, written in block style (`{}` when empty).
    case mapping([YAMLPair], tag: String? = nil)
}

/// One key and value of a ``YAMLNode/mapping(_:tag:)``.
public struct YAMLPair: Sendable, Equatable {
    /// The key, always a string.
    public var key: String
    /// The value.
    public var value: YAMLNode

    /// Creates a pair from a key and its value.
    public init(_ key: String, _ value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// An error from emitting or parsing YAML.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// The 1-based line of the problem in the parsed text, or 0 when unknown.
    public var line: Int
    /// The 1-based column of the problem in the parsed text, or 0 when unknown.
    public var column: Int

    /// Creates an error; `line` and `column` are 1-based, 0 when unknown.
    public init(message: String, line: Int = 0, column: Int = 0) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// The message, prefixed with the position when it is known.
    public var description: String {
        guard line > 0 else { return message }
        return column > 0 ? "line \(line), column \(column): \(message)" : "line \(line): \(message)"
    }
}

/// The deepest nesting of sequences and mappings the emitter and parser accept.
let maximumYAMLDepth = 256

/// The prefix of the standard YAML tags (`!!str` is `tag:yaml.org,2002:str`).
let standardTagPrefix = "tag:yaml.org,2002:"
