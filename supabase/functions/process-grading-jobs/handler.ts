import { errorResponse, jsonResponse } from "../_shared/json-response.ts";
import { sameSecret } from "../_shared/same-secret.ts";

export interface ProcessGradingJobsEnv {
  /** The deployed app, e.g. https://gradeline.example.edu */
  GRADELINE_APP_URL?: string;
  /** The app's CRON_SECRET; callers of this function must present it too. */
  CRON_SECRET?: string;
}

const APP_TIMEOUT_MS = 55_000;

/**
 * A tick of the queue for deployments whose Vercel plan only allows a daily cron:
 * pg_cron + pg_net call this function every few seconds, and it asks the app to drain
 * (GET /api/grading/process, the same route Vercel Cron calls), returning its summary.
 * The job handlers live in the app, so this function never rates anything itself.
 */
export async function handleProcessGradingJobs(
  request: Request,
  env: ProcessGradingJobsEnv,
  fetchImpl: typeof fetch = fetch,
): Promise<Response> {
  if (!env.GRADELINE_APP_URL || !env.CRON_SECRET) {
    return errorResponse(503, "Set GRADELINE_APP_URL and CRON_SECRET as function secrets (supabase secrets set …).");
  }
  // Constant time: a caller timing refusals learns nothing about the secret (#9).
  if (!(await sameSecret(request.headers.get("authorization") ?? "", `Bearer ${env.CRON_SECRET}`))) {
    return errorResponse(401, "Missing or wrong Authorization: Bearer <CRON_SECRET>.");
  }
  const target = new URL("/api/grading/process", env.GRADELINE_APP_URL);
  let response: Response;
  try {
    response = await fetchImpl(target, {
      headers: { authorization: `Bearer ${env.CRON_SECRET}` },
      signal: AbortSignal.timeout(APP_TIMEOUT_MS),
    });
  } catch (error) {
    return errorResponse(502, `The app at ${target.origin} did not answer: ${(error as Error).message}`);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${response.status}`;
    return errorResponse(502, `The app refused the tick: ${message}`);
  }
  return jsonResponse({ app: target.origin, summary: body });
}
