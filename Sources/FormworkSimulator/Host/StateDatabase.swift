import Foundation
import GRDB

/// The simulator's one state database: SQLite in WAL mode in a file, or in memory. Each
/// service brings its own named migrations; they are appended, never edited.
public struct StateDatabase: Sendable {
    /// A named schema change of one service.
    public struct Migration: Sendable {
        /// The migration's identifier, unique across services and never changed once shipped.
        public var identifier: String
        /// The change.
        public var apply: @Sendable (Database) throws -> Void

        /// A migration.
        public init(_ identifier: String, apply: @escaping @Sendable (Database) throws -> Void) {
            self.identifier = identifier
            self.apply = apply
        }
    }

    /// The database: a pool (WAL, concurrent readers) for files, a queue in memory.
    let writer: any DatabaseWriter

    /// Opens (creating it and its directory if missing) the database file at `path`.
    public static func file(_ path: String, migrations: [Migration]) throws -> StateDatabase {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try migrate(pool, migrations)
        return StateDatabase(writer: pool)
    }

    /// A database in memory.
    public static func inMemory(migrations: [Migration]) throws -> StateDatabase {
        let queue = try DatabaseQueue()
        try migrate(queue, migrations)
        return StateDatabase(writer: queue)
    }

    private static func migrate(_ writer: any DatabaseWriter, _ migrations: [Migration]) throws {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier, migrate: migration.apply)
        }
        try migrator.migrate(writer)
    }
}
