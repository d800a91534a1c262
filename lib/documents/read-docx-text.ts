import { Worker } from "node:worker_threads";
import { documentEnv } from "../env";
import type { DocxWorkerInput, DocxWorkerResult } from "./docx-text-worker";
import { DocumentTextError } from "./document-text-error";
import { DocxArchiveError, inspectDocxArchive, type DocxArchiveLimits } from "./docx-archive";

/** Extracted text beyond this is no essay (the essay limit is 100 KB); refused before it is sent back. */
export const MAX_DOCUMENT_TEXT_CHARS = 1_000_000;
// A real .docx has 10–50 parts and Word's XML compresses 5–40 times; see docx-archive.ts.
const MAX_DOCX_ENTRIES = 1000;
const MAX_DOCX_COMPRESSION_RATIO = 100;
// Each worker may use its heap limit; two at once keep a 2-core server answering others.
const MAX_CONCURRENT_WORKERS = 2;

let running = 0;
const waiting: Array<() => void> = [];

async function withWorkerSlot<T>(run: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await run();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/**
 * The text of a .docx, read in a worker thread with a capped heap, a deadline and a cap on
 * the text it returns (#9): a zip bomb or a pathological document is refused with a
 * DocumentTextError, and the server's own thread only reads the ZIP's directory and waits.
 */
export async function readDocxText(filename: string, bytes: Uint8Array): Promise<string> {
  const { maxUncompressedBytes } = documentEnv();
  const limits: DocxArchiveLimits = { maxUncompressedBytes, maxEntries: MAX_DOCX_ENTRIES, maxCompressionRatio: MAX_DOCX_COMPRESSION_RATIO };
  // The directory alone, here: an honest bomb or a file that is no .docx never costs a worker.
  try {
    await inspectDocxArchive(filename, bytes, limits, { countBytes: false });
  } catch (error) {
    if (error instanceof DocxArchiveError) throw new DocumentTextError(error.message);
    throw error;
  }
  return withWorkerSlot(() => runDocxWorker({ filename, bytes, limits, maxTextChars: MAX_DOCUMENT_TEXT_CHARS }));
}

function runDocxWorker(input: DocxWorkerInput): Promise<string> {
  const { filename } = input;
  const { timeoutMs, memoryMb } = documentEnv();
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./docx-text-worker.ts", import.meta.url), {
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(32, memoryMb), stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new DocumentTextError(
              `${filename} took longer than ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`} to read, far longer than a Word essay takes; it was not read. Save it as .txt and upload that.`,
            ),
          ),
        ),
      timeoutMs,
    );
    worker.once("message", (result: DocxWorkerResult) =>
      settle(() => {
        if (result.ok && result.text.length <= MAX_DOCUMENT_TEXT_CHARS) return resolve(result.text);
        if (result.ok) return reject(new DocumentTextError(`${filename} holds far more text than an essay.`, "payload_too_large"));
        if (result.detail) console.warn(`[documents] ${filename} could not be read: ${result.detail}`);
        // Too much text is a size (413); a bomb or a damaged file is content we will not read (422).
        reject(new DocumentTextError(result.message, result.refusal === "too_much_text" ? "payload_too_large" : "unprocessable"));
      }),
    );
    worker.once("error", (error: Error & { code?: string }) =>
      settle(() => {
        if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
          reject(
            new DocumentTextError(
              `${filename} needs more than ${memoryMb} MB of memory to read, far more than a Word essay needs; it was not read. Save it as .txt and upload that.`,
            ),
          );
        } else {
          console.error(`[documents] the worker reading ${filename} failed`, error);
          reject(new DocumentTextError(`${filename} could not be read as a Word document. Save it as .txt and upload that.`));
        }
      }),
    );
    worker.once("exit", (code) =>
      settle(() =>
        reject(new DocumentTextError(`${filename} could not be read as a Word document (the reader stopped with code ${code}).`)),
      ),
    );
  });
}
