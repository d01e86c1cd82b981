extension Architecture {
    /// Every problem in the architecture, in reading order: each resource's own settings,
    /// logical IDs, duplicates, dangling references and tags. Nothing stops at the first problem.
    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var firstDeclaration: [String: any Resource] = [:]
        for resource in resources {
            if !NameRules.isValidLogicalID(resource.name) {
                problems.append(
                    .error("logical ID '\(resource.name)' of \(resource.id.kind.rawValue) must be 1 to 255 letters and digits", at: resource.location))
            }
            if let earlier = firstDeclaration[resource.name] {
                problems.append(
                    .error(
                        "duplicate logical ID '\(resource.name)': \(resource.id.kind.rawValue) and \(earlier.id.kind.rawValue) share it", at: resource.location,
                        notes: [.init("'\(resource.name)' first declared here", at: earlier.location)]))
            } else {
                firstDeclaration[resource.name] = resource
            }
            problems += resource.validate()
        }
        let listed = Set(resources.map(\.id))
        for resource in resources {
            for reference in resource.references where !listed.contains(reference.target) {
                problems.append(
                    .error(
                        "\(resource.id) refers to \(reference.target) (\(reference.purpose)), which is not part of architecture '\(name)'; list it in the architecture",
                        at: reference.location, notes: [.init("\(reference.target) declared here", at: reference.targetLocation)]))
            }
        }
        problems += validateTags()
        problems += validateIndexNames()
        problems += validateDeadLetterQueues()
        return problems.sortedByLocation
    }

    /// Every index a function names (in a grant or an environment variable) is one its table declares.
    private func validateIndexNames() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for function in resources(of: Function.self) {
            for index in function.grants.compactMap(\.index) + function.environment.compactMap(\.index) {
                guard let table = resolve(index.table, as: Table.self), !table.indexes.contains(where: { $0.name == index.name }) else { continue }
                let declared = table.indexes.map(\.name)
                problems.append(
                    .error(
                        "table '\(table.name)' has no index '\(index.name)'"
                            + (declared.isEmpty ? "; it declares none" : " (it declares \(declared.joined(separator: ", ")))"),
                        at: index.location, notes: [.init("'\(table.name)' declared here", at: table.location)]))
            }
        }
        return problems
    }

    private func validateTags() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if tags.count > 49 {
            problems.append(.error("architecture '\(name)' sets \(tags.count) tags; AWS allows 50 per resource, and Formwork adds Environment", at: location))
        }
        for tag in tags {
            if tag.key.isEmpty || tag.key.count > 127 || tag.key.lowercased().hasPrefix("aws:") {
                problems.append(.error("tag key '\(tag.key)' must be 1 to 127 characters and must not start with 'aws:'", at: location))
            }
            if tag.value.count > 255 {
                problems.append(.error("tag '\(tag.key)' has a value longer than 255 characters", at: location))
            }
        }
        return problems
    }
}
