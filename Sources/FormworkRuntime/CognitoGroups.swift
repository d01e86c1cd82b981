import Foundation

/// Reads the `cognito:groups` claim that API Gateway's Cognito authorizer passes on.
///
/// AWS sends the groups as one string, in one of two forms:
/// - separated by commas: `"Admin,TeamMember"`;
/// - in brackets, separated by spaces: `"[Admin TeamMember]"`.
///
/// ```swift
/// CognitoGroups.parse("[Admin TeamMember]")  // ["Admin", "TeamMember"]
/// CognitoGroups.parse("Admin,TeamMember")    // ["Admin", "TeamMember"]
/// ```
public enum CognitoGroups {
    /// The group names in `claim`, in the order given, without duplicates or empty names.
    /// Cognito group names cannot contain white space, so commas and white space both
    /// separate names; surrounding brackets and quotes are dropped.
    public static func parse(_ claim: String) -> [String] {
        var text = Substring(claim.trimmingCharacters(in: .whitespacesAndNewlines))
        if text.hasPrefix("["), text.hasSuffix("]"), text.count >= 2 {
            text = text.dropFirst().dropLast()
        }
        var seen: Set<String> = []
        var groups: [String] = []
        let separators = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ","))
        for piece in text.components(separatedBy: separators) {
            let name = piece.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            if !name.isEmpty, seen.insert(name).inserted {
                groups.append(name)
            }
        }
        return groups
    }
}
