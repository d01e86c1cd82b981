import CYAML

/// Writes ``YAMLNode`` trees as YAML text through libyaml.
public enum YAMLEmitter {
    /// Emits one document: block style, 2-space indent, no line folding (width unlimited),
    /// unicode on, no `---`/`...` markers, trailing newline. Deterministic (byte-identical
    /// for equal input).
    ///
    /// Throws ``YAMLError`` when a ``YAMLNode/number(_:tag:)`` is not a YAML 1.2 core
    /// number, a tag is empty or contains NUL, a mapping repeats a key, nesting is deeper
    /// than 256 levels, or libyaml rejects the events.
    public static func emit(_ node: YAMLNode) throws -> String {
        let placeholders = try SupplementaryPlaceholders(for: node)
        let sink = OutputSink()
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        defer { emitter.deallocate() }
        guard yaml_emitter_initialize(emitter) != 0 else {
            throw YAMLError(message: "could not initialize the YAML emitter")
        }
        defer { yaml_emitter_delete(emitter) }

        try withExtendedLifetime(sink) {
            yaml_emitter_set_output(emitter, writeToSink, Unmanaged.passUnretained(sink).toOpaque())
            yaml_emitter_set_unicode(emitter, 1)
            yaml_emitter_set_width(emitter, -1)
            yaml_emitter_set_indent(emitter, 2)
            yaml_emitter_set_break(emitter, YAML_LN_BREAK)

            let writer = EventWriter(emitter: emitter, placeholders: placeholders)
            try writer.send { yaml_stream_start_event_initialize($0, YAML_UTF8_ENCODING) }
            try writer.send { yaml_document_start_event_initialize($0, nil, nil, nil, 1) }
            try writer.write(node, depth: 0)
            try writer.send { yaml_document_end_event_initialize($0, 1) }
            try writer.send { yaml_stream_end_event_initialize($0) }
            guard yaml_emitter_flush(emitter) != 0 else { throw writer.emitterError() }
        }

        var text = String(decoding: sink.bytes, as: UTF8.self)
        // libyaml closes a document that ends in a `|+` block scalar with `...`. The output
        // holds a single document, so the marker is not needed for it to read back the same.
        if text.hasSuffix("\n...\n") {
            text.removeLast(4)
        }
        return placeholders.restore(text)
    }
}

/// Collects the bytes libyaml writes.
private final class OutputSink {
    var bytes: [UInt8] = []
}

/// The libyaml write handler; `data` is an unretained ``OutputSink``.
private func writeToSink(
    _ data: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ size: Int
) -> Int32 {
    guard let data else { return 0 }
    guard size > 0 else { return 1 }
    guard let buffer else { return 0 }
    let sink = Unmanaged<OutputSink>.fromOpaque(data).takeUnretainedValue()
    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
    return 1
}

/// Turns a node tree into libyaml events.
private struct EventWriter {
    let emitter: UnsafeMutablePointer<yaml_emitter_t>
    let placeholders: SupplementaryPlaceholders

    /// Creates one event with `initialize` and hands it to the emitter, which takes
    /// ownership of it (libyaml frees emitted events itself, also on failure).
    func send(_ initialize: (UnsafeMutablePointer<yaml_event_t>) -> Int32) throws {
        var event = yaml_event_t()
        guard initialize(&event) != 0 else {
            throw YAMLError(message: "could not create a YAML event")
        }
        guard yaml_emitter_emit(emitter, &event) != 0 else { throw emitterError() }
    }

    func emitterError() -> YAMLError {
        guard let problem = emitter.pointee.problem else {
            return YAMLError(message: "YAML emitter error")
        }
        return YAMLError(message: String(cString: problem))
    }

    func write(_ node: YAMLNode, depth: Int) throws {
        switch node {
        case .string(let text, let tag):
            let presentation = ScalarResolution.presentation(for: text, allowsBlock: true)
            try scalar(text, tag: tag, presentation: presentation)
        case .number(let text, let tag):
            guard ScalarResolution.isCoreNumber(text) else {
                throw YAMLError(message: "'\(text)' is not a YAML number")
            }
            try scalar(text, tag: tag, presentation: .plain)
        case .bool(let value, let tag):
            try scalar(value ? "true" : "false", tag: tag, presentation: .plain)
        case .null:
            try scalar("null", tag: nil, presentation: .plain)
        case .sequence(let items, let tag):
            try checkDepth(depth)
            try withTag(tag) { tagPointer in
                try send {
                    yaml_sequence_start_event_initialize(
                        $0, nil, tagPointer, tagPointer == nil ? 1 : 0, YAML_BLOCK_SEQUENCE_STYLE)
                }
            }
            for item in items {
                try write(item, depth: depth + 1)
            }
            try send { yaml_sequence_end_event_initialize($0) }
        case .mapping(let pairs, let tag):
            try checkDepth(depth)
            try withTag(tag) { tagPointer in
                try send {
                    yaml_mapping_start_event_initialize(
                        $0, nil, tagPointer, tagPointer == nil ? 1 : 0, YAML_BLOCK_MAPPING_STYLE)
                }
            }
            var seen = Set<String>()
            for pair in pairs {
                guard seen.insert(pair.key).inserted else {
                    throw YAMLError(message: "duplicate mapping key '\(pair.key)'")
                }
                let presentation = ScalarResolution.presentation(for: pair.key, allowsBlock: false)
                try scalar(pair.key, tag: nil, presentation: presentation)
                try write(pair.value, depth: depth + 1)
            }
            try send { yaml_mapping_end_event_initialize($0) }
        }
    }

