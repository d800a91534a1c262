import { assertRequestAllowed } from "@/lib/api/guard-request";
import { NextResponse } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { readMultipartForm } from "@/lib/api/read-body";
import { extractDocumentText, MAX_DOCUMENT_BYTES } from "@/lib/documents/extract-text";

export const dynamic = "force-dynamic";

// One file and the multipart framing around it.
const MAX_REQUEST_BYTES = MAX_DOCUMENT_BYTES + 64 * 1024;

/** The text of an uploaded .txt or .docx (multipart field "file"), for the submit form to show before grading. */
export async function POST(request: Request) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    const form = await readMultipartForm(request, {
      maxBytes: MAX_REQUEST_BYTES,
      maxFileBytes: MAX_DOCUMENT_BYTES,
      maxFiles: 1,
      what: "the document",
    });
    const file = form.files.find((candidate) => candidate.field === "file");
    if (!file) throw new ApiError("bad_request", "No file was uploaded (expected a field named file).");
    const text = await extractDocumentText(file.filename, file.bytes);
    return NextResponse.json({ filename: file.filename, text });
  } catch (error) {
    return toErrorResponse(error);
  }
}
