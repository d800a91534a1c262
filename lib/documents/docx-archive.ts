import yauzl from "yauzl";

/** How far a .docx may expand before anything inflates it (#9). */
export interface DocxArchiveLimits {
  /** The sum of every entry's uncompressed size. */
  maxUncompressedBytes: number;
  /** Entries in the central directory; a real essay has 10–50, one with many pictures a few hundred. */
  maxEntries: number;
  /** Uncompressed ÷ compressed for any entry above RATIO_CHECK_FLOOR_BYTES; Word's XML stays under 30. */
  maxCompressionRatio: number;
}

// Small parts may compress extremely well (a 20 KB styles.xml of repeated markup) and cost nothing.
const RATIO_CHECK_FLOOR_BYTES = 1024 * 1024;
// What every .docx holds: Word, Google Docs, LibreOffice and Pages all write these two.
const REQUIRED_PARTS = ["[Content_Types].xml", "word/document.xml"];

export type DocxRefusal = "not_docx" | "too_large";

/** Why an upload is not a .docx we are willing to open; the message names the file. */
export class DocxArchiveError extends Error {
  override name = "DocxArchiveError";
  constructor(
    readonly refusal: DocxRefusal,
    message: string,
  ) {
    super(message);
  }
}

export const formatSize = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${Math.round(bytes / 1024 / 1024)} MB`;

/** What the first bytes say a file really is, when it is not a ZIP archive. */
function describeImpostor(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.subarray(0, 4).toString("latin1") === "%PDF") return "it is a PDF";
  // OLE compound file: an old .doc, or a .docx saved with a password (Word encrypts the whole package).
  if (head.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])))
    return "it is an older Word (.doc) or password-protected document";
  if (head.subarray(0, 5).toString("latin1") === "{\\rtf") return "it is an RTF document";
  return "its bytes are not a ZIP archive";
}

/**
 * Reads the archive's central directory and refuses, before inflating anything, a file that
 * is not a .docx or would expand past the limits; then inflates every entry once, counting
 * and discarding the bytes, so sizes the directory lies about are caught too (yauzl stops a
 * stream as soon as it yields more than its entry declared). After this, whoever opens the
 * archive (mammoth) inflates at most `maxUncompressedBytes`. With `countBytes: false` only
 * the directory is read (milliseconds, no inflating): the server's thread does that much
 * before it starts a worker, which then runs the whole check.
 */
export async function inspectDocxArchive(
  filename: string,
  bytes: Uint8Array,
  limits: DocxArchiveLimits,
  { countBytes = true }: { countBytes?: boolean } = {},
): Promise<void> {
  const notDocx = (why: string) =>
    new DocxArchiveError("not_docx", `${filename} is not a Word .docx file (${why}). Save it as .docx or .txt and upload it again.`);
  if (Buffer.from(bytes.subarray(0, 4)).toString("latin1") !== "PK\x03\x04") throw notDocx(describeImpostor(bytes));

  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      lazyEntries: true,
      validateEntrySizes: true,
      autoClose: false,
    });
  } catch {
    throw notDocx("it is a damaged ZIP archive");
  }
  try {
    if (zipfile.entryCount > limits.maxEntries) {
      throw new DocxArchiveError(
        "too_large",
        `${filename} holds ${zipfile.entryCount} parts; a Word document this app reads has at most ${limits.maxEntries}.`,
      );
    }
    const entries: yauzl.Entry[] = [];
    let declaredTotal = 0;
    try {
      for await (const entry of zipfile.eachEntry()) entries.push(entry);
    } catch {
      throw notDocx("it is a damaged ZIP archive");
    }
    for (const entry of entries) {
      if (entry.isEncrypted()) throw notDocx("it is an encrypted ZIP archive");
      if (!entry.canDecodeFileData()) throw notDocx("it is a ZIP archive with an unusual compression method");
      declaredTotal += entry.uncompressedSize;
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (entry.uncompressedSize > RATIO_CHECK_FLOOR_BYTES && ratio > limits.maxCompressionRatio) {
        throw new DocxArchiveError(
          "too_large",
          `${filename} would expand to ${formatSize(entry.uncompressedSize)} when opened (${entry.fileName} is compressed ${Math.round(ratio)} to 1; Word's own files stay under ${limits.maxCompressionRatio} to 1), so it was not opened.`,
        );
      }
    }
    if (declaredTotal > limits.maxUncompressedBytes) {
      throw new DocxArchiveError(
        "too_large",
        `${filename} would expand to ${formatSize(declaredTotal)} when opened; the limit is ${formatSize(limits.maxUncompressedBytes)}, so it was not opened.`,
      );
    }
    const names = new Set(entries.map((entry) => entry.fileName));
    if (!REQUIRED_PARTS.every((part) => names.has(part))) throw notDocx("it is a ZIP archive without word/document.xml");
    if (countBytes) for (const entry of entries) await countEntryBytes(zipfile, entry, filename);
  } finally {
    zipfile.close();
  }
}

/** Inflates one entry into nothing; yauzl errors as soon as it yields more (or fewer) bytes than declared. */
async function countEntryBytes(zipfile: yauzl.ZipFile, entry: yauzl.Entry, filename: string): Promise<void> {
  try {
    const stream = await zipfile.openReadStreamPromise(entry);
    for await (const chunk of stream) void chunk;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/too many bytes/i.test(message)) {
      throw new DocxArchiveError(
        "too_large",
        `${filename} is a ZIP bomb: ${entry.fileName} holds more than the ${formatSize(entry.uncompressedSize)} its directory declares, so it was not opened.`,
      );
    }
    throw new DocxArchiveError("not_docx", `${filename} is not a Word .docx file (${entry.fileName} in it cannot be inflated).`);
  }
}
