import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import { recordLineRatings } from "../../lib/grading/line-ratings";
import { getSubmissionState } from "../../lib/submissions/submission-state";
import { createAppTasks } from "../../lib/tasks";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, drainUntilSettled, identityOnlyRater, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";
import { startFakeRealtimeServer, type FakeRealtimeServer } from "../support/fake-realtime-server";
import { chromiumAvailable, launchBrowser } from "./support/browser";
import { channelReportsOf, errorsOf, lastTransport, openFollowPage, transportsOf, type FollowPage } from "./support/follow-harness-page";

// lib/live/follow-submission.ts with lib/live/open-realtime-channel.ts (supabase-js in
// Chromium) against a local Phoenix-channel server on a real WebSocket, and `next start`
// for the refetches. The test plays the database's broadcast trigger: it writes a
// rating with the product's code, then broadcasts on the submission's channel.

const ANON_KEY = "anon-key-of-the-test-project";
const canRun = chromiumAvailable();
const db = freshDatabasePerFile();
let app: RunningApp;
let browser: Browser;
let realtime: FakeRealtimeServer;
let llm: FakeOpenAiServer;
let assignmentId: string;
const pages: FollowPage[] = [];

beforeAll(async () => {
  if (!canRun) return;
  llm = await startFakeOpenAiServer({ latencyMs: 1 });
  realtime = await startFakeRealtimeServer();
  app = await startApp({ DATABASE_URL: db.current.url, GRADELINE_INLINE_DRAIN: "0" });
  browser = await launchBrowser();
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  realtime?.setJoinPolicy(() => null);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await realtime?.close();
  await llm?.close();
});

async function rateLines(submissionId: string, lineIndexes: number[]) {
  await db.current.sql.begin((tx) =>
    recordLineRatings(
      tx,
      submissionId,
      lineIndexes.map((lineIndex) => ({
        lineIndex,
        score: 4,
        label: "good",
        comment: `Line ${lineIndex} is clear.`,
        suggestion: null,
        criterionId: null,
        rater: "openai:gpt-4o-mini",
        fromCache: false,
      })),
    ),
  );
}

async function newSubmission(name: string) {
  return createSubmission(db.current.sql, { assignmentId, studentName: name, text: makeEssay(6, name) }, { rater: identityOnlyRater });
}

/** The JSON GET /api/submissions/:id would answer now (Dates as ISO strings). */
async function snapshotNow(submissionId: string) {
  return JSON.parse(JSON.stringify(await getSubmissionState(db.current.sql, submissionId)));
}

async function follow(submissionId: string, options: { initialState?: unknown } & NonNullable<Parameters<typeof openFollowPage>[2]> = {}) {
  const follower = await openFollowPage(browser, app.url, { cookies: options.cookies });
  pages.push(follower);
  await follower.page.evaluate(
    ({ id, initialState, config }) =>
      window.followHarness.follow({ submissionId: id, initialState: initialState as never, realtime: config }),
    { id: submissionId, initialState: options.initialState, config: { url: realtime.url, anonKey: ANON_KEY } },
  );
  return follower;
}

const ratedNow = (follower: FollowPage) =>
  follower.page.evaluate(() => window.followHarness.state!.lines.filter((line) => line.rating).map((line) => line.index));
const joinsOf = (submissionId: string) => realtime.joins.filter((join) => join.topic === `realtime:submission:${submissionId}`);
const withoutRepeats = <T>(values: T[]) => values.filter((value, i) => i === 0 || values[i - 1] !== value);
/** Shaped like realtime.broadcast_changes() for an INSERT into line_ratings. */
const ratingInserted = (submissionId: string, lineIndex: number) => ({
  schema: "public",
  table: "line_ratings",
  operation: "INSERT",
  record: { submission_id: submissionId, line_index: lineIndex },
  old_record: null,
});

