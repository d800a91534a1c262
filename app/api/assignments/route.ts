import { assertRequestAllowed } from "@/lib/api/guard-request";
import { MAX_ASSIGNMENT_REQUEST_BYTES } from "@/lib/api/route-config";
import { NextResponse } from "next/server";
import { toErrorResponse } from "@/lib/api/errors";
import { readJsonBody } from "@/lib/api/read-body";
import { getSql } from "@/lib/db/server-sql";
import { assignmentBodySchema, createAssignment, listAssignments } from "@/lib/assignments/assignments";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    return NextResponse.json({ assignments: await listAssignments(getSql()) });
  } catch (error) {
    return toErrorResponse(error);
  }
}

export async function POST(request: Request) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    const body = assignmentBodySchema.parse(await readJsonBody(request, MAX_ASSIGNMENT_REQUEST_BYTES));
    const assignment = await createAssignment(getSql(), body);
    return NextResponse.json(assignment, { status: 201, headers: { Location: `/api/assignments/${assignment.id}` } });
  } catch (error) {
    return toErrorResponse(error);
  }
}
