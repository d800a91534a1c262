/**
 * Live-stream benchmark: `npm run bench:streams [-- --streams 200 --seconds 20]`.
 *
 * What an open Server-Sent Events stream costs the database (#9). The real app (`next
 * start`, built if needed, inline drain off so nothing grades and every stream stays open)
 * on a fresh database `gradeline_bench_streams`, one submission per stream. Each phase:
 *
 *   1. wait for the statistics to settle, read pg_stat_database.xact_commit;
 *   2. open N streams at once, one client address each (X-Forwarded-For), each on its own
 *      submission, and hold them for S seconds from the first open; halfway through, one
 *      rating is written (as a job writes it) to one submission and timed until its
 *      `line` event arrives on that stream;
 *   3. close them all, wait for the statistics again (backends report when idle, within
 *      10 s), read xact_commit again.
 *
 * Phases: `listen` (LISTEN/NOTIFY, the default) and `no-listen` (DATABASE_POOLER=transaction:
 * LISTEN cannot work behind a transaction pooler, so streams poll; the same as LISTEN being
 * down). The transactions counted are everyone's in that database: the app's (route checks,
 * catch-up reads, polls, the listener's heartbeat) and this script's few (the rating, the
 * two reads); an idle embedded database adds a handful per 10 s of its own.
 *
 * Last line of stdout, one JSON object:
 *   streams, seconds           N and S
 *   <phase>_transactions       xact_commit delta over the phase
 *   <phase>_per_stream         that / N
 *   <phase>_notify_ms          rating committed → its `line` event on the stream
 */
import { parseArgs } from "node:util";
import { createSql, type Sql } from "../lib/db/sql";
import { createSubmission } from "../lib/submissions/create-submission";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../tests/helpers/grading";
import { startApp } from "../tests/helpers/next-server";
import { ensureNextBuild } from "../tests/setup/build-next";
import { collectSse, committedTransactions, rateLines, ratedIndexes, sleep, STATS_FLUSH_MS } from "../tests/streams/support";
import { freshDatabase } from "./bench/fresh-database";

const DATABASE = "gradeline_bench_streams";
const log = (line: string) => process.stderr.write(`${line}\n`);

function parseFlags(): { streams: number; seconds: number } {
  const { values } = parseArgs({ options: { streams: { type: "string" }, seconds: { type: "string" } } });
  const positive = (name: string, value: string | undefined, fallback: number) => {
    const parsed = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) {
      log(`bench:streams: --${name} must be a positive whole number, got "${value}"`);
      process.exit(2);
    }
    return parsed;
  };
  return { streams: positive("streams", values.streams, 200), seconds: positive("seconds", values.seconds, 20) };
}

async function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

interface PhaseResult {
  transactions: number;
  notifyMs: number;
}

async function runPhase(
  name: string,
  env: Record<string, string>,
  sql: Sql,
  submissionIds: string[],
  seconds: number,
): Promise<PhaseResult> {
  const app = await startApp({ GRADELINE_INLINE_DRAIN: "0", ...env });
  try {
    log(`[${name}] app up; letting the statistics settle (${STATS_FLUSH_MS / 1000} s)`);
    await sleep(STATS_FLUSH_MS);
    const before = await committedTransactions(sql);
    const openedAt = performance.now();
    const aborts = submissionIds.map(() => new AbortController());
    const streams = await Promise.all(
      submissionIds.map(async (id, i) => {
        // One address per stream: 200 browsers, not one client over its cap.
        const client = `10.${Math.floor(i / 65536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`;
        const response = await fetch(`${app.url}/api/submissions/${id}/events`, {
          headers: { "x-forwarded-for": client },
          signal: aborts[i]!.signal,
        });
        if (response.status !== 200) throw new Error(`stream ${i}: HTTP ${response.status} ${await response.text()}`);
        return collectSse(response.body!);
      }),
    );
    await waitUntil("every stream's first read", () => streams.every((s) => s.events.length > 0), 60_000);
    log(`[${name}] ${streams.length} streams open in ${Math.round(performance.now() - openedAt)} ms; holding ${seconds} s`);

    await sleep(Math.max(0, (seconds * 1000) / 2 - (performance.now() - openedAt)));
    const probe = Math.floor(submissionIds.length / 2);
    await rateLines(sql, submissionIds[probe]!, [0]);
    const committedAt = performance.now();
    await waitUntil("the rating on its stream", () => ratedIndexes(streams[probe]!.events).length > 0, 30_000);
    const notifyMs = performance.now() - committedAt;

    await sleep(Math.max(0, seconds * 1000 - (performance.now() - openedAt)));
    for (const abort of aborts) abort.abort();
    await Promise.all(streams.map((stream) => stream.cancel()));
    log(`[${name}] closed after ${((performance.now() - openedAt) / 1000).toFixed(1)} s; letting the statistics settle`);
    await sleep(STATS_FLUSH_MS);
    const transactions = (await committedTransactions(sql)) - before;
    log(
      `[${name}] ${transactions} transactions (${(transactions / streams.length).toFixed(1)} per stream); a rating reached its stream in ${Math.round(notifyMs)} ms`,
    );
    // The probe's rating must not count for the next phase.
    await sql`delete from line_ratings where submission_id = ${submissionIds[probe]!}`;
    return { transactions, notifyMs };
  } finally {
    await app.stop();
  }
}

async function main() {
  const { streams, seconds } = parseFlags();
  log(`bench:streams — ${streams} streams held ${seconds} s, LISTEN/NOTIFY and without LISTEN`);
  ensureNextBuild();
  const databaseUrl = await freshDatabase(DATABASE);
  const sql = createSql(databaseUrl);
  try {
    const assignment = await createTestAssignment(sql);
    const ids: string[] = [];
    for (let i = 0; i < streams; i++) {
      const created = await createSubmission(
        sql,
        { assignmentId: assignment.id, studentName: `Student ${i}`, text: makeEssay(3, `bench-${i}`) },
        { rater: identityOnlyRater },
      );
      ids.push(created.id);
    }
    const listen = await runPhase("listen", { DATABASE_URL: databaseUrl }, sql, ids, seconds);
    const fallback = await runPhase("no-listen", { DATABASE_URL: databaseUrl, DATABASE_POOLER: "transaction" }, sql, ids, seconds);
    const summary = {
      streams,
      seconds,
      listen_transactions: listen.transactions,
      listen_per_stream: Number((listen.transactions / streams).toFixed(2)),
      listen_notify_ms: Math.round(listen.notifyMs),
      no_listen_transactions: fallback.transactions,
      no_listen_per_stream: Number((fallback.transactions / streams).toFixed(2)),
      no_listen_notify_ms: Math.round(fallback.notifyMs),
    };
    log(`  before #9: 6,640 transactions for 200 streams in 20 s (every stream polled every 2-3 s, LISTEN or not)`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await sql.end();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:streams failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
