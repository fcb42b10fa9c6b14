import Foundation
import Journal
import LaneCore
import Procedures
import Valet

// The views the console, the handheld and the lane display read.
extension StationCore {
    func seconds(since start: MonotonicInstant, until end: MonotonicInstant?) -> Int {
        let until = end ?? now
        return until > start ? Int(until.since(start).seconds) : 0
    }

    func ticketView(_ t: Ticket) -> TicketView {
        TicketView(
            queueNumber: t.queueNumber, plate: t.vehicle.plate, vehicle: t.vehicle, arrival: t.arrivalName,
            retestOf: t.retestOf?.rawValue, stations: t.plan?.map(\.rawValue), state: t.state, lane: t.lane?.rawValue,
            driver: t.driver?.rawValue, inspection: t.inspection?.rawValue, checkedInAtMs: t.checkedInWall.milliseconds,
            waitedSeconds: seconds(since: t.checkedInAt, until: t.enteredAt), scenario: t.scenario)
    }

    func shiftView() -> ShiftView? {
        guard let shift else { return nil }
        return ShiftView(
            id: shift.id.rawValue, state: shift.closedAt == nil ? "open" : "closed", openedBy: shift.openedBy,
            openedAtMs: shift.openedAt.milliseconds, closedBy: shift.closedBy, closedAtMs: shift.closedAt?.milliseconds,
            seedCommitment: shift.seed.commitment, seed: shift.closedAt == nil ? nil : shift.seed.hex,
            draws: dispatcher?.drawCount ?? 0)
    }

    func laneView(_ lane: LaneRuntime) -> LaneView {
        var current: LaneRunView?
        if let run = lane.run {
            let state: String
            if run.outcome != nil && run.station == nil {
                state = "leaving"
            } else if run.lastAbort != nil {
                state = "awaiting_repeat"
            } else if run.stationDone {
                state = "station_done"
            } else {
                state = "testing"
            }
            current = LaneRunView(
                queueNumber: run.queueNumber, plate: run.vehicle.plate, inspection: run.inspection.rawValue,
                attempt: run.attempt, retestOf: run.retestOf?.rawValue, driver: run.driver.rawValue,
                stations: run.plan.map(\.rawValue), station: run.station?.rawValue, state: state, prompt: run.prompt?.text,
                abortedStep: run.lastAbort?.step, abortReason: run.lastAbort?.reason, verdicts: run.items,
                outcome: run.outcome?.rawValue)
        }
        let calledPlate = lane.called.flatMap { d in drivers[d]?.queueNumber.flatMap { tickets[$0]?.vehicle.plate } }
        return LaneView(
            id: lane.lane.id.rawValue, name: lane.lane.name, stations: lane.lane.stations.map(\.kind.rawValue),
            state: lane.run != nil ? "busy" : lane.called != nil ? "called" : "idle", current: current,
            calledPlate: calledPlate,
            waitingAtEntry: lane.atEntry.compactMap { drivers[$0]?.queueNumber }, finishedCount: lane.finishedCount)
    }

    func snapshot(journal: (pending: Int, failures: Int)) -> StationSnapshot {
        let queue = tickets.values.filter { $0.state != "done" && $0.state != "withdrawn" }
            .sorted { $0.queueNumber < $1.queueNumber }
            .map { t in
                QueueEntryView(queueNumber: t.queueNumber, plate: t.vehicle.plate,
                               waitedSeconds: seconds(since: t.checkedInAt, until: t.enteredAt), state: t.state,
                               lane: t.lane?.rawValue, driver: t.driver?.rawValue, arrival: t.arrivalName)
            }
        let driverViews = profile.drivers.map { d -> DriverView in
            let runtime = drivers[d.id]
            let state = shift?.closedAt == nil ? dispatcher?.state(of: d.id)?.rawValue ?? "off_shift" : "off_shift"
            return DriverView(id: d.id.rawValue, nameZh: d.nameZh, nameEn: d.nameEn, state: state,
                              queueNumber: runtime?.queueNumber, task: runtime?.task)
        }
        return StationSnapshot(
            stationName: profile.stationName, stationNameEn: profile.stationNameEn, ruleset: profile.ruleset,
            shift: shiftView(), lanes: lanes.map(laneView), queue: queue, drivers: driverViews,
            alarms: alarms.reversed(), journalPending: journal.pending, journalFailures: journal.failures,
            atMs: wall.milliseconds)
    }
}
