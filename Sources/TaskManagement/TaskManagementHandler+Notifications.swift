import FormworkRuntime

extension TaskManagementHandler {
    /// `GET /notifications?unread=true&limit=`: the caller's notifications, newest first.
    func listNotifications(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let caller = try request.caller()
        let limit = try Paging.limit(of: request)
        let unreadOnly: Bool
        switch request.query("unread") {
        case nil, "false": unreadOnly = false
        case "true": unreadOnly = true
        default: throw APIError.invalid("unread", "must be true or false")
        }
        let items = try await services.notificationStore().list(
            userId: caller.userId, unreadOnly: unreadOnly, limit: limit)
        return try .json(ItemList(items: items, nextToken: nil))
    }

    /// `POST /notifications/{notificationId}/read`: for the notification's owner; `404`
    /// for anyone else.
    func markRead(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let caller = try request.caller()
        let notificationId = try request.pathParameter("notificationId")
        let notifications = try services.notificationStore()
        guard let notification = try await notifications.get(notificationId), notification.userId == caller.userId,
            try await notifications.markRead(notificationId)
        else { throw APIError.notFound("No such notification.") }
        return .noContent()
    }
}
