import ArgumentParser
import Foundation
import LaneCore
import Modbus

/// `lanectl modbus …`: talk to one Modbus peer by hand (debugging a rig, a gateway or our simulator).
struct ModbusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modbus",
        abstract: "Read, write or serve Modbus registers by hand (TCP or RTU).",
        subcommands: [Read.self, Write.self, Serve.self])

    /// Where the peer is: `--host/--port` for TCP, `--device` (with `--baud`, `--parity`) for RTU.
    struct Endpoint: ParsableArguments {
        @Option(help: "TCP host.") var host = "127.0.0.1"
        @Option(help: "TCP port.") var port = 502
        @Option(help: "Serial device for RTU (e.g. /dev/ttyUSB0); when given, --host/--port are ignored.")
        var device: String?
        @Option(help: "RTU baud rate.") var baud = 19200
        @Option(help: "RTU parity: N, E or O.") var parity = "E"
        @Option(help: "RTU stop bits.") var stopBits = 1
        @Option(help: "Unit id.") var unit: UInt8 = 1
        @Option(help: "Response timeout in milliseconds.") var timeout = 1000

        func transport() throws -> ModbusTransport {
            guard let device else { return .tcp(host: host, port: port) }
            guard let parity = SerialLine.Parity(rawValue: parity.uppercased()) else {
                throw ValidationError("--parity must be N, E or O / 校验位必须是 N、E 或 O")
            }
            return .rtu(SerialLine(device: device, baudRate: baud, parity: parity, stopBits: stopBits))
        }

        func client() throws -> ModbusLink {
            try ModbusLink(
                ModbusClientConfiguration(transport: transport(), responseTimeout: .milliseconds(timeout), defaultUnitID: unit))
        }
    }

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read registers or bits, raw or as typed values.",
            discussion: "Example: lanectl modbus read --port 1502 --table input --address 0 --count 4 --type f32 --order CDAB")
        @OptionGroup var endpoint: Endpoint
        @Option(help: "Table: coil, discrete_input, holding, input.") var table = "holding"
        @Option(help: "First address (zero-based).") var address = 0
        @Option(help: "Number of values (of --type) to read.") var count = 1
        @Option(help: "Value type: u16, i16, u32, i32, f32 (registers only).") var type = "u16"
        @Option(help: "Word order of 32-bit values: ABCD, CDAB, BADC, DCBA.") var order = "ABCD"

        func run() async throws {
            let table = try parseTable(table)
            let type = try parseType(type)
            let order = try parseOrder(order)
            let link = try endpoint.client()
            defer { link.shutdown() }
            let (address, count) = (address, count)
            switch table {
            case .coil, .discreteInput:
                let bits = try await link.perform { try $0.readBits(table, address: address, count: count) }
                for (i, bit) in bits.enumerated() { print("\(address + i)\t\(bit ? 1 : 0)") }
            case .holding, .input:
                let width = type.registerCount
                let words = try await link.perform { try $0.readRegisters(table, address: address, count: count * width) }
                for i in 0..<count {
                    let slice = words[(i * width)..<(i * width + width)]
                    let value = RegisterCodec.decode(slice, as: type, order: order) ?? .nan
                    let hex = slice.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
                    print("\(address + i * width)\t\(format(value, type))\t\(hex)")
                }
            }
        }
    }

    struct Write: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one coil or one typed value to holding registers.",
            discussion: "Example: lanectl modbus write --port 1502 --table coil --address 0 1")
        @OptionGroup var endpoint: Endpoint
        @Option(help: "Table: coil or holding.") var table = "holding"
        @Option(help: "Address (zero-based).") var address = 0
        @Option(help: "Value type: u16, i16, u32, i32, f32.") var type = "u16"
        @Option(help: "Word order of 32-bit values.") var order = "ABCD"
        @Argument(help: "The value (0/1 for a coil).") var value: Double

        func run() async throws {
            let table = try parseTable(table)
            let type = try parseType(type)
            let order = try parseOrder(order)
            let link = try endpoint.client()
            defer { link.shutdown() }
            let (address, value) = (address, value)
            try await link.perform { try $0.writeValue(value, to: table, address: address, type: type, order: order) }
            print("wrote \(value) to \(table.rawValue) \(address)")
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve empty tables (100 of each, addresses 0–99) for clients such as mbpoll, until Ctrl-C.",
            discussion: "Example: lanectl modbus serve --port 1502 --units 1,2 then mbpoll -a 1 -p 1502 -r 1 -c 4 127.0.0.1")
        @Option(help: "Listen host.") var host = "127.0.0.1"
        @Option(help: "TCP port (0: chosen by the system and printed).") var port = 1502
        @Option(help: "Serial device for RTU instead of TCP.") var device: String?
        @Option(help: "RTU baud rate.") var baud = 19200
        @Option(help: "Comma-separated unit ids.") var units = "1"
        @Option(help: "Registers and bits per table.") var size = 100

        func run() async throws {
            let ids = units.split(separator: ",").compactMap { UInt8($0.trimmingCharacters(in: .whitespaces)) }
            guard !ids.isEmpty else { throw ValidationError("--units needs at least one unit id / 至少需要一个站号") }
            let layout = ModbusServer.Layout(
                coils: 0..<size, discreteInputs: 0..<size, holdingRegisters: 0..<size, inputRegisters: 0..<size)
            let tables = Dictionary(uniqueKeysWithValues: ids.map { ($0, layout) })
            let server =
                try device.map { try ModbusServer(serial: SerialLine(device: $0, baudRate: baud), units: tables) }
                ?? ModbusServer(host: host, port: port, units: tables)
            print("serving units \(ids) on \(server.transport); Ctrl-C stops")
            await server.run()
        }
    }
}

func parseTable(_ text: String) throws -> RegisterTable {
    guard let table = RegisterTable(rawValue: text.lowercased()) else {
        throw ValidationError("unknown table \(text): use coil, discrete_input, holding or input / 未知的数据表")
    }
    return table
}

func parseType(_ text: String) throws -> ValueType {
    guard let type = ValueType(rawValue: text.lowercased()), type != .bool else {
        throw ValidationError("unknown type \(text): use u16, i16, u32, i32 or f32 / 未知的数据类型")
    }
    return type
}

func parseOrder(_ text: String) throws -> WordOrder {
    guard let order = WordOrder(rawValue: text.uppercased()) else {
        throw ValidationError("unknown word order \(text): use ABCD, CDAB, BADC or DCBA / 未知的字节顺序")
    }
    return order
}

private func format(_ value: Double, _ type: ValueType) -> String {
    type == .f32 ? "\(Float(value))" : "\(Int64(value))"
}
