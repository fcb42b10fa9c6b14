public import LaneCore

extension RegisterMap {
    /// Engineering values quantised the way this map encodes them in registers (integers by their scale and
    /// offset, `f32` to single precision, booleans to 0 or 1), in channel order, as a poller would decode them;
    /// `inRange` is false when one falls outside its channel's minimum or maximum. A missing channel reads 0.
    /// For test lanes that step firmware models without sockets.
    public func quantised(_ readings: [String: Double]) -> (values: [Double], inRange: Bool) {
        var inRange = true
        let values = channels.map { channel -> Double in
            let x = readings[channel.name] ?? 0
            var value: Double
            switch channel.type {
            case .bool: value = x >= 0.5 ? 1 : 0
            case .f32: value = Double(Float(x))
            case .u16, .i16, .u32, .i32:
                let raw = ((x - channel.offset) / channel.scale).rounded()
                value = raw * channel.scale + channel.offset
            }
            if let min = channel.minimum, value < min - 1e-9 { inRange = false }
            if let max = channel.maximum, value > max + 1e-9 { inRange = false }
            return value
        }
        return (values, inRange)
    }
}
