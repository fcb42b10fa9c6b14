// The Rigs module. See docs/architecture.md.