describe.skipIf(!canRun)("following a submission over Supabase Realtime", () => {
  it("joins the private channel submission:<id> with the anon key when nobody is signed in, catches up on joining, and refetches on each broadcast (#7)", async () => {
    const { id } = await newSubmission("Rita");
    const initialState = await snapshotNow(id);
    await rateLines(id, [0]); // lands after the page loaded and before the join: only a catch-up shows it
    const follower = await follow(id, { initialState });
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 15_000 }).toBe("live");

    expect(joinsOf(id)).toEqual([
      expect.objectContaining({ config: expect.objectContaining({ private: true }), accessToken: ANON_KEY, apiKey: ANON_KEY }),
    ]);
    expect(transportsOf(await follower.entries())).toEqual(["connecting", "live"]);
    // Well before the 15 s safety refetch.
    await expect.poll(() => ratedNow(follower), { timeout: 10_000 }).toEqual([0]);

    await rateLines(id, [1]);
    expect(realtime.broadcast(`realtime:submission:${id}`, "INSERT", ratingInserted(id, 1))).toBe(1);
    await expect.poll(() => ratedNow(follower), { timeout: 10_000 }).toEqual([0, 1]);
    expect(channelReportsOf(await follower.entries())).toEqual(["open", "change"]);
    expect(lastTransport(await follower.entries())).toBe("live");
  });

  it("joins with the signed-in user's access token, not the anon key (#7)", async () => {
    const { id } = await newSubmission("Sam");
    const accessToken = fakeJwt({
      sub: "22222222-2222-4222-8222-222222222222",
      role: "authenticated",
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    const session = {
      access_token: accessToken,
      refresh_token: "refresh-token",
      token_type: "bearer",
      expires_in: 3600,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      user: {
        id: "22222222-2222-4222-8222-222222222222",
        aud: "authenticated",
        role: "authenticated",
        email: "sam@example.org",
        app_metadata: {},
        user_metadata: {},
        created_at: new Date().toISOString(),
      },
    };
    // What @supabase/ssr keeps after sign-in: sb-<first label of the host>-auth-token, base64url-encoded.
    const cookie = {
      name: "sb-127-auth-token",
      value: `base64-${Buffer.from(JSON.stringify(session)).toString("base64url")}`,
      url: app.url,
    };
    const follower = await follow(id, { cookies: [cookie] });
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 15_000 }).toBe("live");
    expect(joinsOf(id)).toEqual([expect.objectContaining({ accessToken, apiKey: ANON_KEY })]);
  });

  it("a join the channel's policy refuses is reported with its reason; the follower polls, then joins again 15 s later (#7)", async () => {
    const { id } = await newSubmission("Ugo");
    const reason = `Unauthorized: You do not have permissions to read from this Channel topic: submission:${id}`;
    realtime.setJoinPolicy(() => reason);
    const follower = await follow(id);
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 15_000 }).toBe("polling");
    expect(errorsOf(await follower.entries())[0]).toBe(`${reason} Checking every 2 s instead.`);
    expect(await follower.entries()).toContainEqual(expect.objectContaining({ kind: "channel", what: "lost", reason }));

    await rateLines(id, [0]); // no broadcast: only a poll can bring it
    await expect.poll(() => ratedNow(follower), { timeout: 10_000 }).toEqual([0]);

    realtime.setJoinPolicy(() => null);
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 40_000, interval: 500 }).toBe("live");
    expect(joinsOf(id)).toHaveLength(2);
    expect(withoutRepeats(transportsOf(await follower.entries()))).toEqual(["connecting", "polling", "live"]);
    expect(errorsOf(await follower.entries()).at(-1)).toBeNull();
  });

  it("a dropped Realtime connection switches the follower to polling until it joins again (#7)", async () => {
    const { id } = await newSubmission("Vic");
    const follower = await follow(id);
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 15_000 }).toBe("live");

    realtime.dropConnections();
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 15_000 }).toBe("polling");
    expect(channelReportsOf(await follower.entries())).toEqual(["open", "lost"]);
    const lost = (await follower.entries()).find((entry) => entry.kind === "channel" && entry.what === "lost") as { reason: string };
    expect(errorsOf(await follower.entries())).toContain(`${lost.reason} Checking every 2 s instead.`);
    await rateLines(id, [3]);
    await expect.poll(() => ratedNow(follower), { timeout: 10_000 }).toEqual([3]);

    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 40_000, interval: 500 }).toBe("live");
    expect(joinsOf(id)).toHaveLength(2);
    await rateLines(id, [4]);
    realtime.broadcast(`realtime:submission:${id}`, "INSERT", ratingInserted(id, 4));
    await expect.poll(() => ratedNow(follower), { timeout: 10_000 }).toEqual([3, 4]);
  });

  it("the broadcast of the grade ends the follow: the channel is left (#7)", async () => {
    const { id } = await newSubmission("Wes");
    const follower = await follow(id);
    await expect.poll(async () => lastTransport(await follower.entries()), { timeout: 15_000 }).toBe("live");
    expect(realtime.joinedTopics()).toContain(`realtime:submission:${id}`);

    await drainUntilSettled(db.current.sql, createAppTasks(createOpenAiRater({ apiKey: "k", baseURL: llm.url, model: "gpt-4o-mini" })), [
      id,
    ]);
    realtime.broadcast(`realtime:submission:${id}`, "UPDATE", {
      schema: "public",
      table: "submissions",
      operation: "UPDATE",
      record: { id },
      old_record: { id },
    });
    await expect.poll(() => follower.page.evaluate(() => window.followHarness.state!.status), { timeout: 10_000 }).toBe("graded");
    await expect.poll(() => realtime.leaves, { timeout: 10_000 }).toContain(`realtime:submission:${id}`);
    expect(channelReportsOf(await follower.entries()).at(-1)).toBe("close");
    expect(realtime.joinedTopics()).not.toContain(`realtime:submission:${id}`);
  });
});

function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.signature-not-checked-here`;
}
