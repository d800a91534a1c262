// Routes declare `maxDuration` as a literal (Next reads it statically): 300 s for the
// grading routes, 60 s for the cron route. Their drains stop claiming well before.
export const STREAM_DRAIN_BUDGET_MS = 240_000;
export const CRON_DRAIN_BUDGET_MS = 45_000;

// The largest JSON body each kind of request may send (readJsonBody answers 413 beyond).
/** Essay text is capped at 100 KB; JSON escaping can add a little. */
export const MAX_SUBMISSION_REQUEST_BYTES = 160 * 1024;
/** A rubric of 20 criteria with 10 levels of 1,000 characters each fits. */
export const MAX_ASSIGNMENT_REQUEST_BYTES = 256 * 1024;
export const MAX_OVERRIDE_REQUEST_BYTES = 16 * 1024;
