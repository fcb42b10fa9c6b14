/// How a journal database is opened.
public struct JournalConfiguration: Sendable, Hashable {
    /// SQLite's `synchronous` setting under WAL.
    public enum Durability: String, Sendable, Hashable, CaseIterable {
        /// `synchronous=FULL`: the WAL is fsynced at every commit, so a committed (acknowledged)
        /// transaction survives a power cut as well as a killed process. The station's default.
        case full
        /// `synchronous=NORMAL`: a commit survives a killed process but the last commits before a
        /// power cut may roll back. For benchmarks and scratch files only.
        case normal
    }

    /// Default `.full`: "acknowledged" means on disk.
    public var durability: Durability = .full
    /// How long a writer waits for another connection's lock before failing (`busy_timeout`).
    public var busyTimeoutSeconds: Double = 5
    /// Reader connections of the pool (reports and exports read while the writer writes).
    public var maximumReaderCount: Int = 4

    public init(durability: Durability = .full, busyTimeoutSeconds: Double = 5, maximumReaderCount: Int = 4) {
        self.durability = durability
        self.busyTimeoutSeconds = busyTimeoutSeconds
        self.maximumReaderCount = maximumReaderCount
    }
}
