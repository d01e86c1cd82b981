import Foundation
import FormworkRuntime
import Testing

/// An EventBridge scheduled event as AWS documents it.
private let scheduledEvent = #"""
    {
      "version": "0",
      "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
      "detail-type": "Scheduled Event",
      "source": "aws.events",
      "account": "123456789012",
      "time": "2015-10-08T16:53:06Z",
      "region": "us-east-1",
      "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"],
      "detail": {}
    }
    """#

@Suite("ScheduledEvent")
struct ScheduledEventTests {
    @Test("decodes EventBridge's scheduled event")
    func decodes() throws {
        let event = try decode(ScheduledEvent.self, scheduledEvent)
        #expect(event.version == "0")
        #expect(event.id == "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa")
        #expect(event.detailType == "Scheduled Event")
        #expect(event.source == "aws.events")
        #expect(event.account == "123456789012")
        #expect(event.time == Date(timeIntervalSince1970: 1_444_323_186))
        #expect(event.region == "us-east-1")
        #expect(event.resources == ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"])
        #expect(event.detail == .object([:]))
    }

    @Test("round-trips, writing detail-type and the time as AWS does")
    func roundTrips() throws {
        let event = try decode(ScheduledEvent.self, scheduledEvent)
        #expect(try roundTrip(event) == event)
        let object = try encodedObject(event)
        #expect(object["detail-type"] as? String == "Scheduled Event")
        #expect(object["time"] as? String == "2015-10-08T16:53:06Z")
    }

    @Test("an event built in code has the scheduler's defaults and round-trips")
    func built() throws {
        let event = ScheduledEvent(
            id: "e-1", account: "123456789012", time: Date(timeIntervalSince1970: 1_796_144_400.5),
            region: "eu-west-1", resources: ["arn:aws:events:eu-west-1:123456789012:rule/DeadlineReminders"],
            detail: ["attempt": 2, "manual": true, "note": nil, "tags": ["a"]])
        #expect(event.detailType == "Scheduled Event")
        #expect(event.source == "aws.events")
        #expect(try roundTrip(event) == event)
        #expect(event.detail["attempt"] == .number(2))
    }
}
