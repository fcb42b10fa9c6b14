// The InspectionRules module. See docs/architecture.md.
