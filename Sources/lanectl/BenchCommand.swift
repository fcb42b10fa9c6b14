import ArgumentParser

/// `lanectl bench …`: benchmarks that print our figures beside a baseline measured in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput and latency against a baseline measured in the same run.",
        subcommands: [
            // Each area adds its benchmark here, one line each.
            RulesBenchCommand.self,
            BenchJournalCommand.self,
            BenchSimulateCommand.self,
            BenchModbusCommand.self,
            PipelineBenchCommand.self,
            BenchServerCommand.self,
        ]
    )
}
