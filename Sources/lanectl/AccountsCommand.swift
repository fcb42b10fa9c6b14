import ArgumentParser
import Foundation
import Journal
import LaneCore
import Logging
import StationServer

/// `lanectl accounts`: the station's sign-in accounts in its database (every change journaled).
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "List, add and change sign-in accounts / 管理登录账号.",
        discussion: "Accounts live in the station database (--db); see docs/operations.md.",
        subcommands: [List.self, Add.self, Password.self, Role.self, Disable.self])

    struct Database: ParsableArguments {
        @Option(help: "The station database.")
        var db = ".lanecontrol/station.sqlite"
        @Option(help: "Who makes the change (written in the journal).")
        var actor = "lanectl"

        func store() throws -> AccountStore {
            do {
                return try AccountStore(journal: try openJournal(db))
            } catch let exit as ExitCode {
                throw exit
            } catch {
                FileHandle.standardError.write(Data("cannot read the accounts of \(db): \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    /// A password from --password, else the first line of standard input (so it stays out of the shell history).
    static func password(_ given: String?) throws -> String {
        if let given { return given }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("give the password with --password or on standard input")
        }
        return line
    }

    static func fail(_ error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        return ExitCode(1)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var database: Database

        func run() async throws {
            let store = try database.store()
            for user in store.users {
                let disabled = store.account(user.id)?.disabled == true ? " (disabled)" : ""
                printNow("\(user.id)\t\(user.role.rawValue)\t\(user.driver?.rawValue ?? "-")\t\(user.name)\(disabled)")
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account.")
        @OptionGroup var database: Database
        @Option(help: "Login name.") var user: String
        @Option(help: "operator, driver, inspector or admin.") var role: String
        @Option(help: "Display name (default: the login name).") var name: String?
        @Option(help: "For a driver: the driver id of the profile (D01).") var driver: String?
        @Option(help: "The password (default: read from standard input).") var password: String?

        func run() async throws {
            guard let role = StationUser.Role(rawValue: role) else {
                throw ValidationError("--role must be operator, driver, inspector or admin (got \(role)).")
            }
            let store = try database.store()
            let user = StationUser(id: user, name: name ?? user, role: role, driver: driver.map(DriverID.init(rawValue:)))
            do {
                try await store.create(user, password: try AccountsCommand.password(password), by: database.actor)
            } catch let error as AccountError {
                throw AccountsCommand.fail(error)
            }
            printNow("added \(user.id) (\(role.rawValue))")
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set an account's password.")
        @OptionGroup var database: Database
        @Option(help: "Login name.") var user: String
        @Option(help: "The new password (default: read from standard input).") var password: String?

        func run() async throws {
            let store = try database.store()
            do {
                try await store.setPassword(of: user, to: try AccountsCommand.password(password), by: database.actor)
            } catch let error as AccountError {
                throw AccountsCommand.fail(error)
            }
            printNow("password of \(user) changed")
        }
    }

    struct Role: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an account's role.")
        @OptionGroup var database: Database
        @Option(help: "Login name.") var user: String
        @Option(help: "operator, driver, inspector or admin.") var role: String

        func run() async throws {
            guard let role = StationUser.Role(rawValue: role) else {
                throw ValidationError("--role must be operator, driver, inspector or admin (got \(role)).")
            }
            do {
                try database.store().setRole(of: user, to: role, by: database.actor)
            } catch let error as AccountError {
                throw AccountsCommand.fail(error)
            }
            printNow("\(user) is now \(role.rawValue)")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable (or with --enable, enable) an account.")
        @OptionGroup var database: Database
        @Option(help: "Login name.") var user: String
        @Flag(help: "Enable instead.") var enable = false

        func run() async throws {
            do {
                try database.store().setDisabled(user, !enable, by: database.actor)
            } catch let error as AccountError {
                throw AccountsCommand.fail(error)
            }
            printNow("\(user) \(enable ? "enabled" : "disabled")")
        }
    }
}
