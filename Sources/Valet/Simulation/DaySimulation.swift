import LaneCore

/// One simulated day: the event heap, the vehicles, the lanes' station pipelines and the drivers' walks,
/// around one ``Dispatcher``.
struct DaySimulation {
    struct Car {
        var arrival: Double
        /// 0 walk-in, 1 appointment, 2 re-test.
        var kind: UInt8
        var due: Double
        var firstService: Int  // index into `service`
        var walk, drive, park, back: Double
        var noConfirm: Bool
        var fails: Bool
        var repair: Double
        var retest: Int  // index of the re-test twin, -1 none
        var lastDriver: Int = -1
        var assignments = 0
        var plate: String
    }

    struct Event {
        var time: UInt64
        var seq: UInt64
        var kind: Kind
        var a: Int32
        var b: Int32
        enum Kind: UInt8 { case arrival, reachedCar, tick, atEntry, stationDone, parkDone, keyBack, driverBack }
    }

    struct LaneState {
        var occupant: [Int]  // driver per station, -1 free
        var blocked: [Bool]
        var entry: [Int] = []  // drivers waiting at the entry, first come first in
        var busySince = 0.0
        var inside = 0
    }

    struct DriverSim {
        var car = -1
        var lane = 0
        var generation: Int32 = 0
        var busySince = -1.0
    }

    let p: SimulationParameters
    var dispatcher: Dispatcher
    var cars: [Car] = []
    var service: [Double] = []
    var heap: [Event] = []
    var seq: UInt64 = 0
    var lanes: [LaneState]
    var drivers: [DriverSim]
    let driverIDs: [DriverID]
    var driverIndex: [DriverID: Int] = [:]
    var laneIndex: [LaneID: Int] = [:]
    let stationNames: [String]
    /// The day's distributions, worked out once: stations in order, then walk, drive, park, walk back.
    let stationTimes: [SimulationRandom.LogNormal]
    let walkToCar, driveToLane, parking, walkBack: SimulationRandom.LogNormal
    /// The bay each driver parks in (built once, not per event).
    let bays: [String]
    let laneIDs: [LaneID]
    var carOfQueue: [Int] = [0]  // queue number → car
    var pendingCheckIn = -1
    var actions: [DispatchAction] = []
    /// Walks of redrawn assignments (the rest of the day's randomness is planned up front).
    var tripRandom: SimulationRandom
    let collectJournal: Bool
    let checkStalls: Bool
    var journal: [DispatchJournalEntry] = []
    let closeTime: Double

    // Figures.
    var clock = 0.0
    var waits: [Double] = []
    var throughLane = 0
    var lastExit = 0.0
    var laneBusy: [Double]
    var driverBusy = 0.0
    var redraws = 0
    var events = 0
    var stalls = 0
    var refusals = 0

    init(_ p: SimulationParameters, policy: DriverPolicy.Kind, day: Int, journal: Bool, checkStalls: Bool) {
        self.p = p
        collectJournal = journal
        self.checkStalls = checkStalls
        closeTime = p.hours * 3600
        driverIDs = StationSimulation.driverIDs(p.drivers)
        for (i, d) in driverIDs.enumerated() { driverIndex[d] = i }
        let laneIDs = (1...max(1, p.lanes)).map { LaneID("L\($0)") }
        for (i, l) in laneIDs.enumerated() { laneIndex[l] = i }
        self.laneIDs = laneIDs
        bays = driverIDs.indices.map { "B\($0 + 1)" }
        stationNames = p.stations.map(\.name)
        stationTimes = p.stations.map { SimulationRandom.LogNormal(mean: $0.meanSeconds, cv: $0.cv) }
        walkToCar = SimulationRandom.LogNormal(mean: p.walkToCar.meanSeconds, cv: p.walkToCar.cv)
        driveToLane = SimulationRandom.LogNormal(mean: p.driveToLane.meanSeconds, cv: p.driveToLane.cv)
        parking = SimulationRandom.LogNormal(mean: p.park.meanSeconds, cv: p.park.cv)
        walkBack = SimulationRandom.LogNormal(mean: p.walkBack.meanSeconds, cv: p.walkBack.cv)
        let setups = laneIDs.map { LaneSetup(id: $0, stations: p.stations.map(\.name)) }
        let driverPolicy: DriverPolicy =
            switch policy {
            case .fixedToLanes: .fixed(drivers: driverIDs, lanes: laneIDs)
            default: DriverPolicy(policy)
            }
        let configuration = ShiftConfiguration(
            shift: StationSimulation.shiftID(seed: p.seed, day: day), lanes: setups, drivers: driverIDs,
            policy: driverPolicy, plateRuleset: .china, confirmTimeoutSeconds: p.confirmTimeoutSeconds)
        dispatcher = Dispatcher(configuration: configuration,
                                seed: .forSimulation(p.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(day)))
        lanes = laneIDs.map { _ in LaneState(occupant: Array(repeating: -1, count: p.stations.count),
                                             blocked: Array(repeating: false, count: p.stations.count)) }
        laneBusy = Array(repeating: 0, count: laneIDs.count)
        drivers = Array(repeating: DriverSim(), count: driverIDs.count)
        tripRandom = SimulationRandom(seed: p.seed ^ 0xA076_1D64_78BD_642F &+ UInt64(day))
        let expected = Int(p.arrivalsPerHour * p.peakFactor * p.hours * 1.5) + 16
        cars.reserveCapacity(expected)
        service.reserveCapacity(expected * p.stations.count)
        waits.reserveCapacity(expected)
        carOfQueue.reserveCapacity(expected)
        heap.reserveCapacity(expected + 64)
        actions.reserveCapacity(16)
        plan(day: day)
    }

