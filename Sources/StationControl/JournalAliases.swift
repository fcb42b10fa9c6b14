import Journal

// `Journal` is both the module and its main class, so `Journal.DrawRecord` does not name the module's type;
// Valet and InspectionRules have types of the same names. These aliases pick the journal's.
typealias JournalDrawRecord = DrawRecord
typealias JournalItemVerdict = ItemVerdict
