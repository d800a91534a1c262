import { assertRequestAllowed } from "@/lib/api/guard-request";
import { MAX_ASSIGNMENT_REQUEST_BYTES } from "@/lib/api/route-config";
import { NextResponse } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { readJsonBody } from "@/lib/api/read-body";
import { parseUuid } from "@/lib/api/params";
import { getSql } from "@/lib/db/server-sql";
import { assignmentBodySchema, getAssignmentContext, updateAssignment } from "@/lib/assignments/assignments";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    const id = parseUuid((await params).id);
    const assignment = await getAssignmentContext(getSql(), id);
    if (!assignment) throw new ApiError("not_found", `No assignment with id ${id}.`);
    return NextResponse.json(assignment);
  } catch (error) {
    return toErrorResponse(error);
  }
}

export async function PUT(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    const id = parseUuid((await params).id);
    const body = assignmentBodySchema.parse(await readJsonBody(request, MAX_ASSIGNMENT_REQUEST_BYTES));
    const assignment = await updateAssignment(getSql(), id, body);
    if (!assignment) throw new ApiError("not_found", `No assignment with id ${id}.`);
    return NextResponse.json(assignment);
  } catch (error) {
    return toErrorResponse(error);
  }
}
