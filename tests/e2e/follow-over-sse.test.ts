import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import { recordLineRatings } from "../../lib/grading/line-ratings";
import { createAppTasks } from "../../lib/tasks";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, drainUntilSettled, identityOnlyRater, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";
import { chromiumAvailable, launchBrowser } from "./support/browser";
import { channelReportsOf, errorsOf, lastTransport, openFollowPage, transportsOf, type FollowPage } from "./support/follow-harness-page";

// lib/live/follow-submission.ts with lib/live/open-event-source-channel.ts, in Chromium,
// against `next start`: SSE from Postgres LISTEN/NOTIFY, polling while the stream is down.

const canRun = chromiumAvailable();
const db = freshDatabasePerFile();
let env: Record<string, string>;
let app: RunningApp;
let browser: Browser;
let llm: FakeOpenAiServer;
let assignmentId: string;
const pages: FollowPage[] = [];

beforeAll(async () => {
  if (!canRun) return;
  llm = await startFakeOpenAiServer({ latencyMs: 1 });
  env = {
    DATABASE_URL: db.current.url,
    GRADELINE_INLINE_DRAIN: "0",
    OPENAI_API_KEY: "e2e-key",
    OPENAI_BASE_URL: llm.url,
    OPENAI_MODEL: "gpt-4o-mini",
  };
  app = await startApp(env);
  browser = await launchBrowser();
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await llm?.close();
});

/** Ratings written the way a rate_lines job writes them: recordLineRatings in a transaction. */
async function rateLines(submissionId: string, lineIndexes: number[]) {
  await db.current.sql.begin((tx) =>
    recordLineRatings(
      tx,
      submissionId,
      lineIndexes.map((lineIndex) => ({
        lineIndex,
        score: 3,
        label: "fair",
        comment: `Line ${lineIndex} holds up.`,
        suggestion: null,
        criterionId: null,
        rater: "openai:gpt-4o-mini",
        fromCache: false,
      })),
    ),
  );
}

async function newSubmission(name: string, lines = 6) {
  return createSubmission(db.current.sql, { assignmentId, studentName: name, text: makeEssay(lines, name) }, { rater: identityOnlyRater });
}

async function follow(submissionId: string) {
  const follower = await openFollowPage(browser, app.url);
  pages.push(follower);
  await follower.page.evaluate((id) => window.followHarness.follow({ submissionId: id }), submissionId);
  return follower;
}

const ratedNow = (follower: FollowPage) =>
  follower.page.evaluate(() => window.followHarness.state!.lines.filter((line) => line.rating).map((line) => line.index));
const dispatchedTypes = async (follower: FollowPage) =>
  (await follower.entries()).flatMap((entry) => (entry.kind === "dispatch" ? [entry.type] : []));
const withoutRepeats = <T>(values: T[]) => values.filter((value, i) => i === 0 || values[i - 1] !== value);

describe.skipIf(!canRun)("following a submission over Server-Sent Events", () => {
  it("resumes the stream after the last rating it holds and applies each rating as it lands, without polling (#7)", async () => {
    const { id } = await newSubmission("Sse");
    await rateLines(id, [0, 1]);
    const follower = await follow(id);
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 15_000 }).toBe("live");
    expect(transportsOf(await follower.entries())).toEqual(["connecting", "live"]);
    // Seqs 1 and 2 are held already: the stream starts after them.
    expect(follower.requests.filter((url) => url.includes(`/api/submissions/${id}/events`))).toEqual([
      `${app.url}/api/submissions/${id}/events?lastEventId=2`,
    ]);

    await rateLines(id, [2]);
    await expect.poll(() => ratedNow(follower), { timeout: 15_000 }).toEqual([0, 1, 2]);

    // The rest is graded by the real tasks; the stream's `graded` ends the follow and closes it.
    await drainUntilSettled(db.current.sql, createAppTasks(createOpenAiRater({ apiKey: "k", baseURL: llm.url, model: "gpt-4o-mini" })), [
      id,
    ]);
    await expect.poll(() => follower.page.evaluate(() => window.followHarness.state!.status), { timeout: 15_000 }).toBe("graded");
    await expect.poll(async () => channelReportsOf(await follower.entries()).at(-1), { timeout: 5_000 }).toBe("close");
    expect(await ratedNow(follower)).toEqual([0, 1, 2, 3, 4, 5]);
    const types = await dispatchedTypes(follower);
    expect(types).toContain("line");
    expect(types.at(-1)).toBe("graded");
    expect(types).not.toContain("snapshot"); // live all along: nothing was polled
    expect(follower.requests.filter((url) => url === `${app.url}/api/submissions/${id}`)).toHaveLength(1); // the harness's initial GET
  });

  it("when the stream drops it polls and says why, and goes live again 15 s later (#7)", async () => {
    const { id } = await newSubmission("Drop");
    const follower = await follow(id);
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 15_000 }).toBe("live");

    const port = Number(new URL(app.url).port);
    await app.stop("SIGKILL"); // drops the open stream; the next poll finds nobody listening
    try {
      // Reported once each (null is the all-clear sent on open).
      await expect
        .poll(async () => withoutRepeats(errorsOf(await follower.entries())), { timeout: 15_000 })
        .toEqual([
          null,
          "The live connection was lost. Checking every 2 s instead.",
          expect.stringMatching(/^Could not refresh the submission: The server could not be reached/),
        ]);
      expect(lastTransport(await follower.entries())).toBe("polling");
      expect(channelReportsOf(await follower.entries()).filter((what) => what !== "event")).toEqual(["open", "lost"]);
    } finally {
      app = await startApp(env, { port });
    }
    await rateLines(id, [0]);
    // Polling brings the rating as a snapshot, and a successful poll clears the error.
    await expect.poll(() => ratedNow(follower), { timeout: 15_000 }).toEqual([0]);
    expect(await dispatchedTypes(follower)).toContain("snapshot");
    await expect.poll(async () => errorsOf(await follower.entries()).at(-1), { timeout: 10_000 }).toBeNull();

    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 40_000, interval: 500 }).toBe("live");
    expect(withoutRepeats(transportsOf(await follower.entries()))).toEqual(["connecting", "live", "polling", "live"]);
    const typesBefore = (await dispatchedTypes(follower)).length;
    await rateLines(id, [1]);
    await expect.poll(() => ratedNow(follower), { timeout: 15_000 }).toEqual([0, 1]);
    expect((await dispatchedTypes(follower)).slice(typesBefore)).toContain("line"); // over the stream again
  });

  it("a submission deleted while followed is reported with the server's message, and the follower stops asking (#7)", async () => {
    const { id } = await newSubmission("Gone");
    const follower = await follow(id);
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 15_000 }).toBe("live");

    await db.current.sql`delete from submissions where id = ${id}`;
    await expect.poll(async () => errorsOf(await follower.entries()).at(-1), { timeout: 15_000 }).toBe(`No submission with id ${id}.`);
    const entries = await follower.entries();
    expect(entries).toContainEqual(expect.objectContaining({ kind: "channel", what: "lost", reason: "The submission no longer exists." }));
    const polls = () => follower.requests.filter((url) => url === `${app.url}/api/submissions/${id}`).length;
    expect(polls()).toBe(2); // the harness's initial GET, then the one poll that found it gone
    // Stopped: no poll every 2 s and no new stream. Waiting past two poll intervals shows it.
    await follower.page.waitForTimeout(5_000);
    expect(polls()).toBe(2);
    expect(follower.requests.filter((url) => url.includes(`/api/submissions/${id}/events`))).toHaveLength(1);
  });
});
