// The Procedures module. See docs/architecture.md.
