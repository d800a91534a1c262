import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimJobs, failJob } from "../../lib/queue";
import { retryJob } from "../../lib/queue/manage-jobs";
import { createSubmission } from "../../lib/submissions/create-submission";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { chromiumAvailable, keepScreenshot, launchBrowser } from "./support/browser";

const canRun = chromiumAvailable();
const db = freshDatabasePerFile();
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  if (!canRun) return;
  // No drain in the app: the test fails the job itself, so nothing else touches it.
  app = await startApp({ DATABASE_URL: db.current.url, GRADELINE_INLINE_DRAIN: "0" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function failRunnableJobs(): Promise<number[]> {
  const claimed = await claimJobs(db.current.sql, { workerId: "e2e-failing-worker", batchSize: 10 });
  for (const job of claimed) {
    await failJob(db.current.sql, {
      jobId: Number(job.id),
      workerId: "e2e-failing-worker",
      error: "the rater is down (e2e)",
      permanent: true,
    });
  }
  return claimed.map((job) => Number(job.id));
}

describe.skipIf(!canRun)("the monitor's Retry button (#9)", () => {
  it("shows the server's sentence when a job has used its manual retries, and the job stays failed", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Cap Carla", text: makeEssay(3, "monitor-cap") },
      { rater: identityOnlyRater },
    );
    const [jobId] = await failRunnableJobs();
    for (let retry = 0; retry < 3; retry++) {
      expect(await retryJob(sql, jobId!)).toBe("pending");
      expect(await failRunnableJobs()).toEqual([jobId]);
    }

    const page = await browser.newPage();
    await page.goto(`${app.url}/monitor`);
    await page.getByRole("button", { name: `Retry job ${jobId}` }).click();
    // Before the cap this said "Job N was retried and is now pending." and the job went back to the LLM.
    await expect
      .poll(() => page.getByRole("status").first().innerText(), { timeout: 15_000 })
      .toBe(
        `Job ${jobId}: This job has already been retried by hand 3 times, the limit, and failed again: the rater is down (e2e). Fix the cause before grading this work again.`,
      );
    await keepScreenshot(page, "monitor-retry-limit");
    const [row] = await sql<
      { status: string; manual_retries: number }[]
    >`select status, manual_retries from grading_jobs where id = ${jobId!}`;
    expect(row).toEqual({ status: "failed", manual_retries: 3 });
    await page.close();
  });
});
