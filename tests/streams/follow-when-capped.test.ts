import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { chromiumAvailable, launchBrowser } from "../e2e/support/browser";
import { errorsOf, lastTransport, openFollowPage, transportsOf, type FollowPage } from "../e2e/support/follow-harness-page";
import { collectSse, rateLines } from "./support";

// The browser's follower (lib/live/follow-submission.ts over EventSource) in Chromium when
// the server refuses its stream with a 429 (#9): it polls, still shows each rating, and
// goes live once a slot is free.

const canRun = chromiumAvailable();
const db = freshDatabasePerFile();
let app: RunningApp;
let browser: Browser;
let assignmentId: string;
let follower: FollowPage | null = null;

beforeAll(async () => {
  if (!canRun) return;
  app = await startApp({ DATABASE_URL: db.current.url, GRADELINE_INLINE_DRAIN: "0", LIVE_STREAMS_MAX: "1" });
  browser = await launchBrowser();
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await follower?.close();
  await browser?.close();
  await app?.stop();
});

const ratedNow = (page: FollowPage) =>
  page.page.evaluate(() => window.followHarness.state!.lines.filter((line) => line.rating).map((line) => line.index));

describe.skipIf(!canRun)("following a submission when the server has no stream to spare (#9)", () => {
  it("polls and shows ratings while refused, then goes live once a slot is free", async () => {
    const { id } = await createSubmission(
      db.current.sql,
      { assignmentId, studentName: "Crowded", text: makeEssay(4, "crowded") },
      { rater: identityOnlyRater },
    );
    // Someone else holds the server's only stream.
    const holder = new AbortController();
    const held = await fetch(`${app.url}/api/submissions/${id}/events`, { signal: holder.signal });
    expect(held.status).toBe(200);
    const heldSse = collectSse(held.body!);

    follower = await openFollowPage(browser, app.url);
    await follower.page.evaluate((submissionId) => window.followHarness.follow({ submissionId }), id);
    await expect.poll(async () => lastTransport(await follower!.entries()), { timeout: 15_000 }).toBe("polling");
    expect(errorsOf(await follower.entries())).toContain("The live connection was lost. Checking every 2 s instead.");

    await rateLines(db.current.sql, id, [1]);
    await expect.poll(() => ratedNow(follower!), { timeout: 15_000 }).toEqual([1]);

    holder.abort();
    await heldSse.cancel();
    // The follower tries its stream again 15 s after it was refused.
    await expect.poll(async () => lastTransport(await follower!.entries()), { timeout: 40_000, interval: 500 }).toBe("live");
    expect(transportsOf(await follower.entries())).toEqual(["connecting", "polling", "live"]);
    await rateLines(db.current.sql, id, [2]);
    await expect.poll(() => ratedNow(follower!), { timeout: 15_000 }).toEqual([1, 2]);
  });
});
