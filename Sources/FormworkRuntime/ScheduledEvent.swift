import Foundation

/// The event EventBridge (CloudWatch Events) sends a function when a schedule rule fires.
///
/// ```json
/// { "version": "0", "id": "…", "detail-type": "Scheduled Event", "source": "aws.events",
///   "account": "123456789012", "time": "2015-10-08T16:53:06Z", "region": "us-east-1",
///   "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-schedule"], "detail": {} }
/// ```
///
/// Decode it with ``JSONCoding/makeDecoder()``, which reads ``time``.
public struct ScheduledEvent: Codable, Equatable, Sendable {
    /// The event format version, `0`.
    public var version: String
    /// The event's unique id.
    public var id: String
    /// `Scheduled Event` (JSON key `detail-type`).
    public var detailType: String
    /// `aws.events`.
    public var source: String
    /// The account the rule belongs to.
    public var account: String
    /// When the rule fired.
    public var time: Date
    /// The rule's region.
    public var region: String
    /// The ARNs of the rules that fired.
    public var resources: [String]
    /// The event's detail; an empty object for a schedule.
    public var detail: JSONValue

    /// Creates a scheduled event, as the simulated scheduler does.
    public init(
        version: String = "0",
        id: String,
        detailType: String = "Scheduled Event",
        source: String = "aws.events",
        account: String,
        time: Date,
        region: String,
        resources: [String],
        detail: JSONValue = .object([:])
    ) {
        self.version = version
        self.id = id
        self.detailType = detailType
        self.source = source
        self.account = account
        self.time = time
        self.region = region
        self.resources = resources
        self.detail = detail
    }

    private enum CodingKeys: String, CodingKey {
        case version, id
        case detailType = "detail-type"
        case source, account, time, region, resources, detail
    }
}
