import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabasePerFile } from "../helpers/db";
import { makeEssay } from "../helpers/grading";
import { chromiumAvailable, keepScreenshot, launchBrowser } from "./support/browser";
import { startGradingApp, type GradingApp } from "./support/grading-app";

const canRun = chromiumAvailable();
const db = freshDatabasePerFile();
let grading: GradingApp;
let browser: Browser;

beforeAll(async () => {
  if (!canRun) return;
  grading = await startGradingApp(db.current.url, db.current.sql);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await grading?.stop();
});

async function ratedCounts(page: Page) {
  return page.evaluate(() => ({
    rated: document.querySelectorAll('[data-testid="line-row"][data-rated="true"]').length,
    pending: document.querySelectorAll('[data-testid="line-row"][data-rated="false"]').length,
  }));
}

/** Polls the page until `predicate` holds; returns every sample seen, so tests can assert on states in between. */
async function watchUntil(page: Page, predicate: (counts: { rated: number; pending: number }) => boolean, timeoutMs = 60_000) {
  const samples: Array<{ rated: number; pending: number }> = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await ratedCounts(page);
    samples.push(counts);
    if (predicate(counts)) return samples;
    if (Date.now() > deadline) throw new Error(`timed out; last state ${JSON.stringify(counts)}`);
    await page.waitForTimeout(100);
  }
}

