import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabasePerFile } from "../helpers/db";
import { startApp, type RunningApp } from "../helpers/next-server";
import { formattedEssayDocx } from "./support/docx-files";

// The worker thread that reads a .docx has a deadline and a heap limit (#9): a document that
// passes the archive gate but would take too long or too much memory is refused with a
// sentence, and the server goes on answering. Two servers, one with each limit tightened.

const db = freshDatabasePerFile();
let quick: RunningApp;
let small: RunningApp;

beforeAll(async () => {
  [quick, small] = await Promise.all([
    startApp({ DATABASE_URL: db.current.url, GRADELINE_DOCUMENT_TIMEOUT_MS: "400" }),
    startApp({ DATABASE_URL: db.current.url, GRADELINE_DOCUMENT_MEMORY_MB: "24", GRADELINE_DOCUMENT_TIMEOUT_MS: "60000" }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([quick?.stop(), small?.stop()]);
});

async function postDocument(app: RunningApp, filename: string, bytes: Buffer) {
  const form = new FormData();
  form.set("file", new File([new Uint8Array(bytes)], filename));
  const started = performance.now();
  const response = await fetch(`${app.url}/api/documents/text`, { method: "POST", body: form, signal: AbortSignal.timeout(90_000) });
  const body = (await response.json()) as { error?: { message: string } };
  return { status: response.status, message: body.error?.message ?? "", elapsedMs: performance.now() - started };
}

// About 5.7 MB of Word XML: it passes the archive gate (ratio about 40) and takes mammoth seconds and hundreds of MB.
const longEssay = formattedEssayDocx(2500);

describe("the .docx worker's limits (#9)", () => {
  it("a document that takes longer than the deadline is refused with 422, and the server answers", async () => {
    const answer = await postDocument(quick, "long.docx", longEssay);
    console.log(`[docx-worker] deadline 400 ms: ${answer.status} after ${Math.round(answer.elapsedMs)} ms`);
    expect(answer.status).toBe(422);
    expect(answer.message).toMatch(/^long\.docx took longer than 400 ms to read/);
    expect((await fetch(`${quick.url}/api/health`)).status).toBe(200);
  });

  it("a document that needs more than the worker's heap is refused with 422, and the server answers", async () => {
    const answer = await postDocument(small, "long.docx", longEssay);
    console.log(`[docx-worker] heap 24 MB: ${answer.status} after ${Math.round(answer.elapsedMs)} ms`);
    expect(answer.status).toBe(422);
    expect(answer.message).toMatch(/^long\.docx needs more than 24 MB of memory to read/);
    expect((await fetch(`${small.url}/api/health`)).status).toBe(200);
  });
});