    /// Draws the day's vehicles and all their times up front, the same for every policy.
    mutating func plan(day: Int) {
        var rng = SimulationRandom(seed: p.seed &+ 0x5851_F42D_4C95_7F2D &* UInt64(day + 1))
        let hours = p.hours, mean = p.arrivalsPerHour
        let peakLength = max(0, min(p.peakHours, hours - p.peakStartHours))
        let peakRate = mean * p.peakFactor
        let offRate = hours > peakLength ? max(0, (mean * hours - peakRate * peakLength) / (hours - peakLength)) : peakRate
        let maxRate = max(peakRate, offRate)
        guard maxRate > 0 else { return }
        func rate(_ t: Double) -> Double {
            let h = t / 3600
            return h >= p.peakStartHours && h < p.peakStartHours + peakLength ? peakRate : offRate
        }
        var t = 0.0
        while true {
            t += rng.exponential(mean: 3600 / maxRate)  // thinning: a non-homogeneous Poisson stream
            if t >= closeTime { break }
            if rng.unit() * maxRate > rate(t) { continue }
            let appointment = rng.unit() < p.appointmentShare
            let due = t + (rng.unit() * 20 - 5) * 60
            let c = makeCar(arrival: t, kind: appointment ? 1 : 0, due: due, rng: &rng)
            cars.append(c)
            if c.fails {
                var twin = makeCar(arrival: -1, kind: 2, due: 0, rng: &rng)
                twin.plate = c.plate
                twin.fails = false
                cars.append(twin)
                cars[cars.count - 2].retest = cars.count - 1
            }
        }
        for (i, c) in cars.enumerated() where c.kind != 2 { schedule(c.arrival, .arrival, Int32(i)) }
    }

    mutating func makeCar(arrival: Double, kind: UInt8, due: Double, rng: inout SimulationRandom) -> Car {
        let first = service.count
        for s in stationTimes { service.append(rng.logNormal(s)) }
        return Car(arrival: arrival, kind: kind, due: due, firstService: first,
                   walk: rng.logNormal(walkToCar), drive: rng.logNormal(driveToLane), park: rng.logNormal(parking),
                   back: rng.logNormal(walkBack),
                   noConfirm: rng.unit() < p.noConfirmShare, fails: rng.unit() < p.retestShare,
                   repair: 1800 + rng.unit() * 5400, retest: -1, plate: DaySimulation.plate(cars.count + 1))
    }

