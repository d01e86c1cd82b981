import CYAML

/// Reads YAML text into ``YAMLNode`` trees through libyaml.
public enum YAMLParser {
    /// Parses one document (empty input -> `.null`).
    ///
    /// Plain scalars resolve by the YAML 1.2 core schema: `true`/`false` (also `True`,
    /// `TRUE`, ...) -> `.bool`, `null`/`~`/empty -> `.null`, ints and floats -> `.number`
    /// (text kept as written), everything else -> `.string`. Quoted and block scalars are
    /// always `.string`.
    ///
    /// Tags are kept (`!Ref` etc.). A plain scalar with a local tag resolves the same way and
    /// keeps the tag (`!Foo 42` -> `.number("42", tag: "!Foo")`); one that would be null
    /// stays a tagged string (`!GetAZs` -> `.string("", tag: "!GetAZs")`). The standard tags
    /// `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq`, `!!map` become the matching
    /// case without a tag when the content fits; other tags are kept in full
    /// (`!!binary` -> `"tag:yaml.org,2002:binary"`).
    ///
    /// Aliases resolve to a copy of the anchored node. Merge keys (`<<`) are not applied;
    /// `<<` stays an ordinary key.
    ///
    /// Throws ``YAMLError`` (with a 1-based line and column) for syntax errors, for a stream
    /// holding more than one document, duplicate mapping keys, keys that are not scalars,
    /// keys with a local tag, unknown aliases, nesting deeper than 256 levels, and aliases
    /// that expand to more than a million nodes.
    public static func parse(_ text: String) throws -> YAMLNode {
        try parseLocated(text).node
    }

    /// Parses one document like ``parse(_:)`` and also returns where each node starts, by its
    /// path from the root (sequence indexes as decimal text, mapping keys as written), so a
    /// reader can point at the line of a value it rejects.
    public static func parseLocated(_ text: String) throws -> (node: YAMLNode, positions: [[String]: YAMLPosition]) {
        // NUL-terminated so the pointer is never nil, even for empty input.
        var input = Array(text.utf8)
        let length = input.count
        input.append(0)

        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            throw YAMLError(message: "could not initialize the YAML parser")
        }
        defer { yaml_parser_delete(parser) }

        return try input.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, length)
            var reader = EventReader(parser: parser, input: UnsafeBufferPointer(rebasing: buffer[..<length]))
            let node = try reader.readStream()
            return (node, reader.positions)
        }
    }
}

/// Where a node starts in the text: 1-based line and column.
public struct YAMLPosition: Sendable, Equatable {
    /// The 1-based line.
    public var line: Int
    /// The 1-based column.
    public var column: Int

    /// A position.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// The parts of one libyaml event the reader needs, copied out of C memory.
private struct ParsedEvent {
    var type: yaml_event_type_t
    var value = ""
    var tag: String?
    var anchor: String?
    var style = YAML_ANY_SCALAR_STYLE
    var line: Int
    var column: Int
}

/// A node that an anchor names, kept for later aliases.
private struct AnchoredNode {
    var node: YAMLNode
    /// The number of nodes in `node`, counted against the alias expansion limit.
    var size: Int
    /// The scalar text when the node can serve as a mapping key.
    var keyText: String?
}

/// Builds nodes from libyaml's event stream.
private struct EventReader {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    /// The parsed bytes, for placing reader errors that libyaml reports as byte offsets.
    let input: UnsafeBufferPointer<UInt8>
    private var anchors: [String: AnchoredNode] = [:]
    private var expandedNodes = 0
    /// Where each node read so far starts, by path.
    private(set) var positions: [[String]: YAMLPosition] = [:]
    private var path: [String] = []

    private static let maximumExpandedNodes = 1_000_000

    init(parser: UnsafeMutablePointer<yaml_parser_t>, input: UnsafeBufferPointer<UInt8>) {
        self.parser = parser
        self.input = input
    }

