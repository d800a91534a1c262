import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { GradingJobRow } from "../../lib/queue";
import { createProgressReporter } from "../../scripts/progress-reporter";
import { sleep } from "../helpers/workers";

/** A log file or a pipe: a stream that is not a terminal. */
function capture() {
  const stream = new PassThrough() as PassThrough & NodeJS.WriteStream;
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe("the worker's progress reporter", () => {
  it("writes plain timestamped lines when not on a terminal: no carriage returns, escapes or padding (#7) (pure)", async () => {
    const out = capture();
    const reporter = createProgressReporter({ stream: out.stream, countPending: async () => 3, plainIntervalMs: 20 });
    reporter.start("worker test (concurrency 1)");
    reporter.onEvent({ type: "job:retry", job: { id: 1, kind: "noop" } as GradingJobRow, error: "boom", runAt: new Date() });
    await sleep(90);
    reporter.log("SIGTERM: finishing running jobs");
    reporter.stop();
    const text = out.text();
    expect(text).not.toMatch(/[\r\x1b]/);
    expect(text).not.toMatch(/ {3,}/);
    const statusLines = text.split("\n").filter((line) => line.includes("processed"));
    expect(statusLines.length).toBeGreaterThanOrEqual(2);
    expect(statusLines.at(-1)).toMatch(/^processed 0 {2}failed 0 {2}retried 1 {2}pending 3/);
  });

  it("redraws one line only on a real terminal: a dumb terminal gets the plain lines a log gets (#7) (pure)", async () => {
    const saved = { CI: process.env.CI, TERM: process.env.TERM };
    Reflect.deleteProperty(process.env, "CI");
    try {
      const outputFor = async (term: string) => {
        process.env.TERM = term;
        const out = capture();
        out.stream.isTTY = true;
        const reporter = createProgressReporter({ stream: out.stream, countPending: async () => 0 });
        reporter.start("worker test");
        await sleep(300);
        reporter.stop();
        return out.text();
      };
      expect(await outputFor("xterm-256color")).toMatch(/\r\x1b\[2K/);
      expect(await outputFor("dumb")).not.toMatch(/[\r\x1b]/);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = value;
      }
    }
  });

  it("prints an error that repeats every poll once, then how often it happened (#7) (pure)", () => {
    const out = capture();
    const reporter = createProgressReporter({ stream: out.stream, countPending: async () => 0 });
    const error = {
      type: "error",
      error: new Error("function claim_grading_jobs(text) does not exist"),
      context: "claiming (worker w1)",
    } as const;
    for (let i = 0; i < 30; i++) reporter.onEvent(error);
    reporter.onEvent({ type: "error", error: new Error("connection refused"), context: "heartbeat (worker w1)" });
    reporter.stop();
    const text = out.text();
    expect(text.match(/claim_grading_jobs/g)).toHaveLength(1);
    expect(text).toContain("(the error above happened 29 more time(s))");
    expect(text).toContain("error while heartbeat: connection refused");
  });
});
