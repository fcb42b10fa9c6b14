// The Journal module. See docs/architecture.md.