    mutating func readStream() throws -> YAMLNode {
        let start = try next()
        guard start.type == YAML_STREAM_START_EVENT else { throw unexpected(start) }
        let documentStart = try next()
        if documentStart.type == YAML_STREAM_END_EVENT { return .null }
        guard documentStart.type == YAML_DOCUMENT_START_EVENT else { throw unexpected(documentStart) }

        let root = try readNode(try next(), depth: 0).node

        let documentEnd = try next()
        guard documentEnd.type == YAML_DOCUMENT_END_EVENT else { throw unexpected(documentEnd) }
        let after = try next()
        if after.type == YAML_DOCUMENT_START_EVENT {
            throw YAMLError(
                message: "the stream holds more than one document; only one is supported",
                line: after.line, column: after.column)
        }
        guard after.type == YAML_STREAM_END_EVENT else { throw unexpected(after) }
        return root
    }

    // MARK: - Nodes

    private mutating func readNode(_ event: ParsedEvent, depth: Int) throws -> AnchoredNode {
        positions[path] = YAMLPosition(line: event.line, column: event.column)
        let result: AnchoredNode
        switch event.type {
        case YAML_SCALAR_EVENT:
            result = AnchoredNode(node: scalarNode(event), size: 1, keyText: keyText(of: event))
        case YAML_ALIAS_EVENT:
            return try resolveAlias(event)
        case YAML_SEQUENCE_START_EVENT:
            try checkDepth(depth, event)
            var items: [YAMLNode] = []
            var size = 1
            while true {
                let itemEvent = try next()
                if itemEvent.type == YAML_SEQUENCE_END_EVENT { break }
                path.append(String(items.count))
                defer { path.removeLast() }
                let item = try readNode(itemEvent, depth: depth + 1)
                items.append(item.node)
                size += item.size
            }
            let tag = collectionTag(event.tag, standard: "seq")
            result = AnchoredNode(node: .sequence(items, tag: tag), size: size, keyText: nil)
        case YAML_MAPPING_START_EVENT:
            try checkDepth(depth, event)
            var pairs: [YAMLPair] = []
            var seen = Set<String>()
            var size = 1
            while true {
                let keyEvent = try next()
                if keyEvent.type == YAML_MAPPING_END_EVENT { break }
                let key = try readKey(keyEvent)
                guard seen.insert(key).inserted else {
                    throw YAMLError(
                        message: "duplicate mapping key '\(key)'", line: keyEvent.line, column: keyEvent.column)
                }
                path.append(key)
                defer { path.removeLast() }
                let value = try readNode(try next(), depth: depth + 1)
                pairs.append(YAMLPair(key, value.node))
                size += 1 + value.size
            }
            let tag = collectionTag(event.tag, standard: "map")
            result = AnchoredNode(node: .mapping(pairs, tag: tag), size: size, keyText: nil)
        default:
            throw unexpected(event)
        }
        if let anchor = event.anchor {
            anchors[anchor] = result
        }
        return result
    }

    private mutating func readKey(_ event: ParsedEvent) throws -> String {
        switch event.type {
        case YAML_SCALAR_EVENT:
            guard let text = keyText(of: event) else {
                throw YAMLError(
                    message: "mapping keys with the tag '\(event.tag ?? "")' are not supported",
                    line: event.line, column: event.column)
            }
            if let anchor = event.anchor {
                anchors[anchor] = AnchoredNode(node: scalarNode(event), size: 1, keyText: text)
            }
            return text
        case YAML_ALIAS_EVENT:
            guard let text = try resolveAlias(event).keyText else {
                throw YAMLError(
                    message: "mapping keys must be untagged scalars", line: event.line, column: event.column)
            }
            return text
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            throw YAMLError(message: "mapping keys must be scalars", line: event.line, column: event.column)
        default:
            throw unexpected(event)
        }
    }

    private mutating func resolveAlias(_ event: ParsedEvent) throws -> AnchoredNode {
        let name = event.anchor ?? ""
        guard let anchored = anchors[name] else {
            throw YAMLError(message: "unknown alias '*\(name)'", line: event.line, column: event.column)
        }
        expandedNodes += anchored.size
        guard expandedNodes <= Self.maximumExpandedNodes else {
            throw YAMLError(
                message: "aliases expand to more than \(Self.maximumExpandedNodes) nodes",
                line: event.line, column: event.column)
        }
        return anchored
    }

