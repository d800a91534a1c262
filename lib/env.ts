import { z } from "zod";

/**
 * Every setting Gradeline reads from its environment, with its default, in one place.
 * Each group is parsed once, when first used, so a process reads only what it needs
 * (the worker never needs CRON_SECRET) and a bad value fails with a sentence that
 * names the variable and says how to fix it.
 */
type Env = Record<string, string | undefined>;

export const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";
export const DEFAULT_DRAIN_CONCURRENCY = 8;
export const DEFAULT_EMBEDDED_PG_PORT = 54329;

/** Empty strings count as unset: `FOO=` in a .env file means "no value". */
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const DATABASE_URL_MESSAGE = "DATABASE_URL must be a postgres:// URL";
const PORT_MESSAGE = "GRADELINE_PG_PORT must be a port number (1-65535)";

const databaseSchema = z.object({
  /** Supabase or any Postgres; unset means the embedded PostgreSQL (scripts start it). */
  DATABASE_URL: optionalText.pipe(
    // Not z.url(): libpq's forms (a socket directory as ?host=, an empty host) are valid here.
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, DATABASE_URL_MESSAGE)
      .optional(),
  ),
  /** `transaction` for a pooler in transaction mode other than Supabase's port 6543. */
  DATABASE_POOLER: optionalText.pipe(z.enum(["transaction", "session"], "DATABASE_POOLER must be transaction or session").optional()),
  /** The embedded PostgreSQL's port on 127.0.0.1. */
  GRADELINE_PG_PORT: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: PORT_MESSAGE })
      .int(PORT_MESSAGE)
      .min(1, PORT_MESSAGE)
      .max(65535, PORT_MESSAGE)
      .default(DEFAULT_EMBEDDED_PG_PORT),
  ),
});

const raterSchema = z.object({
  /** With a key the OpenAI-compatible rater runs; without one, the offline local rater. */
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText.pipe(z.url("OPENAI_BASE_URL must be a URL, e.g. https://api.openai.com/v1").optional()),
  OPENAI_MODEL: optionalText.transform((value) => value ?? DEFAULT_OPENAI_MODEL),
});

const CONCURRENCY_MESSAGE = "GRADING_CONCURRENCY must be a whole number above 0";

const drainSchema = z.object({
  /** How many jobs one drain of the web app (inline or cron) runs at once; the worker has --concurrency. */
  GRADING_CONCURRENCY: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: CONCURRENCY_MESSAGE })
      .int(CONCURRENCY_MESSAGE)
      .positive(CONCURRENCY_MESSAGE)
      .default(DEFAULT_DRAIN_CONCURRENCY),
  ),
  /** `0` when dedicated workers should do all the work: requests then do not drain in after(). */
  GRADELINE_INLINE_DRAIN: optionalText
    .pipe(z.enum(["0", "1"], "GRADELINE_INLINE_DRAIN must be 0 or 1").default("1"))
    .transform((value) => value === "1"),
});

const cronSchema = z.object({
  CRON_SECRET: optionalText.pipe(z.string().min(16, "CRON_SECRET must be at least 16 characters").optional()),
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
});

const webSchema = z.object({
  /** The port `npm start` serves the app on. */
  PORT: optionalText.pipe(
    z.coerce.number<string | undefined>({ error: "PORT must be a port number (1-65535)" }).int().min(1).max(65535).default(3000),
  ),
});

export type DatabaseEnv = z.infer<typeof databaseSchema>;
export type RaterEnv = z.infer<typeof raterSchema>;
export type DrainEnv = z.infer<typeof drainSchema>;
export type CronEnv = z.infer<typeof cronSchema>;

export class InvalidEnvironmentError extends Error {
  override name = "InvalidEnvironmentError";
}

/** Parses one group of settings; the first problem becomes the error's sentence. */
export function parseEnv<T>(schema: z.ZodType<T>, env: Env): T {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const variable = issue.path.join(".");
  throw new InvalidEnvironmentError(issue.message.startsWith(variable) ? issue.message : `${variable}: ${issue.message}`);
}

function cachedGroup<T>(schema: z.ZodType<T>): (env?: Env) => T {
  let cached: T | undefined;
  return (env) => {
    if (env) return parseEnv(schema, env);
    cached ??= parseEnv(schema, process.env);
    return cached;
  };
}

/** Where the database is; read afresh each time, since scripts and test setup set DATABASE_URL as they go. */
export function databaseEnv(env: Env = process.env): DatabaseEnv {
  return parseEnv(databaseSchema, env);
}
/** Which rater runs, and where its LLM is. */
export const raterEnv = cachedGroup(raterSchema);
/** How the web app and workers drain the queue. */
export const drainEnv = cachedGroup(drainSchema);
/** The cron route's guard. */
export const cronEnv = cachedGroup(cronSchema);
/** Where `npm start` serves the app. */
export const webEnv = cachedGroup(webSchema);

