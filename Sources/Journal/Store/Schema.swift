import GRDB

/// The database schema, as GRDB migrations. Migrations are append-only: a released migration is
/// never edited; a change is a new migration (see docs/journal.md).
enum Schema {
    /// Tables that are insert-only; each gets triggers aborting UPDATE and DELETE.
    static let appendOnlyTables = [
        "journal", "users", "vehicles", "inspections", "inspection_outcomes", "measurements", "curves", "items",
        "prompts", "acknowledgements", "shifts", "shift_closes", "draws", "assignments", "signoffs", "samples",
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-journal-and-evidence") { db in
            try db.execute(sql: v1)
            for table in appendOnlyTables {
                try db.execute(sql: appendOnlyTriggers(table))
            }
        }
        return migrator
    }

    /// Triggers that make a table insert-only. Dropping them is the only way to change a row, and
    /// `verify` reports both the missing trigger and the changed row.
    static func appendOnlyTriggers(_ table: String) -> String {
        """
        CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
        BEGIN SELECT RAISE(ABORT, '\(table) is append-only: rows are never updated; append a correction entry instead'); END;
        CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
        BEGIN SELECT RAISE(ABORT, '\(table) is append-only: rows are never deleted; append a correction entry instead'); END;
        """
    }

    static let v1 = """
        CREATE TABLE journal (
            seq           INTEGER PRIMARY KEY,
            at_ms         INTEGER NOT NULL,
            kind          TEXT    NOT NULL,
            inspection_id TEXT,
            actor         TEXT    NOT NULL,
            payload       TEXT    NOT NULL,
            corrects      INTEGER REFERENCES journal(seq),
            prev_hash     TEXT    NOT NULL,
            hash          TEXT    NOT NULL
        );
        CREATE INDEX journal_by_inspection ON journal(inspection_id, seq);
        CREATE INDEX journal_by_kind ON journal(kind, seq);

        CREATE TABLE users (
            journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
            id          TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            role        TEXT NOT NULL
        );

        CREATE TABLE vehicles (
            journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
            id          TEXT PRIMARY KEY,
            plate       TEXT NOT NULL,
            vin         TEXT,
            data        TEXT NOT NULL,
            arrived_at  INTEGER NOT NULL
        );
        CREATE INDEX vehicles_by_plate ON vehicles(plate);

        CREATE TABLE inspections (
            journal_seq      INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
            id               TEXT PRIMARY KEY,
            vehicle_id       TEXT NOT NULL REFERENCES vehicles(id),
            lane             TEXT NOT NULL,
            attempt          INTEGER NOT NULL CHECK (attempt >= 1),
            retest_of        TEXT REFERENCES inspections(id),
            opened_at        INTEGER NOT NULL,
            operator_id      TEXT,
            software_version TEXT NOT NULL,
            profile_version  TEXT NOT NULL,
            CHECK ((attempt = 1) = (retest_of IS NULL))
        );
        CREATE INDEX inspections_by_opened ON inspections(opened_at);
        CREATE UNIQUE INDEX inspections_one_retest ON inspections(retest_of) WHERE retest_of IS NOT NULL;

        CREATE TABLE inspection_outcomes (
            journal_seq   INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
            inspection_id TEXT PRIMARY KEY REFERENCES inspections(id),
            status        TEXT NOT NULL CHECK (status IN ('pass','fail','incomplete','aborted','interrupted')),
            closed_at     INTEGER NOT NULL,
            reason        TEXT
        );

        CREATE TABLE measurements (
            journal_seq     INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
            id              TEXT PRIMARY KEY,
            inspection_id   TEXT NOT NULL REFERENCES inspections(id),
            station         TEXT NOT NULL,
            rig             TEXT,
            name            TEXT NOT NULL,
            figures         TEXT NOT NULL,
            started_mono_ns INTEGER,
            ended_mono_ns   INTEGER,
            at              INTEGER NOT NULL
        );
        CREATE INDEX measurements_by_inspection ON measurements(inspection_id);

        CREATE TABLE curves (
            journal_seq    INTEGER PRIMARY KEY REFERENCES journal(seq),
            measurement_id TEXT NOT NULL REFERENCES measurements(id),
            inspection_id  TEXT NOT NULL REFERENCES inspections(id),
            channel        TEXT NOT NULL,
            unit           TEXT NOT NULL,
            resolution     REAL NOT NULL CHECK (resolution > 0),
            point_count    INTEGER NOT NULL,
            encoding       TEXT NOT NULL,
            data_sha256    TEXT NOT NULL,
            data           BLOB NOT NULL,
            UNIQUE (measurement_id, channel)
        );
        CREATE INDEX curves_by_inspection ON curves(inspection_id);

        CREATE TABLE items (
            journal_seq     INTEGER PRIMARY KEY REFERENCES journal(seq),
            inspection_id   TEXT NOT NULL REFERENCES inspections(id),
            item            TEXT NOT NULL,
            value           REAL,
            unit            TEXT,
            "limit"         TEXT,
            verdict         TEXT NOT NULL CHECK (verdict IN ('pass','fail','incomplete','not_applicable')),
            ruleset         TEXT NOT NULL,
            ruleset_version TEXT NOT NULL,
            clause          TEXT,
            explanation     TEXT,
            measurement_id  TEXT REFERENCES measurements(id),
            corrects        INTEGER REFERENCES items(journal_seq),
            at              INTEGER NOT NULL
        );
        CREATE INDEX items_by_inspection ON items(inspection_id, item);

        CREATE TABLE prompts (
            journal_seq   INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
            id            TEXT PRIMARY KEY,
            inspection_id TEXT REFERENCES inspections(id),
            recipient     TEXT NOT NULL,
            kind          TEXT NOT NULL,
            text          TEXT NOT NULL,
            at            INTEGER NOT NULL
        );
        CREATE INDEX prompts_by_inspection ON prompts(inspection_id);

        CREATE TABLE acknowledgements (
            journal_seq   INTEGER PRIMARY KEY REFERENCES journal(seq),
            prompt_id     TEXT NOT NULL REFERENCES prompts(id),
            inspection_id TEXT REFERENCES inspections(id),
            actor         TEXT NOT NULL,
            response      TEXT NOT NULL,
            at            INTEGER NOT NULL
        );
        CREATE INDEX acknowledgements_by_prompt ON acknowledgements(prompt_id);

        CREATE TABLE shifts (
            journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
            id          TEXT PRIMARY KEY,
            lane        TEXT,
            opened_at   INTEGER NOT NULL,
            seed_hash   TEXT NOT NULL
        );

        CREATE TABLE shift_closes (
            journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
            shift_id    TEXT PRIMARY KEY REFERENCES shifts(id),
            closed_at   INTEGER NOT NULL,
            seed        TEXT NOT NULL
        );

        CREATE TABLE draws (
            journal_seq   INTEGER PRIMARY KEY REFERENCES journal(seq),
            shift_id      TEXT NOT NULL REFERENCES shifts(id),
            draw_index    INTEGER NOT NULL,
            eligible      TEXT NOT NULL,
            chosen        TEXT NOT NULL,
            inspection_id TEXT REFERENCES inspections(id),
            at            INTEGER NOT NULL,
            UNIQUE (shift_id, draw_index)
        );

        CREATE TABLE assignments (
            journal_seq   INTEGER PRIMARY KEY REFERENCES journal(seq),
            inspection_id TEXT NOT NULL REFERENCES inspections(id),
            driver        TEXT NOT NULL,
            task          TEXT NOT NULL,
            shift_id      TEXT NOT NULL,
            draw_index    INTEGER NOT NULL,
            at            INTEGER NOT NULL,
            FOREIGN KEY (shift_id, draw_index) REFERENCES draws(shift_id, draw_index)
        );
        CREATE INDEX assignments_by_inspection ON assignments(inspection_id);

        CREATE TABLE signoffs (
            journal_seq   INTEGER PRIMARY KEY REFERENCES journal(seq),
            inspection_id TEXT NOT NULL REFERENCES inspections(id),
            user_id       TEXT NOT NULL REFERENCES users(id),
            decision      TEXT NOT NULL CHECK (decision IN ('approved','retest_ordered','rejected')),
            comment       TEXT,
            at            INTEGER NOT NULL
        );
        CREATE INDEX signoffs_by_inspection ON signoffs(inspection_id);

        CREATE TABLE samples (
            id              INTEGER PRIMARY KEY,
            batch_seq       INTEGER NOT NULL REFERENCES journal(seq),
            rig             TEXT NOT NULL,
            sequence        INTEGER NOT NULL,
            mono_ns         INTEGER NOT NULL,
            quality         TEXT NOT NULL,
            deadline_missed INTEGER NOT NULL,
            channel_values  BLOB NOT NULL
        );
        CREATE INDEX samples_by_batch ON samples(batch_seq);
        CREATE INDEX samples_by_rig_time ON samples(rig, mono_ns);
        """
}
