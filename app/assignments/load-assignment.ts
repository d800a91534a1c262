import { z } from "zod";
import { getSql } from "@/lib/db/server-sql";
import { getAssignmentContext } from "@/lib/assignments/assignments";
import type { AssignmentContext } from "@/lib/assignments/assignments";

/** The assignment for a page, or null for an unknown or malformed id (the page then calls notFound()). */
export async function loadAssignment(id: string): Promise<AssignmentContext | null> {
  if (!z.uuid().safeParse(id).success) return null;
  return getAssignmentContext(getSql(), id);
}
