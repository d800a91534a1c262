import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, createStreamSlots } from "../../lib/api/stream-slots";
import { liveStreamsEnv } from "../../lib/env";
import { createSubmission } from "../../lib/submissions/create-submission";
import { countRows, freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { waitFor } from "../helpers/workers";
import { closeAll, openStream as openStreamAt, type OpenStream } from "./support";

// Caps on open Server-Sent Events streams in `next start` (#9): per client (by
// X-Forwarded-For) and for the server as a whole; beyond them, a 429 with a sentence and
// Retry-After, before any database work.

const db = freshDatabasePerFile();
let app: RunningApp;
let assignmentId: string;
const PER_CLIENT = 3;
const MAX_STREAMS = 25;

beforeAll(async () => {
  app = await startApp({
    DATABASE_URL: db.current.url,
    GRADELINE_INLINE_DRAIN: "0", // nothing grades: the streams stay open
    LIVE_STREAMS_PER_CLIENT: String(PER_CLIENT),
    LIVE_STREAMS_MAX: String(MAX_STREAMS),
  });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
});

async function newSubmission(name: string): Promise<string> {
  const created = await createSubmission(
    db.current.sql,
    { assignmentId, studentName: name, text: makeEssay(6, name) },
    { rater: identityOnlyRater },
  );
  return created.id;
}

const openStream = (submissionId: string, client: string, path?: string) => openStreamAt(app.url, submissionId, client, path);

describe("caps on open streams (#9)", () => {
  it("a client over its cap gets a 429 with a sentence and Retry-After; other clients still stream; closing one frees its slot", async () => {
    const id = await newSubmission("Capped");
    const streams: OpenStream[] = [];
    try {
      for (let i = 0; i < PER_CLIENT; i++) streams.push(await openStream(id, "203.0.113.7"));
      expect(streams.map((stream) => stream.response.status)).toEqual(Array(PER_CLIENT).fill(200));

      const refused = await openStream(id, "203.0.113.7");
      expect(refused.response.status).toBe(429);
      expect(refused.response.headers.get("retry-after")).toBe("15");
      const body = await refused.response.json();
      expect(body.error.code).toBe("too_many_requests");
      expect(body.error.message).toMatch(/^Too many live streams are open from your address \(the limit is 3\)/);
      // The same cap covers every stream route.
      expect((await openStream(id, "203.0.113.7", `/api/sessions/${crypto.randomUUID()}/events`)).response.status).toBe(429);

      const other = await openStream(id, "203.0.113.8");
      streams.push(other);
      expect(other.response.status).toBe(200);

      await streams.shift()!.close();
      const again = await waitFor("a freed slot", async () => {
        const attempt = await openStream(id, "203.0.113.7");
        if (attempt.response.status === 200) return attempt;
        await attempt.response.body?.cancel();
        return null;
      });
      streams.push(again);
    } finally {
      await closeAll(streams);
    }
  });

  it("POST /api/grade/stream over the cap answers 429 and stores nothing", async () => {
    const id = await newSubmission("Poster");
    const streams: OpenStream[] = [];
    try {
      for (let i = 0; i < PER_CLIENT; i++) streams.push(await openStream(id, "203.0.113.20"));
      const before = await countRows(db.current.sql, "submissions");
      const response = await fetch(`${app.url}/api/grade/stream`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.20" },
        body: JSON.stringify({ assignmentId, studentName: "Poster", text: "One line.\nTwo lines." }),
      });
      expect(response.status).toBe(429);
      expect((await response.json()).error.message).toMatch(/Too many live streams/);
      expect(await countRows(db.current.sql, "submissions")).toBe(before);
    } finally {
      await closeAll(streams);
    }
  });

  it(`the server as a whole holds at most ${MAX_STREAMS} streams, whoever asks`, async () => {
    const id = await newSubmission("Crowd");
    const streams: OpenStream[] = [];
    try {
      let refused: Response | null = null;
      for (let i = 0; i <= MAX_STREAMS && !refused; i++) {
        const attempt = await openStream(id, `192.0.2.${i + 1}`);
        if (attempt.response.status === 200) streams.push(attempt);
        else refused = attempt.response;
      }
      expect(refused?.status).toBe(429);
      expect((await refused!.json()).error.message).toMatch(/^The server has too many live streams open right now \(the limit is 25\)/);
      expect(streams.length).toBeLessThanOrEqual(MAX_STREAMS);
      expect(streams.length).toBeGreaterThan(MAX_STREAMS - PER_CLIENT * 2); // earlier tests' streams may still be closing
    } finally {
      await closeAll(streams);
    }
  });
});

describe("stream slots (#9)", () => {
  it("a client is its last X-Forwarded-For address, the one the nearest proxy wrote (pure)", () => {
    const from = (headers: Record<string, string>) => clientAddress(new Request("http://app.test/", { headers }));
    expect(from({ "x-forwarded-for": "203.0.113.9" })).toBe("203.0.113.9");
    expect(from({ "x-forwarded-for": "10.9.9.9, 198.51.100.4" })).toBe("198.51.100.4");
    expect(from({ "x-real-ip": "198.51.100.5" })).toBe("198.51.100.5");
    expect(from({})).toBe("unknown");
  });

  it("a slot is freed once, however often its release is called (pure)", () => {
    const slots = createStreamSlots({ perClient: 2, total: 3 });
    const release = slots.acquire("a");
    slots.acquire("a");
    expect(() => slots.acquire("a")).toThrow(/limit is 2/);
    release();
    release();
    expect(slots.count("a")).toBe(1);
    expect(slots.count()).toBe(1);
    slots.acquire("b");
    slots.acquire("c");
    expect(() => slots.acquire("d")).toThrow(/server has too many live streams/);
  });

  it("the caps default to 20 per client and 1,000 in all, and a bad value is named (pure)", () => {
    expect(liveStreamsEnv({})).toEqual({ LIVE_STREAMS_PER_CLIENT: 20, LIVE_STREAMS_MAX: 1000, LIVE_STREAM_SAFETY_POLL_MS: 30_000 });
    expect(() => liveStreamsEnv({ LIVE_STREAMS_PER_CLIENT: "0" })).toThrow("LIVE_STREAMS_PER_CLIENT must be a whole number of at least 1");
    expect(() => liveStreamsEnv({ LIVE_STREAMS_MAX: "lots" })).toThrow("LIVE_STREAMS_MAX must be a whole number of at least 1");
  });
});