    /// The text a scalar contributes as a mapping key, or nil when it carries a tag other
    /// than a standard one.
    private func keyText(of event: ParsedEvent) -> String? {
        guard let tag = event.tag, tag != "!" else { return event.value }
        return tag.hasPrefix(standardTagPrefix) ? event.value : nil
    }

    private func scalarNode(_ event: ParsedEvent) -> YAMLNode {
        let text = event.value
        let isPlain = event.style == YAML_PLAIN_SCALAR_STYLE
        guard let tag = event.tag, tag != "!" else {
            // No tag: plain scalars resolve. The non-specific `!` makes any scalar a string.
            guard isPlain, event.tag == nil else { return .string(text) }
            switch ScalarResolution.coreMeaning(of: text) {
            case .null: return .null
            case .bool(let value): return .bool(value)
            case .number: return .number(text)
            case .string: return .string(text)
            }
        }
        if tag.hasPrefix(standardTagPrefix) {
            switch tag.dropFirst(standardTagPrefix.count) {
            case "str":
                return .string(text)
            case "null":
                if ScalarResolution.nullWords.contains(text) { return .null }
            case "bool":
                if case .bool(let value) = ScalarResolution.coreMeaning(of: text) { return .bool(value) }
            case "int", "float":
                if ScalarResolution.isCoreNumber(text) { return .number(text) }
            default:
                break
            }
            return .string(text, tag: tag)
        }
        guard isPlain else { return .string(text, tag: tag) }
        switch ScalarResolution.coreMeaning(of: text) {
        case .bool(let value): return .bool(value, tag: tag)
        case .number: return .number(text, tag: tag)
        case .null, .string: return .string(text, tag: tag)
        }
    }

    /// Drops the non-specific `!` and the standard tag that matches the collection kind.
    private func collectionTag(_ tag: String?, standard: String) -> String? {
        guard let tag, tag != "!", tag != standardTagPrefix + standard else { return nil }
        return tag
    }

    private func checkDepth(_ depth: Int, _ event: ParsedEvent) throws {
        guard depth < maximumYAMLDepth else {
            throw YAMLError(
                message: "YAML nesting is deeper than \(maximumYAMLDepth) levels",
                line: event.line, column: event.column)
        }
    }

    // MARK: - Events

    private func next() throws -> ParsedEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) != 0 else { throw parserError() }
        defer { yaml_event_delete(&event) }

        var parsed = ParsedEvent(
            type: event.type,
            line: Int(event.start_mark.line) + 1,
            column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            if let value = scalar.value {
                parsed.value = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
            }
            parsed.tag = scalar.tag.map { String(cString: $0) }
            parsed.anchor = scalar.anchor.map { String(cString: $0) }
            parsed.style = scalar.style
        case YAML_ALIAS_EVENT:
            parsed.anchor = event.data.alias.anchor.map { String(cString: $0) }
        case YAML_SEQUENCE_START_EVENT:
            parsed.tag = event.data.sequence_start.tag.map { String(cString: $0) }
            parsed.anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
        case YAML_MAPPING_START_EVENT:
            parsed.tag = event.data.mapping_start.tag.map { String(cString: $0) }
            parsed.anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
        default:
            break
        }
        return parsed
    }

    private func parserError() -> YAMLError {
        let state = parser.pointee
        var message = state.problem.map { String(cString: $0) } ?? "invalid YAML"
        if let context = state.context {
            message = "\(String(cString: context)): \(message)"
        }
        switch state.error {
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            return YAMLError(
                message: message,
                line: Int(state.problem_mark.line) + 1,
                column: Int(state.problem_mark.column) + 1)
        case YAML_READER_ERROR:
            let (line, column) = position(ofByte: Int(state.problem_offset))
            return YAMLError(message: message, line: line, column: column)
        default:
            return YAMLError(message: message)
        }
    }

    /// The 1-based line and column (in characters) of a byte offset into the input.
    private func position(ofByte offset: Int) -> (line: Int, column: Int) {
        guard offset >= 0, offset <= input.count else { return (0, 0) }
        var line = 1
        var column = 1
        for byte in input[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    private func unexpected(_ event: ParsedEvent) -> YAMLError {
        YAMLError(
            message: "unexpected YAML event \(event.type.rawValue)", line: event.line, column: event.column)
    }
}
