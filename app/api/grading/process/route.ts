import { NextResponse } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { CRON_DRAIN_BUDGET_MS } from "@/lib/api/route-config";
import { cronEnv, drainEnv } from "@/lib/env";
import { serverStoppingSignal } from "@/lib/api/server-stopping";
import { drainsCanRegister, getSql } from "@/lib/db/server-sql";
import { authorizeCronRequest } from "@/lib/api/cron-authorization";
import { processGradingQueue } from "@/lib/grading/process-grading-queue";
import { appTasks } from "@/lib/tasks";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

/** Vercel Cron (vercel.json, every minute): drain within the budget, recover leases, clean up. */
export async function GET(request: Request) {
  try {
    const auth = authorizeCronRequest(request.headers.get("authorization"), cronEnv().CRON_SECRET, cronEnv().NODE_ENV === "production");
    if (!auth.ok) throw new ApiError(auth.status === 401 ? "unauthorized" : "misconfigured", auth.message);
    const summary = await processGradingQueue({
      sql: getSql(),
      tasks: appTasks(),
      timeBudgetMs: CRON_DRAIN_BUDGET_MS,
      concurrency: drainEnv().GRADING_CONCURRENCY,
      register: drainsCanRegister(),
      signal: serverStoppingSignal(),
    });
    return NextResponse.json(summary);
  } catch (error) {
    return toErrorResponse(error);
  }
}
