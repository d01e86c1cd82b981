import FormworkYAML
import Foundation

/// The users `formwork simulate --users FILE` creates: a YAML or JSON list of
/// `{email, password, groups}` (and optionally `pool`, a user pool's logical ID).
struct SeedUsersFile {
    struct Entry {
        var email: String
        var password: String
        var groups: [String]
        var pool: String?
        /// `FILE:LINE:COLUMN` of the entry, for messages.
        var location: String
    }

    /// A problem in the file, with its place.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads the file; every problem is reported at once, each with its line.
    static func load(_ path: String) throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "\(path): cannot read the users file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let parsed: (node: YAMLNode, positions: [[String]: YAMLPosition])
        do {
            parsed = try YAMLParser.parseLocated(text)
        } catch let error as YAMLError {
            throw Problem(description: "\(path):\(error.line):\(error.column): error: \(error.message)")
        }
        func place(_ path: [String]) -> String {
            let position = parsed.positions[path] ?? parsed.positions[[]] ?? YAMLPosition(line: 1, column: 1)
            return "\(pathText):\(position.line):\(position.column)"
        }
        let pathText = path
        guard case .sequence(let items, _) = parsed.node else {
            throw Problem(description: "\(place([])): error: the users file must be a list of {email, password, groups}")
        }
        var entries: [Entry] = []
        var problems: [String] = []
        for (index, item) in items.enumerated() {
            let at = [String(index)]
            guard case .mapping(let pairs, _) = item else {
                problems.append("\(place(at)): error: each user must be a mapping with email, password and groups")
                continue
            }
            var fields: [String: YAMLNode] = [:]
            for pair in pairs {
                guard ["email", "password", "groups", "pool"].contains(pair.key) else {
                    problems.append("\(place(at + [pair.key])): error: unknown field '\(pair.key)'; expected email, password, groups or pool")
                    continue
                }
                fields[pair.key] = pair.value
            }
            func text(_ key: String) -> String? {
                if case .string(let value, _) = fields[key] { return value }
                return nil
            }
            guard let email = text("email"), !email.isEmpty else {
                problems.append("\(place(fields["email"] == nil ? at : at + ["email"])): error: 'email' must be a non-empty string")
                continue
            }
            guard let password = text("password") else {
                problems.append("\(place(fields["password"] == nil ? at : at + ["password"])): error: 'password' must be a string")
                continue
            }
            var groups: [String] = []
            switch fields["groups"] {
            case nil: break
            case .sequence(let names, _)?:
                for name in names {
                    if case .string(let value, _) = name {
                        groups.append(value)
                    } else {
                        problems.append("\(place(at + ["groups"])): error: 'groups' must be a list of group names")
                    }
                }
            default:
                problems.append("\(place(at + ["groups"])): error: 'groups' must be a list of group names")
            }
            entries.append(Entry(email: email, password: password, groups: groups, pool: text("pool"), location: place(at)))
        }
        if !problems.isEmpty { throw Problem(description: problems.joined(separator: "\n")) }
        return entries
    }
}
