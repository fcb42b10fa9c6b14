public import Journal
public import LaneCore
public import StationControl

// The one place where the report pages meet the station's accounts and its live controller.

extension AccountStore: SignOffAuthority {
    /// The account's password check, for a sign-off (the same bcrypt hash as the login).
    public func verify(user: String, password: String) async -> Bool {
        guard let found = try? await verify(user, password: password) else { return false }
        return found.id == user
    }
}

/// Re-tests through the live station: the vehicle goes back into the dispatcher's queue as a re-test (the
/// draw excludes the failed attempt's driver; only the stations with failed items run again). The new
/// attempt opens when the vehicle enters a lane, so this returns nil; the inspector's decision is journaled
/// as a `retest_ordered` sign-off on the failed attempt.
public struct StationRetests: RetestOrdering {
    let controller: StationController
    let journal: Journal

    public init(controller: StationController, journal: Journal) {
        self.controller = controller
        self.journal = journal
    }

    public func orderRetest(of inspection: InspectionID, by inspector: String) async throws -> InspectionID? {
        let ticket: TicketView
        do {
            ticket = try controller.orderRetest(of: inspection, by: inspector)
        } catch {
            // Unknown to the controller (finished before this process started) or not re-testable now: a conflict
            // with the station's state, not a missing report.
            throw ReportActionError(status: 409, reason: error.code, english: error.en, chinese: error.zh)
        }
        let now = WallTime(milliseconds: ticket.checkedInAtMs)
        try journal.record(
            SignOffRecord(
                inspection: inspection, userID: inspector, decision: .retestOrdered,
                comment: "queue #\(ticket.queueNumber): \((ticket.stations ?? []).joined(separator: ", "))", at: now),
            actor: inspector, at: now)
        return nil
    }
}
