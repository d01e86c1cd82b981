import Formwork
import FormworkTemplate

extension TemplateDiff {
    /// Folds the diff of two SAM expansions into the diff of the SAM templates: generated
    /// resources join as their own changes (a removal and a creation SAM names anew become one
    /// replacement), and what the expansion adds to a resource the SAM diff already has (a
    /// setting from Globals, an `A.Stage` reference that now names another stage) joins its changes.
    static func merging(
        _ expanded: [ResourceChange], into direct: [ResourceChange], before: SAMExpansion, after: SAMExpansion,
        locations: [String: SourceLocation]
    ) -> [ResourceChange] {
        var result = direct
        var removedByOrigin: [SAMExpansion.Origin: ResourceChange] = [:]
        for change in expanded where change.kind == .removed {
            if let origin = before.origins[change.logicalID] { removedByOrigin[origin] = change }
        }
        var paired = Set<String>()
        for change in expanded where change.kind == .added {
            if let origin = after.origins[change.logicalID], let removed = removedByOrigin[origin] { paired.insert(removed.logicalID) }
        }

        for var change in expanded where !paired.contains(change.logicalID) {
            if let origin = after.origins[change.logicalID] ?? before.origins[change.logicalID] {
                change.generatedBy = origin.source
                change.location = locations[origin.source]
                if change.kind == .added, let removed = removedByOrigin[origin] {
                    change.kind = .modified
                    change.impact = .replacement
                    change.replacesLogicalID = removed.logicalID
                    change.looksRenamedFrom = nil
                    change.data = removed.data
                    change.notes.append(renameNote(origin, old: removed.logicalID, new: change.logicalID, before: before, after: after))
                }
                result.append(change)
                continue
            }
            let index =
                result.firstIndex { $0.logicalID == change.logicalID }
                ?? {
                    result.append(
                        ResourceChange(
                            logicalID: change.logicalID, kind: change.kind, type: change.type, oldType: change.oldType, changes: [],
                            impact: change.impact, data: change.data, location: change.location))
                    return result.count - 1
                }()
            for property in change.changes {
                let folded = self.folded(property, of: change, before: before, after: after)
                if !result[index].changes.contains(where: { $0.change.path == folded.change.path }) { result[index].changes.append(folded) }
            }
            if change.impact > result[index].impact { result[index].impact = change.impact }
            if result[index].replacedBecause == nil { result[index].replacedBecause = change.replacedBecause }
            if result[index].data == .none { result[index].data = change.data }
        }

        let changedAfterTransform = Set(expanded.map(\.logicalID))
        var renamedStages: [String: ResourceChange] = [:]
        for change in result where change.replacesLogicalID != nil && after.origins[change.logicalID]?.role == "stage" {
            if let api = change.generatedBy { renamedStages[api] = change }
        }
        for (index, change) in result.enumerated() where change.kind == .modified && change.generatedBy == nil {
            if !changedAfterTransform.contains(change.logicalID), !change.changes.isEmpty,
                change.changes.allSatisfy({ SAMExpansion.reachesOnlyGenerated(type: change.type, path: $0.change.path) })
            {
                result[index].generatedOnly = true
            }
            guard let stage = renamedStages[change.logicalID], let replaced = stage.replacesLogicalID else { continue }
            result[index].notes.append(
                "the invoke URL changes: the stage \(replaced) is replaced by \(stage.logicalID), so "
                    + "https://{api}.execute-api.{region}.amazonaws.com/\(stageName(change.logicalID, in: before)) becomes …/\(stageName(change.logicalID, in: after)); "
                    + "clients and the site's configuration must follow")
        }
        return result.sorted { order($0) < order($1) }
    }

    /// Generated resources follow the resource they come from.
    private static func order(_ change: ResourceChange) -> (String, Int, String) {
        (change.generatedBy ?? change.logicalID, change.generatedBy == nil ? 0 : 1, change.logicalID)
    }

    private static func renameNote(
        _ origin: SAMExpansion.Origin, old: String, new: String, before: SAMExpansion, after: SAMExpansion
    ) -> String {
        switch origin.role {
        case "stage":
            return "SAM names the stage after StageName (\(stageName(origin.source, in: before)) → \(stageName(origin.source, in: after))): "
                + "\(old) is deleted and \(new) created"
        case "deployment":
            return "SAM creates a new deployment when the API's definition or its functions' names change: \(old) is deleted and \(new) created"
        default:
            return "SAM names the permission after the event and the stage: \(old) is deleted and \(new) created; "
                + "until then the route's invocations may be refused"
        }
    }

    private static func stageName(_ api: String, in expansion: SAMExpansion) -> String {
        expansion.stageNames[api]?.inline ?? "?"
    }

    /// A change the expansion finds in a resource SAM does not generate, in the SAM template's words:
    /// the API's regenerated definition as one change, a setting from Globals, or a reference SAM
    /// resolves to a generated resource.
    private static func folded(_ property: PropertyChange, of change: ResourceChange, before: SAMExpansion, after: SAMExpansion)
        -> PropertyChange
    {
        let body = ValuePath([.key("Properties"), .key("Body")])
        if change.type == "AWS::Serverless::Api", property.change.path.components.starts(with: body.components) {
            return PropertyChange(
                change: ValueChange(path: body, old: nil, new: nil), impact: property.impact,
                reason: "SAM regenerates the API's OpenAPI definition (routes, methods, auth, models)", afterTransform: true)
        }
        var property = property
        let origin =
            isSetInGlobals(property.change.path, of: change.logicalID, before: before, after: after)
            ? "set in Globals" : "as SAM's transform resolves it (A.Stage names the generated stage)"
        property.reason = property.reason.map { "\($0); \(origin)" } ?? origin
        property.afterTransform = true
        return property
    }

    private static func isSetInGlobals(_ path: ValuePath, of id: String, before: SAMExpansion, after: SAMExpansion) -> Bool {
        guard path.components.count > 1, case .key(let property) = path.components[1] else { return false }
        return [before, after].contains { expansion in
            guard case .string(let type)? = expansion.resources[id]?["Type"], type.hasPrefix("AWS::Serverless::") else { return false }
            return expansion.globals?[String(type.dropFirst("AWS::Serverless::".count))]?[property] != nil
        }
    }
}
