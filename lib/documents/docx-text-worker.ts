// The worker thread that opens one .docx (#9): started by readDocxText, never imported.
// The archive is inspected before mammoth inflates it; the thread's heap, run time and
// output are capped by its parent, so a hostile file costs this thread and never the server.
import { parentPort, workerData } from "node:worker_threads";
import { DocxArchiveError, inspectDocxArchive, type DocxArchiveLimits, type DocxRefusal } from "./docx-archive";

export interface DocxWorkerInput {
  filename: string;
  bytes: Uint8Array;
  limits: DocxArchiveLimits;
  maxTextChars: number;
}

export type DocxWorkerResult =
  { ok: true; text: string } | { ok: false; refusal: DocxRefusal | "too_much_text" | "unreadable"; message: string; detail?: string };

const unreadable = (filename: string) =>
  `${filename} could not be read as a Word document: its contents are damaged. Open it in Word, save it again (or as .txt), and upload it again.`;

async function readDocx({ filename, bytes, limits, maxTextChars }: DocxWorkerInput): Promise<DocxWorkerResult> {
  try {
    await inspectDocxArchive(filename, bytes, limits);
  } catch (error) {
    if (error instanceof DocxArchiveError) return { ok: false, refusal: error.refusal, message: error.message };
    throw error;
  }
  let text: string;
  try {
    // Loaded only for a file that passed the gate: a refused bomb costs the worker no mammoth.
    const { default: mammoth } = await import("mammoth");
    ({ value: text } = await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }));
  } catch (error) {
    // Malformed XML, or markup nested deeper than the stack allows (a RangeError).
    return {
      ok: false,
      refusal: "unreadable",
      message: unreadable(filename),
      detail: error instanceof Error ? error.message : String(error),
    };
  }
  if (text.length > maxTextChars) {
    return {
      ok: false,
      refusal: "too_much_text",
      message: `${filename} holds more than ${maxTextChars.toLocaleString("en")} characters of text, far more than an essay.`,
    };
  }
  return { ok: true, text };
}

const port = parentPort;
if (port) {
  const input = workerData as DocxWorkerInput;
  readDocx(input).then(
    (result) => port.postMessage(result),
    (error: unknown) =>
      port.postMessage({
        ok: false,
        refusal: "unreadable",
        message: unreadable(input.filename),
        detail: String(error),
      } satisfies DocxWorkerResult),
  );
}