/** The URL the Next server connects to: set by `npm start` (embedded) or the deployment. */
export function serverDatabaseUrl(): string {
  const url = databaseEnv().DATABASE_URL;
  if (!url) {
    throw new InvalidEnvironmentError(
      "DATABASE_URL is not set: start the app with `npm start` (embedded Postgres) or set it to your Supabase connection string",
    );
  }
  return url;
}

// --- Limits on the work one request can start (#9) ---

export const DEFAULT_MAX_LINES_PER_SUBMISSION = 400;
export const DEFAULT_MAX_LINES_PER_SESSION = 20_000;

const wholeNumberAbove0 = (variable: string, fallback: number) => {
  const message = `${variable} must be a whole number above 0`;
  return optionalText.pipe(z.coerce.number<string | undefined>({ error: message }).int(message).positive(message).default(fallback));
};

const limitsSchema = z.object({
  /** Lines one essay may have after splitting (one rating, so about a fifth of an LLM call, each). */
  MAX_LINES_PER_SUBMISSION: wholeNumberAbove0("MAX_LINES_PER_SUBMISSION", DEFAULT_MAX_LINES_PER_SUBMISSION),
  /** Lines a whole class upload may have in all: 20,000 lines are about 4,000 LLM calls. */
  MAX_LINES_PER_SESSION: wholeNumberAbove0("MAX_LINES_PER_SESSION", DEFAULT_MAX_LINES_PER_SESSION),
});
export type LimitsEnv = z.infer<typeof limitsSchema>;

/** How much grading one request may start. */
export const limitsEnv = cachedGroup(limitsSchema);

// Who may reach the web app (#9): the address `npm start` binds, and the Host names it
// answers to (anything else is refused, so a DNS-rebinding page cannot read it).

const HOST_MESSAGE = "HOST must be an IP address or a host name, e.g. 127.0.0.1 (this computer only) or 0.0.0.0 (every network interface)";
const ALLOWED_HOSTS_MESSAGE =
  "ALLOWED_HOSTS must be host names or IP addresses separated by commas, e.g. gradeline.school.edu,192.168.1.20";
const hostName = (message: string) => z.union([z.ipv4(), z.ipv6(), z.hostname()], message);
/** A Vercel system variable: a host name without scheme (my-app-abc123.vercel.app). */
const vercelHost = optionalText.transform((value) => value?.replace(/^https?:\/\//, "").replace(/\/.*$/, ""));

const exposureSchema = z.object({
  /** The address `npm start` listens on: this computer only unless set (0.0.0.0 shares it on the network). */
  HOST: optionalText.pipe(hostName(HOST_MESSAGE).default("127.0.0.1")),
  /** Host names the app answers to besides localhost, 127.0.0.1, [::1] and HOST (a reverse proxy's public name, a LAN name). */
  ALLOWED_HOSTS: optionalText
    .transform((value) =>
      (value ?? "")
        .split(",")
        // Names are compared without a port; [::1] is kept as ::1.
        .map((host) =>
          host
            .trim()
            .toLowerCase()
            .replace(/^([^:]+):\d+$/, "$1")
            .replace(/^\[(.*)\](:\d+)?$/, "$1"),
        )
        .filter((host) => host !== ""),
    )
    .refine((hosts) => hosts.every((host) => hostName(ALLOWED_HOSTS_MESSAGE).safeParse(host).success), ALLOWED_HOSTS_MESSAGE),
  VERCEL_URL: vercelHost,
  VERCEL_BRANCH_URL: vercelHost,
  VERCEL_PROJECT_PRODUCTION_URL: vercelHost,
});
export type ExposureEnv = z.infer<typeof exposureSchema>;

/** Where `npm start` listens and which Host names the proxy (proxy.ts) lets through. */
export const exposureEnv = cachedGroup(exposureSchema);

const documentSchema = z.object({
  /** How long one .docx may take to read in its worker thread before it is refused (#9). */
  GRADELINE_DOCUMENT_TIMEOUT_MS: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: "GRADELINE_DOCUMENT_TIMEOUT_MS must be a whole number of milliseconds above 0" })
      .int("GRADELINE_DOCUMENT_TIMEOUT_MS must be a whole number of milliseconds above 0")
      .positive("GRADELINE_DOCUMENT_TIMEOUT_MS must be a whole number of milliseconds above 0")
      .default(10_000),
  ),
  /** The heap limit of that worker thread; a realistic 100-page essay needs under 100 MB. */
  GRADELINE_DOCUMENT_MEMORY_MB: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: "GRADELINE_DOCUMENT_MEMORY_MB must be a whole number of megabytes, at least 16" })
      .int("GRADELINE_DOCUMENT_MEMORY_MB must be a whole number of megabytes, at least 16")
      .min(16, "GRADELINE_DOCUMENT_MEMORY_MB must be a whole number of megabytes, at least 16")
      .default(256),
  ),
  /** How far a .docx may expand when unzipped; beyond it the file is refused before anything inflates it. */
  GRADELINE_DOCUMENT_MAX_UNCOMPRESSED_MB: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: "GRADELINE_DOCUMENT_MAX_UNCOMPRESSED_MB must be a whole number of megabytes above 0" })
      .int("GRADELINE_DOCUMENT_MAX_UNCOMPRESSED_MB must be a whole number of megabytes above 0")
      .positive("GRADELINE_DOCUMENT_MAX_UNCOMPRESSED_MB must be a whole number of megabytes above 0")
      .default(32),
  ),
  /** The whole body of a class upload (every file together); each file is also capped at 5 MB. */
  GRADELINE_UPLOAD_MAX_MB: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: "GRADELINE_UPLOAD_MAX_MB must be a whole number of megabytes above 0" })
      .int("GRADELINE_UPLOAD_MAX_MB must be a whole number of megabytes above 0")
      .positive("GRADELINE_UPLOAD_MAX_MB must be a whole number of megabytes above 0")
      .default(32),
  ),
});

