import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANY_KEY, createNotificationListener, type NotificationListener } from "../../lib/db/notification-listener";
import { cancelJob } from "../../lib/queue/manage-jobs";
import { createSubmission } from "../../lib/submissions/create-submission";
import { SUBMISSION_EVENTS_CHANNEL, streamSubmissionEvents } from "../../lib/submissions/submission-events";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";
import { waitFor } from "../helpers/workers";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { collectSse, rateLines, rateLinesSilently, ratedIndexes, sleep } from "./support";

// lib/db/notification-listener.ts and the streams it drives (lib/api/event-stream.ts), in
// process, on the real Postgres. The listener reaches the database through a TCP proxy,
// so a test can drop its connection while the streams' own reads keep working (#9).

const db = freshDatabasePerFile();
let proxy: TcpProxy;
let assignmentId: string;
const listeners: NotificationListener[] = [];

/** How long a stream that should not read gets to prove it: many of its fallback polls. */
const QUIET_MS = 3_000;
const FALLBACK_POLL_MS = 300;

beforeAll(async () => {
  const target = new URL(db.current.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  for (const listener of listeners) await listener.close();
  await proxy?.close();
});

function listenThroughProxy(applicationName: string): NotificationListener {
  const url = new URL(db.current.url);
  url.port = String(proxy.port);
  const listener = createNotificationListener(url.toString(), { applicationName, reconnectDelayMs: { initial: 100, max: 500 } });
  listeners.push(listener);
  return listener;
}

async function sessionsNamed(applicationName: string): Promise<number> {
  const [row] = await db.current.sql<{ count: number }[]>`
    select count(*)::int as count from pg_stat_activity where application_name = ${applicationName} and datname = current_database()
  `;
  return row!.count;
}

async function newSubmission(name: string) {
  const created = await createSubmission(
    db.current.sql,
    { assignmentId, studentName: name, text: makeEssay(8, name) },
    { rater: identityOnlyRater },
  );
  return created.id;
}

describe("one LISTEN connection per process (#9)", () => {
  it("serves every subscriber over one session, and a notification reaches only its submission's subscribers and the wildcard", async () => {
    const listener = listenThroughProxy("test-listen-fanout");
    const keys = Array.from({ length: 50 }, () => randomUUID());
    const heard = new Map<string, string[]>();
    const subscriptions = [...keys, ANY_KEY].map((key) =>
      listener.subscribe(SUBMISSION_EVENTS_CHANNEL, key, { onNotify: (payload) => heard.set(key, [...(heard.get(key) ?? []), payload]) }),
    );
    await Promise.all(subscriptions.map((subscription) => subscription.ready));
    expect(listener.listening).toBe(true);
    expect(await sessionsNamed("test-listen-fanout")).toBe(1);

    await db.current.sql`select pg_notify(${SUBMISSION_EVENTS_CHANNEL}, ${keys[7]!})`;
    await waitFor("the notification", () => heard.get(keys[7]!)?.length === 1);
    await waitFor("the wildcard's copy", () => heard.get(ANY_KEY)?.length === 1);
    expect([...heard.keys()].sort()).toEqual([keys[7]!, ANY_KEY].sort());
    expect(heard.get(ANY_KEY)).toEqual([keys[7]]);

    // An unsubscribed stream hears nothing more.
    subscriptions[7]!.unsubscribe();
    await db.current.sql`select pg_notify(${SUBMISSION_EVENTS_CHANNEL}, ${keys[7]!})`;
    await waitFor("the wildcard's second copy", () => heard.get(ANY_KEY)?.length === 2);
    expect(heard.get(keys[7]!)).toHaveLength(1);
  });

  it("tells subscribers when its connection drops, reconnects, re-LISTENs and tells them it is back", async () => {
    const listener = listenThroughProxy("test-listen-drop");
    const changes: boolean[] = [];
    const heard: string[] = [];
    const key = randomUUID();
    await listener.subscribe(SUBMISSION_EVENTS_CHANNEL, key, {
      onNotify: (payload) => heard.push(payload),
      onListeningChange: (listening) => changes.push(listening),
    }).ready;
    expect(listener.listening).toBe(true);

    await proxy.cut();
    await waitFor("LISTEN reported down", () => changes.includes(false));
    expect(listener.listening).toBe(false);
    await db.current.sql`select pg_notify(${SUBMISSION_EVENTS_CHANNEL}, ${key})`; // sent while nobody listens: lost
    await proxy.restore();
    await waitFor("LISTEN reported back", () => listener.listening, { timeoutMs: 15_000 });
    expect(changes).toEqual([true, false, true]); // up (the first connection), down, up again
    expect(heard).toEqual([]);

    await db.current.sql`select pg_notify(${SUBMISSION_EVENTS_CHANNEL}, ${key})`;
    await waitFor("a notification after the reconnect", () => heard.length === 1);
    expect(await sessionsNamed("test-listen-drop")).toBe(1);
  });

  it("never tries LISTEN behind a transaction pooler, where it cannot work", async () => {
    const listener = createNotificationListener("postgres://u:p@pooler.example.com:6543/postgres");
    listeners.push(listener);
    const subscription = listener.subscribe(SUBMISSION_EVENTS_CHANNEL, randomUUID(), { onNotify: () => {} });
    await subscription.ready; // settles at once: no connection is attempted
    expect(listener.listening).toBe(false);
    expect(listener.unavailableReason).toMatch(/transaction pooler/);
  });
});

describe("a stream reads the database when told to (#9)", () => {
  it("while listening it reads only on a notification; while LISTEN is down it polls; once LISTEN is back it stops polling", async () => {
    const listener = listenThroughProxy("test-listen-stream");
    const submissionId = await newSubmission("Drop");
    const stream = streamSubmissionEvents({
      sql: db.current.sql,
      listener,
      submissionId,
      afterSeq: 0,
      safetyPollMs: 600_000,
      fallbackPollMs: FALLBACK_POLL_MS,
    });
    const sse = collectSse(stream);
    try {
      await waitFor("the catch-up read on open", () => sse.events.some((event) => event.event === "progress"));
      expect(listener.listening).toBe(true);

      // A rating without a notification stays unseen: nothing polls while LISTEN works.
      await rateLinesSilently(db.current.sql, submissionId, [0]);
      await sleep(QUIET_MS);
      expect(ratedIndexes(sse.events)).toEqual([]);
      // A notification brings it, with the next one.
      await rateLines(db.current.sql, submissionId, [1]);
      await waitFor("lines 0 and 1", () => ratedIndexes(sse.events).length === 2);

      // LISTEN drops: the stream polls, so a rating nobody announces arrives anyway.
      await proxy.cut();
      await waitFor("LISTEN down", () => !listener.listening);
      await rateLinesSilently(db.current.sql, submissionId, [2]);
      await waitFor("line 2, by polling", () => ratedIndexes(sse.events).includes(2), { timeoutMs: 10_000 });

      // LISTEN is back: polling stops again.
      await proxy.restore();
      await waitFor("LISTEN back", () => listener.listening, { timeoutMs: 15_000 });
      await sleep(FALLBACK_POLL_MS * 2); // a poll already scheduled may still run once
      await rateLinesSilently(db.current.sql, submissionId, [3]);
      await sleep(QUIET_MS);
      expect(ratedIndexes(sse.events)).toEqual([0, 1, 2]);
      await rateLines(db.current.sql, submissionId, [4]);
      await waitFor("lines 3 and 4", () => ratedIndexes(sse.events).length === 5);
      expect(ratedIndexes(sse.events)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await sse.cancel();
    }
  });

  it("a missed notification heals on the slow safety poll", async () => {
    const listener = listenThroughProxy("test-listen-safety");
    const submissionId = await newSubmission("Safety");
    const sse = collectSse(
      streamSubmissionEvents({ sql: db.current.sql, listener, submissionId, afterSeq: 0, safetyPollMs: 1_500, fallbackPollMs: 100 }),
    );
    try {
      await waitFor("the catch-up read on open", () => sse.events.some((event) => event.event === "progress"));
      await rateLinesSilently(db.current.sql, submissionId, [5]);
      await waitFor("line 5, on the safety poll", () => ratedIndexes(sse.events).includes(5), { timeoutMs: 10_000 });
      expect(listener.listening).toBe(true);
    } finally {
      await sse.cancel();
    }
  });

  it("a deleted submission's stream, and one whose jobs a person cancelled, end at once, not on the safety poll", async () => {
    const listener = listenThroughProxy("test-listen-ends");
    const [deleted, cancelled] = [await newSubmission("Deleted"), await newSubmission("Cancelled")];
    const open = (submissionId: string) =>
      collectSse(streamSubmissionEvents({ sql: db.current.sql, listener, submissionId, afterSeq: 0, safetyPollMs: 600_000 }));
    const [gone, stopped] = [open(deleted), open(cancelled)];
    try {
      await waitFor("both catch-up reads", () => gone.events.length > 0 && stopped.events.length > 0);
      await db.current.sql`delete from submissions where id = ${deleted}`;
      for (const job of await db.current.sql<
        { id: number }[]
      >`select id from grading_jobs where payload ->> 'submissionId' = ${cancelled}`) {
        await cancelJob(db.current.sql, job.id);
      }
      await waitFor("both streams' last events", () => gone.events.at(-1)?.event === "error" && stopped.events.at(-1)?.event === "failed", {
        timeoutMs: 10_000,
      });
      await Promise.all([gone.done, stopped.done]); // and each ended by itself
      expect(gone.events.at(-1)).toEqual({ event: "error", data: { message: "The submission no longer exists." } });
      expect(stopped.events.at(-1)!.event).toBe("failed");
    } finally {
      await Promise.all([gone.cancel(), stopped.cancel()]);
    }
  });

  it("a stream calls onClose once however it ends, so its slot is freed", async () => {
    const listener = listenThroughProxy("test-listen-close");
    const submissionId = await newSubmission("Close");
    let closes = 0;
    const client = new AbortController();
    const sse = collectSse(
      streamSubmissionEvents({
        sql: db.current.sql,
        listener,
        submissionId,
        afterSeq: 0,
        signal: client.signal,
        onClose: () => closes++,
      }),
    );
    await waitFor("the catch-up read on open", () => sse.events.length > 0);
    client.abort();
    await sse.cancel();
    await waitFor("onClose", () => closes > 0);
    expect(closes).toBe(1);
  });
});
