// The Profiles module. See docs/architecture.md.
