// The Valet module: queue, drivers, the auditable random draw. See docs/architecture.md.
