/**
 * Grading benchmark: `npm run bench:grading [-- --quick]`.
 *
 * The real app (`next start`, built if needed) on a fresh database `gradeline_bench_grading`,
 * rating through the real openai client against our fake OpenAI-compatible server with
 * 800 ms latency. The app's only consumer is the submitting requests' shared drain, at
 * LLM concurrency 8 (GRADING_CONCURRENCY), so LLM calls never exceed 8 at a time.
 *
 * A class of 30 essays × 40 lines, a third of each essay's lines drawn from a pool of
 * lines shared across essays ("In conclusion, …"), submitted one every 250 ms to
 * POST /api/grade/stream; each stream is read until its `graded` event.
 *
 * Last line of stdout, one JSON object:
 *   ttfr_p50_ms / ttfr_p95_ms  POST sent → first `line` event on that stream
 *   total_s                    first POST → last `graded` event
 *   ideal_s                    ceil(llm_calls / 8) × 0.8: perfectly packed LLM calls
 *   llm_calls                  chat requests answered by the fake server (rating and grading)
 *   rate_calls                 of which line-rating calls
 *   lines                      lines submitted
 *   cache_hit_rate             lines rated from the phrase cache / lines
 *   tokens                     prompt + completion tokens recorded in llm_calls
 */
import { createAssignment } from "../lib/assignments/assignments";
import type { Rubric } from "../lib/assignments/rubric";
import { ensureNextBuild } from "../tests/setup/build-next";
import { readSse, startApp } from "../tests/helpers/next-server";
import { startFakeOpenAiServer } from "../tests/support/fake-openai-server";
import { createSql } from "../lib/db/sql";
import { freshDatabase } from "./bench/fresh-database";

const quick = process.argv.includes("--quick");
const ESSAYS = quick ? 12 : 30;
const LINES_PER_ESSAY = 40;
const SHARED_PER_ESSAY = Math.round(LINES_PER_ESSAY / 3);
const SHARED_POOL = 16;
const LLM_LATENCY_MS = 800;
const CONCURRENCY = 8;
const ARRIVAL_INTERVAL_MS = 250;
const DATABASE = "gradeline_bench_grading";

const rubric: Rubric = {
  scale: { min: 1, max: 5 },
  criteria: ["ideas", "organization", "conventions"].map((id) => ({
    id,
    name: id[0]!.toUpperCase() + id.slice(1),
    description: "",
    levels: [
      { score: 1, label: "Beginning", description: "" },
      { score: 5, label: "Strong", description: "" },
    ],
  })),
};

const sharedPool = Array.from({ length: SHARED_POOL }, (_, i) =>
  [
    "In conclusion, schools should start later.",
    "Teenagers need more sleep than adults.",
    "Many students are tired in the morning.",
    "This is why I agree with the idea.",
  ][i % 4]!.replace(".", i < 4 ? "." : ` (${i}).`),
);

/** Deterministic essays: shared lines at spread positions, the rest unique to the essay. */
function makeEssay(essay: number): string {
  const lines: string[] = [];
  for (let line = 0; line < LINES_PER_ESSAY; line++) {
    const shared = line % 3 === 1 && lines.filter((l) => sharedPool.includes(l)).length < SHARED_PER_ESSAY;
    lines.push(
      shared
        ? sharedPool[(essay * 5 + line) % SHARED_POOL]!
        : `Essay ${essay} makes point ${line}: a later bell gives ${line + essay} more minutes of rest.`,
    );
  }
  return lines.join("\n");
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`bench:grading — ${ESSAYS} essays × ${LINES_PER_ESSAY} lines, LLM latency ${LLM_LATENCY_MS} ms, concurrency ${CONCURRENCY}`);
  ensureNextBuild();
  const databaseUrl = await freshDatabase(DATABASE);
  const sql = createSql(databaseUrl);
  const llm = await startFakeOpenAiServer({ latencyMs: LLM_LATENCY_MS });
  const app = await startApp({
    DATABASE_URL: databaseUrl,
    OPENAI_API_KEY: "bench-key",
    OPENAI_BASE_URL: llm.url,
    OPENAI_MODEL: "gpt-4o-mini",
    GRADING_CONCURRENCY: String(CONCURRENCY),
  });
  try {
    const assignment = await createAssignment(sql, { title: "Bench", prompt: "Should school start later?", rubric });
    const startedAt = performance.now();
    let graded = 0;
    const progress = setInterval(
      () => log(`  ${graded}/${ESSAYS} graded, ${llm.requests.length} LLM calls, ${llm.inFlight} in flight`),
      2_000,
    );
    const runs = Array.from({ length: ESSAYS }, async (_, essay) => {
      await new Promise((resolve) => setTimeout(resolve, essay * ARRIVAL_INTERVAL_MS));
      const sentAt = performance.now();
      const response = await fetch(`${app.url}/api/grade/stream`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assignmentId: assignment.id, studentName: `Student ${essay}`, text: makeEssay(essay) }),
      });
      if (!response.ok) throw new Error(`essay ${essay}: HTTP ${response.status} ${await response.text()}`);
      let firstRatingAt: number | null = null;
      const events = await readSse(
        response,
        (event) => {
          if (event.event === "line" && firstRatingAt === null) firstRatingAt = performance.now();
          return event.event === "graded" || event.event === "failed";
        },
        600_000,
      );
      const last = events.at(-1);
      if (last?.event !== "graded") throw new Error(`essay ${essay} ended with ${last?.event ?? "nothing"}`);
      graded++;
      return { ttfrMs: (firstRatingAt ?? performance.now()) - sentAt, doneAt: performance.now() };
    });
    const results = await Promise.all(runs);
    clearInterval(progress);
    const totalS = (Math.max(...results.map((r) => r.doneAt)) - startedAt) / 1000;
    const [stats] = await sql<{ lines: number; cached: number; tokens: number; calls: number }[]>`
      select (select count(*)::int from line_ratings) as lines,
             (select count(*)::int from line_ratings where from_cache) as cached,
             (select coalesce(sum(prompt_tokens + completion_tokens), 0)::int from llm_calls) as tokens,
             (select count(*)::int from llm_calls) as calls
    `;
    const answered = llm.requests.filter((request) => request.status === 200);
    const llmCalls = answered.length;
    const rateCalls = answered.filter((request) => request.kind === "rate_lines").length;
    log(`  LLM calls answered ${llmCalls} (recorded ${stats!.calls}), max in flight ${llm.maxInFlight}`);
    const summary = {
      ttfr_p50_ms: Math.round(
        percentile(
          results.map((r) => r.ttfrMs),
          50,
        ),
      ),
      ttfr_p95_ms: Math.round(
        percentile(
          results.map((r) => r.ttfrMs),
          95,
        ),
      ),
      total_s: Number(totalS.toFixed(2)),
      ideal_s: Number((Math.ceil(llmCalls / CONCURRENCY) * (LLM_LATENCY_MS / 1000)).toFixed(2)),
      llm_calls: llmCalls,
      rate_calls: rateCalls,
      lines: stats!.lines,
      cache_hit_rate: Number((stats!.cached / stats!.lines).toFixed(3)),
      tokens: stats!.tokens,
    };
    log(
      `  targets: ttfr_p50 ≤ 1200 ms, total_s ≤ ${(summary.ideal_s * 1.25).toFixed(2)} (1.25 × ideal), llm_calls ≤ ${summary.lines / 5} (lines / 5)`,
    );
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await app.stop();
    await llm.close();
    await sql.end();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:grading failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