async function submitThroughForm(page: Page, studentName: string, text: string): Promise<string> {
  await page.goto(`${grading.app.url}/assignments/${grading.assignmentId}/submit`);
  await page.getByTestId("student-name").fill(studentName);
  await page.getByTestId("essay-text").fill(text);
  await page.getByTestId("submit-essay").click();
  await page.waitForURL(/\/submissions\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  return page.url().split("/").at(-1)!;
}

async function ratingRows(submissionId: string) {
  const [row] = await db.current.sql<{ ratings: number; lines: number; line_count: number }[]>`
    select (select count(*)::int from line_ratings where submission_id = ${submissionId}) as ratings,
           (select count(distinct line_index)::int from line_ratings where submission_id = ${submissionId}) as lines,
           (select line_count from submissions where id = ${submissionId}) as line_count
  `;
  return row!;
}

describe.skipIf(!canRun)("grading an essay in the browser", () => {
  it("shows some lines rated while others are pending, then every line and the overall scores", async () => {
    const page = await browser.newPage();
    await submitThroughForm(page, "Ada", makeEssay(20, "browser"));
    await expect.poll(() => page.getByTestId("line-row").count()).toBe(20);

    const samples = await watchUntil(page, ({ rated, pending }) => rated > 0 && pending > 0);
    await keepScreenshot(page, "01-partially-rated");
    expect(samples.at(-1)!.rated).toBeGreaterThan(0);
    expect(samples.at(-1)!.pending).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId("progress-text").innerText()).toMatch(/\d+ of 20 lines rated/);

    await watchUntil(page, ({ rated }) => rated === 20);
    await page.getByTestId("overall-score").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("criterion-row").count()).toBe(2);
    await keepScreenshot(page, "02-graded");
    await page.close();
  });

  it("after a reload mid-grading, the rated lines are there at once and the rest arrive", async () => {
    const page = await browser.newPage();
    const submissionId = await submitThroughForm(page, "Bo", makeEssay(20, "reload"));
    const before = (await watchUntil(page, ({ rated, pending }) => rated > 0 && pending > 0)).at(-1)!;

    await page.reload({ waitUntil: "domcontentloaded" });
    const atOnce = await ratedCounts(page); // server-rendered, before any live event
    expect(atOnce.rated).toBeGreaterThanOrEqual(before.rated);
    await keepScreenshot(page, "03-after-reload");

    await watchUntil(page, ({ rated }) => rated === 20);
    await page.getByTestId("overall-score").waitFor({ timeout: 30_000 });
    expect(await ratingRows(submissionId)).toEqual({ ratings: 20, lines: 20, line_count: 20 });
    await page.close();
  });

  it("grading completes when the worker is killed mid-grading and started again, with nothing duplicated", async () => {
    const page = await browser.newPage();
    const submissionId = await submitThroughForm(page, "Cy", makeEssay(25, "restart"));
    await watchUntil(page, ({ rated, pending }) => rated > 0 && pending > 0);

    await grading.worker!.stop("SIGKILL");
    const whileStopped = await ratedCounts(page);
    expect(whileStopped.pending).toBeGreaterThan(0);
    await keepScreenshot(page, "04-worker-stopped");
    await grading.startWorker();

    await watchUntil(page, ({ rated }) => rated === 25, 90_000);
    await page.getByTestId("overall-score").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("line-row").count()).toBe(25);
    expect(await ratingRows(submissionId)).toEqual({ ratings: 25, lines: 25, line_count: 25 });
    const [graded] = await db.current.sql<{ count: number }[]>`
      select count(*)::int as count from grading_jobs where kind = 'grade_submission' and payload ->> 'submissionId' = ${submissionId}
    `;
    expect(graded!.count).toBe(1);
    await page.close();
  });

  it("when the live channel is cut the badge says Polling and the ratings that land after the cut arrive by polling (#7)", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The LLM answers the first five lines and holds every other rate_lines call until the cut is
    // done, so grading is still going when the badge switches (it once finished before, #7).
    const release = grading.llm.holdAnswers(
      ({ kind, lineTexts }) => kind === "rate_lines" && !lineTexts.some((text) => text.startsWith("Point polling-0:")),
    );
    try {
      const submissionId = await submitThroughForm(page, "Di", makeEssay(20, "polling"));
      // How many lines each answer of GET /api/submissions/:id (the polling request) had rated.
      const ratedInPollAnswers: number[] = [];
      page.on("response", (response) => {
        if (new URL(response.url()).pathname !== `/api/submissions/${submissionId}`) return;
        void response
          .json()
          .then((body: { lines: Array<{ rating: unknown }> }) => ratedInPollAnswers.push(body.lines.filter((line) => line.rating).length))
          .catch(() => {});
      });
      const badge = () => page.getByTestId("transport-badge").getAttribute("data-transport");
      await expect.poll(badge, { timeout: 15_000 }).toBe("live");
      await watchUntil(page, ({ rated }) => rated === 5); // over the live channel
      await expect.poll(() => grading.llm.heldCount, { timeout: 15_000 }).toBeGreaterThan(0);

      // Cut the live channel: reconnecting to the stream fails from now on, and restarting the
      // server drops the open stream (the worker, a separate process, keeps grading).
      await page.route("**/api/submissions/*/events**", (route) => route.abort());
      await grading.restartApp();
      await expect.poll(badge, { timeout: 15_000 }).toBe("polling");
      await keepScreenshot(page, "05-polling");
      expect(await ratedCounts(page)).toEqual({ rated: 5, pending: 15 });

      release();
      // Every sample until the last line lands: the badge never left Polling.
      const badgesSeen = new Set<string | null>();
      await expect
        .poll(
          async () => {
            badgesSeen.add(await badge());
            return (await ratedCounts(page)).rated;
          },
          { timeout: 90_000, interval: 100 },
        )
        .toBe(20);
      expect([...badgesSeen]).toEqual(["polling"]);
      // The stream is cut, so the last 15 lines came by polling: an answer had all 20 rated.
      await expect.poll(() => Math.max(0, ...ratedInPollAnswers), { timeout: 10_000 }).toBe(20);
      await page.getByTestId("overall-score").waitFor({ timeout: 30_000 });
      expect(await page.getByTestId("transport-badge").innerText()).toMatch(/Polling/);
    } finally {
      release();
      await context.close();
    }
  });

  it("a teacher's override shows beside the model's rating after a reload", async () => {
    const page = await browser.newPage();
    const submissionId = await submitThroughForm(page, "Ed", makeEssay(6, "override"));
    await page.getByTestId("overall-score").waitFor({ timeout: 60_000 });

    const firstLine = page.locator('[data-testid="line-row"][data-line-index="0"]');
    await firstLine.getByTestId("override-toggle").click();
    await firstLine.getByTestId("override-score").fill("1");
    await firstLine.getByTestId("override-comment").fill("Needs a source for this claim.");
    await firstLine.getByTestId("override-save").click();
    await firstLine.getByTestId("line-override").waitFor({ timeout: 15_000 });

    await page.reload();
    const reloadedLine = page.locator('[data-testid="line-row"][data-line-index="0"]');
    await expect.poll(() => reloadedLine.getByTestId("line-override").innerText()).toMatch(/Needs a source for this claim\./);
    expect(await reloadedLine.getByTestId("model-rating").isVisible()).toBe(true);
    await keepScreenshot(page, "06-teacher-override");
    const [override] = await db.current.sql<
      { score: string }[]
    >`select score from rating_overrides where submission_id = ${submissionId} and line_index = 0`;
    expect(Number(override!.score)).toBe(1);
    await page.close();
  });
});
