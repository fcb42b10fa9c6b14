// The LaneTesting module. See docs/architecture.md.