export interface DocumentEnv {
  timeoutMs: number;
  memoryMb: number;
  maxUncompressedBytes: number;
  maxUploadBytes: number;
}

const documentGroup = cachedGroup(documentSchema);

/** The limits on uploaded documents and the worker that reads them (#9). */
export function documentEnv(env?: Env): DocumentEnv {
  const parsed = documentGroup(env);
  return {
    timeoutMs: parsed.GRADELINE_DOCUMENT_TIMEOUT_MS,
    memoryMb: parsed.GRADELINE_DOCUMENT_MEMORY_MB,
    maxUncompressedBytes: parsed.GRADELINE_DOCUMENT_MAX_UNCOMPRESSED_MB * 1024 * 1024,
    maxUploadBytes: parsed.GRADELINE_UPLOAD_MAX_MB * 1024 * 1024,
  };
}

// Live streams (#9).

/** A whole number from `min` up, with a default; the sentence names the variable. */
function wholeNumberSetting(variable: string, min: number, fallback: number) {
  const message = `${variable} must be a whole number of at least ${min}`;
  return optionalText.pipe(z.coerce.number<string | undefined>({ error: message }).int(message).min(min, message).default(fallback));
}

export const DEFAULT_LIVE_STREAMS_PER_CLIENT = 20;
export const DEFAULT_LIVE_STREAMS_MAX = 1_000;
export const DEFAULT_LIVE_STREAM_SAFETY_POLL_MS = 30_000;

const liveStreamsSchema = z.object({
  /** Server-Sent Events streams one client (address) may hold open at once in one server process; beyond it, 429. */
  LIVE_STREAMS_PER_CLIENT: wholeNumberSetting("LIVE_STREAMS_PER_CLIENT", 1, DEFAULT_LIVE_STREAMS_PER_CLIENT),
  /** Streams one server process holds open at once, all clients together. */
  LIVE_STREAMS_MAX: wholeNumberSetting("LIVE_STREAMS_MAX", 1, DEFAULT_LIVE_STREAMS_MAX),
  /** While LISTEN works, how long a quiet stream waits before reading anyway (a missed notification heals). */
  LIVE_STREAM_SAFETY_POLL_MS: wholeNumberSetting("LIVE_STREAM_SAFETY_POLL_MS", 1_000, DEFAULT_LIVE_STREAM_SAFETY_POLL_MS),
});
export type LiveStreamsEnv = z.infer<typeof liveStreamsSchema>;
/** Caps and timers of the live streams. */
export const liveStreamsEnv = cachedGroup(liveStreamsSchema);

// Cleanup and data retention (#9).

export const DEFAULT_CLEANUP_INTERVAL_MS = 10 * 60 * 1000;
const RETENTION_DAYS_MESSAGE = "RETENTION_DAYS must be a whole number of days above 0 (leave it unset to keep submissions forever)";

const retentionSchema = z.object({
  /** Submissions (with their lines, ratings and overrides) older than this many days are deleted; unset keeps them forever. */
  RETENTION_DAYS: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: RETENTION_DAYS_MESSAGE })
      .int(RETENTION_DAYS_MESSAGE)
      .positive(RETENTION_DAYS_MESSAGE)
      .optional(),
  ),
  /** How often a worker (and, at most, the web app's drain) deletes finished jobs and what is past retention. */
  CLEANUP_INTERVAL_MS: wholeNumberSetting("CLEANUP_INTERVAL_MS", 1_000, DEFAULT_CLEANUP_INTERVAL_MS),
});
export type RetentionEnv = z.infer<typeof retentionSchema>;
/** What is kept, for how long, and how often cleanup runs. */
export const retentionEnv = cachedGroup(retentionSchema);

/**
 * Parses every group a server process uses, so a bad value stops the web app or the
 * worker when it starts, not the first request that happens to read it.
 */
export function checkServerEnv(env: Env = process.env): void {
  databaseEnv(env);
  raterEnv(env);
  drainEnv(env);
  cronEnv(env);
  limitsEnv(env);
  exposureEnv(env);
  documentEnv(env);
  liveStreamsEnv(env);
  retentionEnv(env);
}
