/// Batch audits: inputs, analysis keys, the results store and summaries (see docs/audit.md).
public enum Audit {}
