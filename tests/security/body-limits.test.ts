import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { docxOf, zipBombDocx } from "../documents/support/docx-files";
import { multipartFraming, postChunked, probeHealth, residentMegabytes, type RawAnswer } from "./support/hostile-requests";

// Bodies are counted while they stream in and refused as soon as they pass their limit
// (#9): an attacker's 60 MB chunked body (no Content-Length) is never buffered whole, and
// a zip bomb is refused while /api/health keeps answering. The figures are printed.

const db = freshDatabasePerFile();
let app: RunningApp;
let assignmentId: string;

const MB = 1024 * 1024;
const SIXTY_MB = 60 * MB;
const chunk = Buffer.alloc(64 * 1024, "a");

beforeAll(async () => {
  app = await startApp({ DATABASE_URL: db.current.url, GRADELINE_INLINE_DRAIN: "0" });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

/** Each route's 60 MB body, chunked: an essay that never ends, a file that never ends. */
function hugeBody(route: "json" | "document" | "session"): Promise<RawAnswer> {
  if (route === "json") {
    return postChunked(
      `${app.url}/api/submissions`,
      { "content-type": "application/json" },
      { head: `{"assignmentId":"${assignmentId}","studentName":"Eve","text":"`, chunk, totalBytes: SIXTY_MB, tail: '"}' },
    );
  }
  const boundary = "----hostile-boundary-9";
  const framing =
    route === "document"
      ? multipartFraming(boundary, {}, { field: "file", filename: "huge.txt", type: "text/plain" })
      : multipartFraming(boundary, { assignmentId }, { field: "files", filename: "huge.csv", type: "text/csv" });
  return postChunked(
    `${app.url}${route === "document" ? "/api/documents/text" : "/api/sessions"}`,
    { "content-type": `multipart/form-data; boundary=${boundary}` },
    { head: framing.head, chunk, totalBytes: SIXTY_MB, tail: framing.tail },
  );
}

const messageOf = (answer: RawAnswer) => (JSON.parse(answer.body) as { error: { message: string } }).error.message;

describe("streaming body limits (#9)", () => {
  it.each([
    ["json", 413, /too large: the limit is 160 KB/],
    ["document", 413, /huge\.txt is larger than 5 MB/],
    ["session", 413, /huge\.csv is larger than 5 MB/],
  ] as const)(
    "a 60 MB chunked %s body answers %i as soon as it passes the limit, without reading the rest",
    async (route, status, pattern) => {
      const answer = await hugeBody(route);
      console.log(
        `[body-limits] ${route}: ${answer.status} after ${Math.round(answer.elapsedMs)} ms, ${(answer.sentBytes / MB).toFixed(1)} of 60 MB written`,
      );
      expect(answer.status).toBe(status);
      expect(messageOf(answer)).toMatch(pattern);
      // The server stopped reading near its limit (5 MB at most here); TCP buffers hold a few MB more.
      expect(answer.sentBytes).toBeLessThan(30 * MB);
    },
  );

  it("four 60 MB bodies at once leave the server's memory about where it was", async () => {
    const before = residentMegabytes(app.process.pid!);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, residentMegabytes(app.process.pid!))), 50);
    const answers = await Promise.all([hugeBody("json"), hugeBody("document"), hugeBody("session"), hugeBody("json")]);
    clearInterval(sampler);
    const after = residentMegabytes(app.process.pid!);
    console.log(`[body-limits] next-server RSS: ${before} MB before, peak ${peak} MB, ${after} MB after four 60 MB bodies`);
    expect(answers.map((answer) => answer.status)).toEqual([413, 413, 413, 413]);
    // Buffering them whole cost 585 MB before #9; counting them costs a few chunks each.
    expect(peak - before).toBeLessThan(150);
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
  });
});

describe("a zip bomb in flight (#9)", () => {
  it.each([
    ["/api/documents/text", "file"],
    ["/api/sessions", "files"],
  ])("%s refuses 400 MB bombs while /api/health answers within a second", async (path, field) => {
    const [bomb, lyingBomb] = await Promise.all([zipBombDocx(400), zipBombDocx(400, { lie: true })]);
    const post = (filename: string, bytes: Buffer) => {
      const form = new FormData();
      form.set("assignmentId", assignmentId);
      form.append(field, new File([new Uint8Array(bytes)], filename));
      const started = performance.now();
      return fetch(`${app.url}${path}`, { method: "POST", body: form, signal: AbortSignal.timeout(60_000) }).then(async (response) => ({
        status: response.status,
        text: JSON.stringify(await response.json()),
        ms: Math.round(performance.now() - started),
      }));
    };
    // Warm the route first (its first request loads its code), so the probes measure the refusals.
    // An empty document: 200 from the text route, 422 (empty essay) from sessions, so nothing is stored.
    expect((await post("warm-up.docx", docxOf(""))).status).toBeLessThan(500);
    const before = residentMegabytes(app.process.pid!);
    const probe = probeHealth(app.url, 20);
    // Three of each at once, so the probes overlap the refusals (each takes well under a second alone).
    const answers = await Promise.all([1, 2, 3].flatMap((i) => [post(`bomb${i}.docx`, bomb), post(`liar${i}.docx`, lyingBomb)]));
    const latencies = await probe.stop();
    const after = residentMegabytes(app.process.pid!);
    const slowest = Math.max(...latencies);
    console.log(
      `[zip-bomb] ${path}: six ${Math.round(bomb.byteLength / 1024)} KB bombs (400 MB inside) refused in ${answers.map((answer) => answer.ms).join(", ")} ms; ` +
        `${latencies.length} health probes meanwhile, slowest ${Math.round(slowest)} ms; next-server RSS ${before} → ${after} MB`,
    );
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(422);
      expect(answer.text).toMatch(i % 2 === 0 ? /bomb\d\.docx would expand to 40\d MB when opened/ : /liar\d\.docx is a ZIP bomb/);
    });
    expect(latencies.length).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(1_000);
    expect(await countRows(db.current.sql, "submissions")).toBe(0);
  });
});
