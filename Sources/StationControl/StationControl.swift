/// The live station behind the server: the journaled dispatcher, one runner per lane feeding the
/// procedures from the pollers' samples, and the operator, driver and inspector actions. See
/// docs/architecture.md.
public enum StationControl {}
