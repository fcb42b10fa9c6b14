public import LaneCore
import Modbus

/// The reads that fetch every channel of a register map, with as few requests as possible: channels of one
/// table whose registers touch (or lie within `maximumGap` of each other) share one request.
public struct ReadPlan: Hashable, Sendable {
    /// One request: a table, a first address and a count.
    public struct Read: Hashable, Sendable {
        /// Table read.
        public var table: RegisterTable
        /// First address.
        public var address: Int
        /// Registers or bits read.
        public var count: Int
    }

    /// Where a channel's value sits in the reads.
    struct Slot: Hashable, Sendable {
        var read: Int
        var offset: Int
        var type: ValueType
        var order: WordOrder
        var scale: Double
        var offset0: Double
        var minimum: Double
        var maximum: Double
    }

    /// The requests, in the order they are sent.
    public let reads: [Read]
    let slots: [Slot]

    /// Most registers one read may fetch (Modbus limit 125) and most bits (limit 2000).
    static let maximumRegisters = 125
    static let maximumBits = 2000

    /// Plans the reads for a register map.
    /// - Parameters:
    ///   - map: The rig's register map.
    ///   - maximumGap: Unused registers a read may span to join two channels.
    public init(map: RegisterMap, maximumGap: Int = 0) {
        var reads: [Read] = []
        var placement: [Int: (read: Int, offset: Int)] = [:]
        for table in RegisterTable.allCases {
            let indices = map.channels.indices.filter { map.channels[$0].table == table }
                .sorted { map.channels[$0].address < map.channels[$1].address }
            let limit = (table == .coil || table == .discreteInput) ? Self.maximumBits : Self.maximumRegisters
            var current: Read?
            var members: [Int] = []
            func flush() {
                guard let read = current else { return }
                reads.append(read)
                for i in members { placement[i] = (reads.count - 1, map.channels[i].address - read.address) }
                members = []
                current = nil
            }
            for i in indices {
                let channel = map.channels[i]
                let end = channel.address + channel.type.registerCount
                if let read = current, channel.address <= read.address + read.count + maximumGap,
                    max(end, read.address + read.count) - read.address <= limit
                {
                    current!.count = max(end, read.address + read.count) - read.address
                } else {
                    flush()
                    current = Read(table: table, address: channel.address, count: channel.type.registerCount)
                }
                members.append(i)
            }
            flush()
        }
        self.reads = reads
        self.slots = map.channels.indices.map { i in
            let c = map.channels[i]
            return Slot(
                read: placement[i]!.read, offset: placement[i]!.offset, type: c.type,
                order: c.wordOrder ?? map.defaultWordOrder, scale: c.scale, offset0: c.offset,
                minimum: c.minimum ?? -.infinity, maximum: c.maximum ?? .infinity)
        }
    }

    /// Decodes the raw words of every read into engineering values (raw × scale + offset).
    /// - Parameters:
    ///   - words: One buffer per read, as the reads returned them (bits as 0/1 words).
    ///   - values: Filled with one value per channel.
    /// - Returns: True when every value lies within its channel's declared range.
    func decode(_ words: [[UInt16]], into values: inout [Double]) -> Bool {
        var inRange = true
        for (i, slot) in slots.enumerated() {
            let buffer = words[slot.read]
            let raw = RegisterCodec.decode(buffer[slot.offset...], as: slot.type, order: slot.order) ?? .nan
            let value = raw * slot.scale + slot.offset0
            values[i] = value
            if !(value >= slot.minimum && value <= slot.maximum) { inRange = false }
        }
        return inRange
    }
}
