import ArgumentParser

/// `lanectl`: the one executable of a LaneControl station.
@main
struct LaneCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lanectl",
        abstract: "Runs and inspects a LaneControl vehicle-inspection station.",
        subcommands: [
            BenchCommand.self,
            RulesCommand.self,
            ReplayCommand.self,
            ProfileCommand.self,
            JournalCommand.self,
            SimulateCommand.self,
            DispatchCommand.self,
            DemoCommand.self, RunCommand.self, PollCommand.self,
            // Each area adds its command here, one line each.
            ModbusCommand.self,
            ReportsCommand.self,
            AccountsCommand.self,
        ]
    )
}
