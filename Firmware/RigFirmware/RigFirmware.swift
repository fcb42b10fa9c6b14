// Simulated rig firmware. See docs/architecture.md.
