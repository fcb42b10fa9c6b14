// The Modbus module. See docs/architecture.md.