    private func checkDepth(_ depth: Int) throws {
        guard depth < maximumYAMLDepth else {
            throw YAMLError(message: "YAML nesting is deeper than \(maximumYAMLDepth) levels")
        }
    }

    private func scalar(_ text: String, tag: String?, presentation: ScalarPresentation) throws {
        let style: yaml_scalar_style_t
        switch presentation {
        case .plain: style = YAML_PLAIN_SCALAR_STYLE
        case .singleQuoted: style = YAML_SINGLE_QUOTED_SCALAR_STYLE
        case .doubleQuoted: style = YAML_DOUBLE_QUOTED_SCALAR_STYLE
        case .literal: style = YAML_LITERAL_SCALAR_STYLE
        }
        // NUL-terminated so the pointer is never nil, even for an empty string.
        var value = Array(placeholders.apply(to: text).utf8)
        guard let length = Int32(exactly: value.count) else {
            throw YAMLError(message: "scalar is too long to emit")
        }
        value.append(0)
        try withTag(tag) { tagPointer in
            let implicit: Int32 = tagPointer == nil ? 1 : 0
            try value.withUnsafeBufferPointer { buffer in
                try send {
                    yaml_scalar_event_initialize(
                        $0, nil, tagPointer, buffer.baseAddress, length, implicit, implicit, style)
                }
            }
        }
    }

    /// Calls `body` with the NUL-terminated tag, or nil when there is none. A tag written
    /// with the `!!` shorthand is expanded to its `tag:yaml.org,2002:` form.
    private func withTag(_ tag: String?, _ body: (UnsafePointer<UInt8>?) throws -> Void) throws {
        guard var tag else {
            try body(nil)
            return
        }
        if tag.hasPrefix("!!") {
            tag = standardTagPrefix + tag.dropFirst(2)
        }
        guard !tag.isEmpty, !tag.utf8.contains(0) else {
            throw YAMLError(message: "invalid YAML tag '\(tag)'")
        }
        let bytes = Array(tag.utf8) + [0]
        try bytes.withUnsafeBufferPointer { buffer in
            try body(buffer.baseAddress)
        }
    }
}

/// libyaml 0.2.5 only writes characters of the Basic Multilingual Plane as they are; it
/// escapes others (emoji, for example) as `\U0001F600` and forces double quotes around
/// them. To keep such text readable, each distinct character outside the BMP is handed to
/// libyaml as a private-use character that appears nowhere in the document, and swapped
/// back in the finished text. Both kinds of character are printable, non-space and
/// non-break, so libyaml lays the document out the same way.
private struct SupplementaryPlaceholders {
    private var toPlaceholder: [Unicode.Scalar: Unicode.Scalar] = [:]
    private var toOriginal: [Unicode.Scalar: Unicode.Scalar] = [:]

    private static let privateUse: ClosedRange<UInt32> = 0xE000...0xF8FF

    init(for node: YAMLNode) throws {
        var originals: [Unicode.Scalar] = []
        var seenOriginals = Set<Unicode.Scalar>()
        var usedPrivate = Set<UInt32>()
        func collect(_ text: String) {
            for scalar in text.unicodeScalars {
                if scalar.value >= 0x10000 {
                    if seenOriginals.insert(scalar).inserted { originals.append(scalar) }
                } else if Self.privateUse.contains(scalar.value) {
                    usedPrivate.insert(scalar.value)
                }
            }
        }
        func walk(_ node: YAMLNode, depth: Int) throws {
            guard depth <= maximumYAMLDepth else {
                throw YAMLError(message: "YAML nesting is deeper than \(maximumYAMLDepth) levels")
            }
            switch node {
            case .string(let text, let tag), .number(let text, let tag):
                collect(text)
                if let tag { collect(tag) }
            case .bool(_, let tag):
                if let tag { collect(tag) }
            case .null:
                break
            case .sequence(let items, let tag):
                if let tag { collect(tag) }
                for item in items { try walk(item, depth: depth + 1) }
            case .mapping(let pairs, let tag):
                if let tag { collect(tag) }
                for pair in pairs {
                    collect(pair.key)
                    try walk(pair.value, depth: depth + 1)
                }
            }
        }
        try walk(node, depth: 0)
        guard !originals.isEmpty else { return }

        var candidate = Self.privateUse.lowerBound
        for original in originals {
            while candidate <= Self.privateUse.upperBound && usedPrivate.contains(candidate) {
                candidate += 1
            }
            // When the private-use area runs out, the rest keep libyaml's escapes.
            guard candidate <= Self.privateUse.upperBound, let placeholder = Unicode.Scalar(candidate) else {
                break
            }
            toPlaceholder[original] = placeholder
            toOriginal[placeholder] = original
            candidate += 1
        }
    }

    func apply(to text: String) -> String {
        guard !toPlaceholder.isEmpty else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(toPlaceholder[scalar] ?? scalar)
        }
        return String(result)
    }

    func restore(_ text: String) -> String {
        guard !toOriginal.isEmpty else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(toOriginal[scalar] ?? scalar)
        }
        return String(result)
    }
}
