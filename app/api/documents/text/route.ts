import { NextResponse } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { extractDocumentText } from "@/lib/documents/extract-text";

export const dynamic = "force-dynamic";

/** The text of an uploaded .txt or .docx (multipart field "file"), for the submit form to show before grading. */
export async function POST(request: Request) {
  try {
    const form = await request.formData().catch(() => {
      throw new ApiError("bad_request", "Send the document as multipart/form-data with a field named file.");
    });
    const file = form.get("file");
    if (!(file instanceof File)) throw new ApiError("bad_request", "No file was uploaded (expected a field named file).");
    const text = await extractDocumentText(file.name, new Uint8Array(await file.arrayBuffer()));
    return NextResponse.json({ filename: file.name, text });
  } catch (error) {
    return toErrorResponse(error);
  }
}
