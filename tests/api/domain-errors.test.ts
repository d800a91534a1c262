import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError, toErrorResponse } from "../../lib/api/errors";
import { DocumentTextError } from "../../lib/documents/extract-text";
import { AssignmentNotFoundError } from "../../lib/submissions/create-submission";
import { IdempotencyKeyReusedError } from "../../lib/submissions/idempotency";
import { OverrideError } from "../../lib/submissions/overrides";
import { MAX_SUBMISSION_LINES } from "../../lib/submissions/split-lines";
import { splitLines } from "../../lib/submissions/split-lines";
import { SessionInputError } from "../../lib/sessions/create-grading-session";

const root = path.resolve(import.meta.dirname, "../..");

async function answer(error: unknown) {
  const response = toErrorResponse(error);
  return { status: response.status, body: (await response.json()) as { error: Record<string, unknown> } };
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected it to throw");
}

describe("domain errors carry their own status (#8)", () => {
  it("each room's error answers with its code, status and sentence (pure)", async () => {
    const cases: Array<[unknown, number, string]> = [
      [thrownBy(() => splitLines("x".repeat(2_000_000))), 413, "payload_too_large"],
      [thrownBy(() => splitLines("   ")), 422, "unprocessable"],
      [
        thrownBy(() => splitLines(Array.from({ length: MAX_SUBMISSION_LINES + 1 }, (_, i) => `Line ${i}.`).join("\n"))),
        422,
        "unprocessable",
      ],
      [new AssignmentNotFoundError("No assignment with id a."), 404, "not_found"],
      [new OverrideError("No submission with id s.", "not_found"), 404, "not_found"],
      [new OverrideError("score must be between 1 and 5.", "invalid"), 422, "unprocessable"],
      [new DocumentTextError("essay.pdf: only .txt and .docx files can be uploaded."), 422, "unprocessable"],
      [new IdempotencyKeyReusedError("submission"), 422, "unprocessable"],
      [new ApiError("payload_too_large", "The request is too large."), 413, "payload_too_large"],
    ];
    for (const [error, status, code] of cases) {
      const { status: answered, body } = await answer(error);
      expect({ answered, code: body.error.code }).toEqual({ answered: status, code });
      expect(body.error.message).toBe((error as Error).message);
    }
  });

  it("details travel with the answer: an upload's problems are listed (pure)", async () => {
    const { status, body } = await answer(
      new SessionInputError("2 uploaded file(s) could not be read; nothing was started.", ["a.pdf: not text", "b.docx: empty"]),
    );
    expect(status).toBe(422);
    expect(body.error).toEqual({
      code: "unprocessable",
      message: "2 uploaded file(s) could not be read; nothing was started.",
      problems: ["a.pdf: not text", "b.docx: empty"],
    });
  });

  it("a zod error is a 400 with its first issue, an unknown error a 500 that leaks nothing (pure)", async () => {
    const zod = z.object({ text: z.string() }).safeParse({ text: 3 });
    expect((await answer(zod.error)).status).toBe(400);
    const unknown = await answer(new Error("SELECT * FROM secrets failed at 10.0.0.7"));
    expect(unknown.status).toBe(500);
    expect(JSON.stringify(unknown.body)).not.toContain("10.0.0.7");
  });

  it("lib/api/errors.ts maps them without importing any room (pure)", () => {
    const source = readFileSync(path.join(root, "lib/api/errors.ts"), "utf8");
    const imports = [...source.matchAll(/from\s+"([^"]+)"/g)].map((match) => match[1]);
    expect(imports.filter((from) => /\/(grading|sessions|submissions|assignments|documents|queue)\//.test(`${from}/`))).toEqual([]);
  });
});
