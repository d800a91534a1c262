import { describe, expect, it } from "vitest";
import { documentEnv, InvalidEnvironmentError } from "../../lib/env";

const MB = 1024 * 1024;

describe("the document limits in lib/env.ts (#9)", () => {
  it("defaults to a 10 s deadline, a 256 MB heap, 32 MB unzipped and 32 MB per class upload (pure)", () => {
    expect(documentEnv({})).toEqual({ timeoutMs: 10_000, memoryMb: 256, maxUncompressedBytes: 32 * MB, maxUploadBytes: 32 * MB });
    expect(documentEnv({ GRADELINE_DOCUMENT_TIMEOUT_MS: "", GRADELINE_UPLOAD_MAX_MB: " " })).toEqual(documentEnv({}));
  });

  it("parses what is set (pure)", () => {
    expect(
      documentEnv({
        GRADELINE_DOCUMENT_TIMEOUT_MS: "2500",
        GRADELINE_DOCUMENT_MEMORY_MB: "64",
        GRADELINE_DOCUMENT_MAX_UNCOMPRESSED_MB: "8",
        GRADELINE_UPLOAD_MAX_MB: "100",
      }),
    ).toEqual({ timeoutMs: 2500, memoryMb: 64, maxUncompressedBytes: 8 * MB, maxUploadBytes: 100 * MB });
  });

  it.each([
    [{ GRADELINE_DOCUMENT_TIMEOUT_MS: "soon" }, "GRADELINE_DOCUMENT_TIMEOUT_MS must be a whole number of milliseconds above 0"],
    [{ GRADELINE_DOCUMENT_MEMORY_MB: "8" }, "GRADELINE_DOCUMENT_MEMORY_MB must be a whole number of megabytes, at least 16"],
    [{ GRADELINE_DOCUMENT_MAX_UNCOMPRESSED_MB: "0" }, "GRADELINE_DOCUMENT_MAX_UNCOMPRESSED_MB must be a whole number of megabytes above 0"],
    [{ GRADELINE_UPLOAD_MAX_MB: "1.5" }, "GRADELINE_UPLOAD_MAX_MB must be a whole number of megabytes above 0"],
  ])("refuses %o with a sentence naming the variable (pure)", (env, message) => {
    expect(() => documentEnv(env)).toThrow(InvalidEnvironmentError);
    expect(() => documentEnv(env)).toThrow(message);
  });
});
