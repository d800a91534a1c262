export type JobAction = "retry" | "cancel";

export type JobActionResult = { ok: true; status: string } | { ok: false; message: string };

/**
 * POSTs /api/jobs/:id/retry or /cancel and returns the job's new status, or the
 * server's reason when it refused (409 `{error: {message}}`) or failed.
 */
export async function postJobAction(jobId: number, action: JobAction): Promise<JobActionResult> {
  let response: Response;
  try {
    response = await fetch(`/api/jobs/${jobId}/${action}`, { method: "POST" });
  } catch {
    return { ok: false, message: "The server did not answer. Is the app still running?" };
  }
  const body = (await response.json().catch(() => null)) as { status?: string; error?: { message?: string } } | null;
  if (!response.ok) {
    return { ok: false, message: body?.error?.message ?? `The server answered ${response.status} ${response.statusText}.` };
  }
  return { ok: true, status: body?.status ?? "unknown" };
}
