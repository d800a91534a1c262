import { formatSize } from "./docx-archive";
import { DocumentTextError } from "./document-text-error";
import { MAX_DOCUMENT_TEXT_CHARS, readDocxText } from "./read-docx-text";

export { DocumentTextError } from "./document-text-error";

export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
export const MAX_DOCUMENT_LINES = 4_000;

const extensionOf = (filename: string) => filename.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? "";

/**
 * The plain text of an uploaded essay: .txt (must be UTF-8 text) or .docx (mammoth, in a
 * worker thread with limits: see read-docx-text.ts). Throws DocumentTextError with a
 * message a teacher can act on: 413 too large, 415 not a type we read, 422 unreadable.
 */
export async function extractDocumentText(filename: string, bytes: Uint8Array): Promise<string> {
  if (bytes.byteLength > MAX_DOCUMENT_BYTES) {
    throw new DocumentTextError(`${filename} is larger than ${formatSize(MAX_DOCUMENT_BYTES)}.`, "payload_too_large");
  }
  const extension = extensionOf(filename);
  if (extension === "txt" || extension === "md") return assertEssaySized(filename, readPlainText(filename, bytes));
  if (extension === "docx") return assertEssaySized(filename, await readDocxText(filename, bytes));
  throw new DocumentTextError(
    `${filename}: only .txt and .docx files can be uploaded${extension ? `, not .${extension}` : ""}.`,
    "unsupported_media_type",
  );
}

/**
 * UTF-8 text without NUL bytes (a binary file, or UTF-16 text, renamed .txt has them), of at
 * most `maxChars` characters and, when it is one essay, MAX_DOCUMENT_LINES lines.
 */
export function readPlainText(
  filename: string,
  bytes: Uint8Array,
  {
    advice = "Save it as UTF-8 text (or as .docx) and upload it again.",
    maxChars = MAX_DOCUMENT_TEXT_CHARS,
    // A CSV's rows are checked one by one later, so a teacher learns which row holds the byte.
    refuseNul = true,
  } = {},
): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw new DocumentTextError(`${filename} is not UTF-8 text. ${advice}`);
  }
  if (refuseNul && text.includes("\0"))
    throw new DocumentTextError(`${filename} holds NUL bytes, so it is a binary file, not text. ${advice}`);
  if (text.length > maxChars) {
    throw new DocumentTextError(
      `${filename} holds more than ${maxChars.toLocaleString("en")} characters, far more than an essay.`,
      "payload_too_large",
    );
  }
  return text;
}

/** Refuses text that cannot be one essay: ten times the 400 lines an essay may have (the form lets a student trim a little). */
function assertEssaySized(filename: string, text: string): string {
  // A scan, not a regex: /[^\n]*\S/ backtracks quadratically over a long line of spaces.
  let lines = 0;
  let lineHasText = false;
  for (let i = 0; i <= text.length; i++) {
    const code = i === text.length ? 10 : text.charCodeAt(i);
    if (code === 10 || code === 13) {
      if (lineHasText) lines += 1;
      lineHasText = false;
    } else if (code > 32) lineHasText = true;
  }
  if (lines > MAX_DOCUMENT_LINES) {
    throw new DocumentTextError(
      `${filename} has more than ${MAX_DOCUMENT_LINES.toLocaleString("en")} lines of text, far more than an essay (at most 400).`,
    );
  }
  return text;
}

/** "maria_lopez-essay.docx" → "maria lopez-essay": a starting point for the student's name. */
export function studentNameFromFilename(filename: string): string {
  return (
    filename
      .replace(/\.[^.]+$/, "")
      .replace(/[_]+/g, " ")
      .trim() || filename
  );
}
