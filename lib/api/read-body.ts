import busboy from "busboy";
import { ApiError } from "./errors";

// Bodies are read as streams and counted as they arrive (#9): a request over its limit is
// refused the moment it passes it, declared (Content-Length) or not (chunked), and never
// buffered whole. Nothing is written before the body has been read and checked.

const kilobytes = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${Math.round(bytes / 1024 / 1024)} MB`);

const tooLarge = (maxBytes: number) => new ApiError("payload_too_large", `The request is too large: the limit is ${kilobytes(maxBytes)}.`);

/** The media type of a Content-Type header, lowercased, without its parameters. */
function mediaTypeOf(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

// After a refusal the client is usually still sending. Closing the connection on it then
// makes many clients (fetch, browsers) report a reset instead of the 413, so the rest is
// read and dropped, up to these bounds, while the answer goes out; past them it is cut off.
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
const DISCARD_MAX_MS = 30_000;

/** Reads and drops what is left of a refused body in the background; memory stays at one chunk. */
function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRefused = 0): void {
  let discarded = alreadyRefused;
  const cutOff = () => void reader.cancel().catch(() => {});
  const timer = setTimeout(cutOff, DISCARD_MAX_MS);
  timer.unref?.();
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        discarded += value.byteLength;
        if (discarded > DISCARD_MAX_BYTES) return cutOff();
      }
    } catch {
      // the client went away: nothing left to drop
    } finally {
      clearTimeout(timer);
    }
  })();
}

/** Refuses a body whose Content-Length is over the limit, before reading any of it. */
function refuseDeclaredLength(request: Request, maxBytes: number, error: () => ApiError): void {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared <= maxBytes) return;
  if (request.body) {
    const reader = request.body.getReader();
    if (declared > DISCARD_MAX_BYTES) void reader.cancel().catch(() => {});
    else discardRest(reader);
  }
  throw error();
}

/**
 * The body's bytes, at most `maxBytes`: it is refused as soon as more arrive, so an endless
 * chunked body is never held beyond one chunk past the limit (the rest is dropped unread).
 */
export async function readBodyBytes(
  request: Request,
  maxBytes: number,
  error: () => ApiError = () => tooLarge(maxBytes),
): Promise<Uint8Array> {
  refuseDeclaredLength(request, maxBytes, error);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      discardRest(reader, total);
      throw error();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Reads a JSON body strictly: the Content-Type must say application/json (415 otherwise: a
 * cross-site HTML form can post text/plain without asking, never application/json), the
 * size is capped while reading, the bytes must be UTF-8 (a Latin-1 or UTF-16 file pasted as
 * bytes gets a clear 400 instead of mojibake), and then it is parsed.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  if (mediaTypeOf(request) !== "application/json") {
    throw new ApiError("unsupported_media_type", "Send the request body as JSON, with the header Content-Type: application/json.");
  }
  const bytes = await readBodyBytes(request, maxBytes);
  if (bytes.byteLength === 0) throw new ApiError("bad_request", "The request body is empty; send JSON.");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError("bad_request", "The request body is not valid UTF-8 text. Save the essay as UTF-8 and try again.");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", "The request body is not valid JSON.");
  }
}

export interface MultipartFile {
  field: string;
  filename: string;
  bytes: Uint8Array;
}

export interface MultipartForm {
  /** The first value of each text field. */
  fields: Map<string, string>;
  /** Files in the order they were sent; a file input left empty (no name) is left out. */
  files: MultipartFile[];
}

export interface MultipartLimits {
  /** The whole body. */
  maxBytes: number;
  maxFileBytes: number;
  maxFiles: number;
  /** What to call the upload in a sentence: "the class upload". */
  what: string;
}

// Text fields are ids and titles.
const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 16 * 1024;

/**
 * A multipart/form-data body read with busboy as it streams in: the whole body, each file
 * and each field are capped while reading (413 the moment one passes its limit), and only
 * what fits is kept in memory.
 */
export async function readMultipartForm(request: Request, limits: MultipartLimits): Promise<MultipartForm> {
  const contentType = request.headers.get("content-type") ?? "";
  if (mediaTypeOf(request) !== "multipart/form-data") {
    throw new ApiError("unsupported_media_type", `Send ${limits.what} as multipart/form-data (an HTML form with files).`);
  }
  const overall = () =>
    new ApiError("payload_too_large", `${capitalise(limits.what)} is too large: the limit is ${kilobytes(limits.maxBytes)} in all.`);
  refuseDeclaredLength(request, limits.maxBytes, overall);
  if (!request.body) throw new ApiError("bad_request", `${capitalise(limits.what)} is empty.`);

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      defParamCharset: "utf8", // browsers send file names as UTF-8
      limits: {
        fileSize: limits.maxFileBytes,
        files: limits.maxFiles,
        fields: MAX_FIELDS,
        fieldSize: MAX_FIELD_BYTES,
        parts: limits.maxFiles + MAX_FIELDS,
      },
    });
  } catch {
    throw new ApiError("bad_request", `${capitalise(limits.what)} is not valid multipart/form-data (its boundary is missing).`);
  }
  const form: MultipartForm = { fields: new Map(), files: [] };
  // An object, not a `let`: the parser's callbacks set it while the loop below reads.
  const state: { failure: ApiError | null } = { failure: null };
  const fail = (error: ApiError) => {
    state.failure ??= error;
  };
  const parsed = new Promise<void>((resolve) => {
    parser.on("file", (field, stream, info) => {
      const chunks: Buffer[] = [];
      // Destroying the parser after a refusal errors the file still open ("Unexpected end of file"): expected, so ignored.
      stream.on("error", () => {});
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () =>
        fail(new ApiError("payload_too_large", `${info.filename || field} is larger than ${kilobytes(limits.maxFileBytes)}.`)),
      );
      // "end", not "close": busboy closes the form once every file has ended, before their "close".
      stream.on("end", () => {
        if (info.filename) form.files.push({ field, filename: info.filename, bytes: Buffer.concat(chunks) });
      });
    });
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated)
        fail(new ApiError("payload_too_large", `The form field ${name} is longer than ${kilobytes(MAX_FIELD_BYTES)}.`));
      else if (!form.fields.has(name)) form.fields.set(name, value);
    });
    parser.on("filesLimit", () =>
      fail(new ApiError("payload_too_large", `${capitalise(limits.what)} holds more than ${limits.maxFiles} files.`)),
    );
    parser.on("fieldsLimit", () =>
      fail(new ApiError("payload_too_large", `${capitalise(limits.what)} holds more than ${MAX_FIELDS} form fields.`)),
    );
    parser.on("partsLimit", () => fail(new ApiError("payload_too_large", `${capitalise(limits.what)} holds too many parts.`)));
    parser.on("error", () => {
      fail(new ApiError("bad_request", `${capitalise(limits.what)} is not valid multipart/form-data.`));
      resolve();
    });
    parser.on("close", () => resolve());
  });

  const reader = request.body.getReader();
  let total = 0;
  while (!state.failure) {
    const { done, value } = await reader.read();
    if (done) {
      parser.end();
      break;
    }
    total += value.byteLength;
    if (total > limits.maxBytes) fail(overall());
    else if (!parser.write(value))
      await new Promise((resolve) => parser.once("drain", resolve).once("error", resolve).once("close", resolve));
  }
  if (state.failure) {
    parser.destroy();
    discardRest(reader, total);
    throw state.failure;
  }
  await parsed;
  if (state.failure) throw state.failure;
  return form;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
