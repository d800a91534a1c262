// Which errors mean "there is no usable database connection", as opposed to a bad query.
// The API answers those with a 503 and a retry hint (lib/api/errors.ts), the monitor and
// /api/health with their own words (lib/monitoring/explain-database-error.ts).

// Node socket errors and postgres.js's own connection errors: the server is down,
// restarting, or the network between is; trying again soon may well work.
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

// SQLSTATEs of the same kind: class 08 (connection exception), the server shutting down
// or starting up (57P01–57P03), too many connections (53300).
const TRANSIENT_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

// SQLSTATEs that need a person to change the configuration: a database that does not
// exist (3D000) and failed authentication (28000, 28P01).
const MISCONFIGURED_SQLSTATES = new Set(["3D000", "28000", "28P01"]);

export interface DatabaseUnavailable {
  /** The error code (ECONNREFUSED, 57P01, …), or DATABASE_URL when it is missing or invalid. */
  code: string;
  /** true: the database is down or unreachable for now; false: the configuration is wrong. */
  transient: boolean;
}

function codeOf(error: object): string | null {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

/**
 * What kind of "no database" `error` is, or null for any other error. Looks through
 * AggregateError (Node's happy-eyeballs connect tries several addresses) and `cause`.
 */
export function classifyDatabaseUnavailable(error: unknown, depth = 0): DatabaseUnavailable | null {
  if (typeof error !== "object" || error === null || depth > 3) return null;
  // lib/env.ts: "DATABASE_URL: DATABASE_URL is not set …" / "… must be a postgres:// URL".
  if (error instanceof Error && error.message.startsWith("DATABASE_URL")) return { code: "DATABASE_URL", transient: false };
  const code = codeOf(error);
  if (code !== null) {
    if (UNREACHABLE_CODES.has(code) || code.startsWith("08") || TRANSIENT_SQLSTATES.has(code)) return { code, transient: true };
    if (MISCONFIGURED_SQLSTATES.has(code)) return { code, transient: false };
  }
  const nested = [...(error instanceof AggregateError ? error.errors : []), (error as { cause?: unknown }).cause];
  for (const inner of nested) {
    const found = classifyDatabaseUnavailable(inner, depth + 1);
    if (found) return found;
  }
  return null;
}
