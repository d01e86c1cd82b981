import Foundation
import NIOConcurrencyHelpers

/// Work that falls due on the simulator's clock (queued invocations, retries, HTTP
/// deliveries), taken earliest first, and in arrival order among items due at once.
final class DueQueue<Item: Sendable>: Sendable {
    private struct Entry {
        var due: Date
        var sequence: Int
        var item: Item
    }

    private let state = NIOLockedValueBox<(entries: [Entry], next: Int)>(([], 0))

    /// Queues `item`, due at `date`.
    func add(_ item: Item, dueAt date: Date) {
        state.withLockedValue { state in
            state.next += 1
            state.entries.append(Entry(due: date, sequence: state.next, item: item))
        }
    }

    /// When the earliest item is due.
    var nextDue: Date? { state.withLockedValue { $0.entries.map(\.due).min() } }

    /// How many items wait.
    var count: Int { state.withLockedValue { $0.entries.count } }

    /// Removes and returns the earliest item due by `now`, with its due time.
    func takeNext(dueBy now: Date) -> (due: Date, item: Item)? {
        state.withLockedValue { state in
            guard
                let index = state.entries.indices.filter({ state.entries[$0].due <= now })
                    .min(by: { (state.entries[$0].due, state.entries[$0].sequence) < (state.entries[$1].due, state.entries[$1].sequence) })
            else { return nil }
            let entry = state.entries.remove(at: index)
            return (entry.due, entry.item)
        }
    }
}
