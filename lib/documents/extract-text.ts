import mammoth from "mammoth";
import { DomainError } from "../domain-error";

export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

export class DocumentTextError extends DomainError {
  override name = "DocumentTextError";
  constructor(message: string) {
    super("unprocessable", message);
  }
}

const extensionOf = (filename: string) => filename.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? "";

/**
 * The plain text of an uploaded essay: .txt (must be UTF-8) or .docx (via mammoth).
 * Throws DocumentTextError with a message a teacher can act on.
 */
export async function extractDocumentText(filename: string, bytes: Uint8Array): Promise<string> {
  if (bytes.byteLength > MAX_DOCUMENT_BYTES) {
    throw new DocumentTextError(`${filename} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB.`);
  }
  const extension = extensionOf(filename);
  if (extension === "txt" || extension === "md") {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
    } catch {
      throw new DocumentTextError(`${filename} is not UTF-8 text. Save it as UTF-8 (or as .docx) and upload it again.`);
    }
  }
  if (extension === "docx") {
    try {
      const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
      return value;
    } catch (error) {
      throw new DocumentTextError(`${filename} could not be read as a Word document (${(error as Error).message}).`);
    }
  }
  throw new DocumentTextError(`${filename}: only .txt and .docx files can be uploaded${extension ? `, not .${extension}` : ""}.`);
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
