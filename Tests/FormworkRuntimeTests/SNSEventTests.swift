import Foundation
import FormworkRuntime
import Testing

/// An SNS event as AWS documents it for Lambda.
private let snsEvent = #"""
    {
      "Records": [
        {
          "EventVersion": "1.0",
          "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486",
          "EventSource": "aws:sns",
          "Sns": {
            "SignatureVersion": "1",
            "Timestamp": "2019-01-02T12:45:07.000Z",
            "Signature": "tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==",
            "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem",
            "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
            "Message": "Hello from SNS!",
            "MessageAttributes": {
              "Test": {"Type": "String", "Value": "TestString"},
              "TestBinary": {"Type": "Binary", "Value": "TestBinary"}
            },
            "Type": "Notification",
            "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:test-lambda:21be56ed-a058-49f5-8c98-aedd2564c486",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:sns-lambda",
            "Subject": "TestInvoke"
          }
        }
      ]
    }
    """#

@Suite("SNSEvent")
struct SNSEventTests {
    @Test("decodes SNS's event record by record")
    func decodes() throws {
        let event = try decode(SNSEvent.self, snsEvent)
        let record = try #require(event.records.first)
        #expect(event.records.count == 1)
        #expect(record.eventSource == "aws:sns")
        #expect(record.eventVersion == "1.0")
        #expect(record.eventSubscriptionArn.hasSuffix(":sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486"))

        let message = record.sns
        #expect(message.type == "Notification")
        #expect(message.messageId == "95df01b4-ee98-5cb9-9903-4c221d41eb5e")
        #expect(message.topicArn == "arn:aws:sns:us-east-1:123456789012:sns-lambda")
        #expect(message.subject == "TestInvoke")
        #expect(message.message == "Hello from SNS!")
        #expect(message.timestamp == Date(timeIntervalSince1970: 1_546_433_107))
        #expect(message.signatureVersion == "1")
        #expect(message.signingCertUrl.hasPrefix("https://sns.us-east-1.amazonaws.com/"))
        #expect(message.unsubscribeUrl.contains("Action=Unsubscribe"))
        #expect(message.messageAttributes["Test"] == .string("TestString"))
        #expect(message.messageAttributes["TestBinary"] == SNSMessageAttribute(type: "Binary", value: "TestBinary"))
    }

    @Test("round-trips with AWS's key names")
    func roundTrips() throws {
        let event = try decode(SNSEvent.self, snsEvent)
        #expect(try roundTrip(event) == event)
        let text = try encodedText(event)
        for key in ["\"Records\"", "\"Sns\"", "\"EventSubscriptionArn\"", "\"MessageAttributes\"", "\"SigningCertUrl\""] {
            #expect(text.contains(key))
        }
    }

    @Test("a message without subject or attributes decodes, with null or missing attributes")
    func optionalParts() throws {
        let json = #"""
            {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": "arn:s",
              "Sns": {"Type": "Notification", "MessageId": "m-1", "TopicArn": "arn:t", "Subject": null,
                      "Message": "{\"taskId\":\"t-1\"}", "Timestamp": "2026-12-01T17:00:00.123Z",
                      "SignatureVersion": "1", "Signature": "c2ln", "SigningCertUrl": "https://c",
                      "UnsubscribeUrl": "https://u", "MessageAttributes": null}}]}
            """#
        let event = try decode(SNSEvent.self, json)
        let message = try #require(event.records.first?.sns)
        #expect(message.subject == nil)
        #expect(message.messageAttributes.isEmpty)
        #expect(JSONCoding.formatDate(message.timestamp) == "2026-12-01T17:00:00.123Z")
        #expect(try roundTrip(event) == event)
    }
}
