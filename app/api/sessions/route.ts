import { assertRequestAllowed } from "@/lib/api/guard-request";
import { NextResponse } from "next/server";
import { z } from "zod";
import { drainAfterResponse } from "@/lib/api/drain-after-response";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { readMultipartForm } from "@/lib/api/read-body";
import { fingerprintRequest, IDEMPOTENT_REPLAYED_HEADER, readIdempotencyKey } from "@/lib/api/idempotency-key";
import { getSql } from "@/lib/db/server-sql";
import { MAX_DOCUMENT_BYTES } from "@/lib/documents/extract-text";
import { documentEnv } from "@/lib/env";
import { createGradingSession, MAX_SESSION_STUDENTS } from "@/lib/sessions/create-grading-session";
import { listSessions } from "@/lib/sessions/get-session-state";
import { readSessionUpload } from "@/lib/sessions/read-session-upload";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

const sessionFormSchema = z.object({
  assignmentId: z.uuid("Choose an assignment."),
  title: z.string().trim().max(200).optional(),
});

export async function GET(request: Request) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    return NextResponse.json({ sessions: await listSessions(getSql()) });
  } catch (error) {
    return toErrorResponse(error);
  }
}

/**
 * Grade a class: multipart with assignmentId, title and files (.txt/.docx essays and/or a CSV of name,text).
 * With an Idempotency-Key, a repeat of the same upload answers with the session the first one created.
 */
export async function POST(request: Request) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    const key = readIdempotencyKey(request);
    const form = await readMultipartForm(request, {
      maxBytes: documentEnv().maxUploadBytes,
      maxFileBytes: MAX_DOCUMENT_BYTES,
      maxFiles: MAX_SESSION_STUDENTS,
      what: "the class upload",
    });
    const fields = sessionFormSchema.parse({ assignmentId: form.fields.get("assignmentId"), title: form.fields.get("title") || undefined });
    // An empty file is kept, so it is reported ("… is empty") instead of silently dropped.
    const files = form.files.filter((file) => file.field === "files");
    if (files.length === 0)
      throw new ApiError("bad_request", "Upload the essays: .txt or .docx files, or a CSV with name and text columns.");
    const students = await readSessionUpload(files);
    const sql = getSql();
    const title = fields.title || `Session of ${new Date().toISOString().slice(0, 16).replace("T", " ")}`;
    // The fingerprint is of what was sent (not the default title, which has the time in it).
    const idempotency = key === null ? undefined : { key, fingerprint: fingerprintRequest({ ...fields, students }) };
    const session = await createGradingSession(sql, { assignmentId: fields.assignmentId, title, students }, { idempotency });
    drainAfterResponse();
    const headers: Record<string, string> = { Location: `/sessions/${session.id}` };
    if (session.replayed) headers[IDEMPOTENT_REPLAYED_HEADER] = "true";
    return NextResponse.json({ id: session.id, students: session.submissionIds.length }, { status: 201, headers });
  } catch (error) {
    return toErrorResponse(error);
  }
}