    /// `鲁G·` and `n` modulo 100,000 in five digits: a canonical plate, built from its UTF-8 bytes (11 bytes, a
    /// small string: no allocation).
    static func plate(_ n: Int) -> String {
        var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0xE9, 0xB2, 0x81, 0x47, 0xC2, 0xB7, 0, 0, 0, 0, 0)  // 鲁 G ·
        var v = n % 100_000
        withUnsafeMutableBytes(of: &bytes) { b in
            for i in stride(from: 10, through: 6, by: -1) {
                b[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
            }
        }
        return withUnsafeBytes(of: &bytes) { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: The event loop

    mutating func run() {
        let openActions = dispatcher.open(at: MonotonicInstant(nanoseconds: 0))
        record(openActions)
        while let e = pop() {
            clock = Double(e.time) / 1e9
            handle(e)
            if checkStalls && dispatcher.stall() != nil { stalls += 1 }
        }
        record(dispatcher.close(at: instant(clock)))
    }

    mutating func handle(_ e: Event) {
        let d = Int(e.a)
        switch e.kind {
        case .arrival:
            let c = cars[d]
            var v = Vehicle(plate: c.plate)
            v.category = "M1"
            let arrival: Arrival =
                switch c.kind {
                case 1: .appointment(due: instant(max(0, c.due)))
                case 2: .retest(failedAttempt: InspectionID("sim-\(d)"),
                                failedDriver: cars[d].lastDriver >= 0 ? driverIDs[cars[d].lastDriver] : nil)
                default: .walkIn
                }
            pendingCheckIn = d
            send(.checkIn(vehicle: v, arrival: arrival))
        case .reachedCar:
            guard drivers[d].generation == e.b else { return }  // released meanwhile
            send(.pickupConfirmed(driver: driverIDs[d], plate: cars[drivers[d].car].plate))
            schedule(clock + cars[drivers[d].car].drive, .atEntry, e.a, e.b)
        case .atEntry:
            guard drivers[d].generation == e.b else { return }
            send(.arrivedAtLaneEntry(driver: driverIDs[d]))
            lanes[drivers[d].lane].entry.append(d)
            advance(lane: drivers[d].lane)
        case .stationDone:
            let l = d, j = Int(e.b)
            let driver = lanes[l].occupant[j]
            send(.stationAcknowledged(driver: driverIDs[driver], station: stationNames[j]))
            if j == stationNames.count - 1 {
                lanes[l].occupant[j] = -1
                send(.exitedLane(driver: driverIDs[driver]))
                lanes[l].inside -= 1
                if lanes[l].inside == 0 { laneBusy[l] += clock - lanes[l].busySince }
                throughLane += 1
                lastExit = clock
                schedule(clock + cars[drivers[driver].car].park, .parkDone, Int32(driver))
            } else {
                lanes[l].blocked[j] = true
            }
            advance(lane: l)
        case .parkDone:
            send(.parked(driver: driverIDs[d], bay: bays[d]))
            schedule(clock + cars[drivers[d].car].back, .keyBack, e.a)
        case .keyBack:
            let c = drivers[d].car
            cars[c].lastDriver = d
            send(.keyReturned(driver: driverIDs[d]))
            if cars[c].fails, cars[c].retest >= 0, clock + cars[c].repair < closeTime {
                cars[cars[c].retest].arrival = clock + cars[c].repair
                cars[cars[c].retest].lastDriver = d
                schedule(clock + cars[c].repair, .arrival, Int32(cars[c].retest))
            }
        case .tick:
            send(.tick)
        case .driverBack:
            send(.driverAvailable(driver: driverIDs[d]))
        }
    }

    /// Moves blocked vehicles on along the lane, then lets the next one in from the entry.
    mutating func advance(lane l: Int) {
        let last = stationNames.count - 1
        var j = last - 1
        while j >= 0 {
            let d = lanes[l].occupant[j]
            if d >= 0 && lanes[l].blocked[j] && lanes[l].occupant[j + 1] < 0 {
                lanes[l].occupant[j + 1] = d
                lanes[l].occupant[j] = -1
                lanes[l].blocked[j] = false
                schedule(clock + service[cars[drivers[d].car].firstService + j + 1], .stationDone, Int32(l), Int32(j + 1))
            }
            j -= 1
        }
        if lanes[l].occupant[0] < 0, !lanes[l].entry.isEmpty {
            let d = lanes[l].entry.removeFirst()
            lanes[l].occupant[0] = d
            if lanes[l].inside == 0 { lanes[l].busySince = clock }
            lanes[l].inside += 1
            waits.append(clock - cars[drivers[d].car].arrival)
            send(.enteredLane(driver: driverIDs[d]))
            schedule(clock + service[cars[drivers[d].car].firstService], .stationDone, Int32(l), 0)
        }
    }

    /// Feeds the dispatcher and carries out its actions.
    mutating func send(_ kind: DispatchEvent.Kind) {
        events += 1
        actions.removeAll(keepingCapacity: true)
        dispatcher.handle(DispatchEvent(kind, at: instant(clock)), into: &actions)
        var i = 0
        while i < actions.count {
            switch actions[i] {
            case .journal(let entry): if collectJournal { journal.append(entry) }
            case .queued(let q, _):
                if carOfQueue.count <= q { carOfQueue.append(contentsOf: repeatElement(0, count: q + 1 - carOfQueue.count)) }
                carOfQueue[q] = pendingCheckIn
            case .assign(let a):
                let d = index(of: a.driver), c = carOfQueue[a.queueNumber]
                drivers[d].car = c
                drivers[d].lane = index(of: a.lane)
                drivers[d].generation += 1
                drivers[d].busySince = clock
                cars[c].assignments += 1
                schedule(Double(a.confirmBy.nanoseconds) / 1e9, .tick, -1)
                if !(cars[c].noConfirm && cars[c].assignments == 1) {
                    // A redraw is a new walk by another driver: its own time, not the first driver's again.
                    let walk = cars[c].assignments == 1
                        ? cars[c].walk : tripRandom.logNormal(walkToCar)
                    schedule(clock + walk, .reachedCar, Int32(d), drivers[d].generation)
                }
            case .release(let driver, _, let reason):
                let d = index(of: driver)
                drivers[d].generation += 1
                driverBusy += clock - drivers[d].busySince
                drivers[d].busySince = -1
                if reason == .confirmationTimedOut {
                    redraws += 1
                    schedule(clock + p.unresponsiveSeconds, .driverBack, Int32(d))
                }
            case .vehicleDone(let q):
                for d in drivers.indices where drivers[d].car == carOfQueue[q] && drivers[d].busySince >= 0 {
                    driverBusy += clock - drivers[d].busySince
                    drivers[d].busySince = -1
                }
            case .refused: refusals += 1
            case .prompt, .redraw: break
            }
            i += 1
        }
    }

    /// The simulation's index of a roster driver: a short scan of short ids, the dictionary for big rosters.
    func index(of driver: DriverID) -> Int {
        if driverIDs.count <= 16 {
            for i in driverIDs.indices where driverIDs[i] == driver { return i }
        }
        return driverIndex[driver]!
    }

    func index(of lane: LaneID) -> Int {
        if laneIDs.count <= 16 {
            for i in laneIDs.indices where laneIDs[i] == lane { return i }
        }
        return laneIndex[lane]!
    }

    mutating func record(_ actions: [DispatchAction]) {
        guard collectJournal else { return }
        for a in actions { if case .journal(let e) = a { journal.append(e) } }
    }

    func instant(_ seconds: Double) -> MonotonicInstant { MonotonicInstant(nanoseconds: UInt64(max(0, seconds) * 1e9)) }

    // MARK: The heap (earliest first; ties in scheduling order)

    mutating func schedule(_ time: Double, _ kind: Event.Kind, _ a: Int32, _ b: Int32 = 0) {
        seq += 1
        let e = Event(time: UInt64(max(0, time) * 1e9), seq: seq, kind: kind, a: a, b: b)
        heap.append(e)
        heap.withUnsafeMutableBufferPointer { h in
            // Sift up with a hole: move parents down, write the new event once.
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard DaySimulation.earlier(e, h[parent]) else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = e
        }
    }

    mutating func pop() -> Event? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap.withUnsafeMutableBufferPointer { h in
                // Sift the last event down from the root with a hole: children move up, it is written once.
                let n = h.count
                var i = 0
                while true {
                    var c = 2 * i + 1
                    if c >= n { break }
                    if c + 1 < n && DaySimulation.earlier(h[c + 1], h[c]) { c += 1 }
                    guard DaySimulation.earlier(h[c], last) else { break }
                    h[i] = h[c]
                    i = c
                }
                h[i] = last
            }
        }
        return top
    }

    static func earlier(_ x: Event, _ y: Event) -> Bool { x.time != y.time ? x.time < y.time : x.seq < y.seq }
}
