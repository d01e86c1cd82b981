import FormworkRuntime
import Foundation

/// Who is calling, from the claims the Cognito authorizer passed on
/// (`requestContext.authorizer.claims`).
struct Caller: Equatable, Sendable {
    /// The token's `sub`: the user's id.
    var userId: String
    /// The `email` claim, when present.
    var email: String?
    /// The `name` claim, when present.
    var name: String?
    /// The `cognito:groups` claim.
    var groups: [String]

    /// The caller of `request`, or `nil` when there is no `sub` claim.
    init?(_ request: APIGatewayRequest) {
        let claims = request.claims
        guard let sub = claims["sub"]?.trimmingCharacters(in: .whitespaces), !sub.isEmpty else { return nil }
        userId = sub
        email = claims["email"].flatMap { $0.isEmpty ? nil : $0 }
        name = claims["name"].flatMap { $0.isEmpty ? nil : $0 }
        groups = request.requestContext.authorizer?.groups ?? []
    }

    /// `admin` for members of the `Admin` group, otherwise `member`.
    var role: Role {
        groups.contains(GroupNames.admin) ? .admin : .member
    }

    /// Whether the caller is in the `Admin` group.
    var isAdmin: Bool { role == .admin }

    /// How notices about the caller's actions name them.
    var displayName: String {
        name ?? email ?? userId
    }
}
