import { createAssignment } from "../../../lib/assignments/assignments";
import type { Sql } from "../../../lib/db/sql";
import { testRubric } from "../../helpers/grading";
import { startApp, type RunningApp } from "../../helpers/next-server";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../../support/fake-openai-server";
import { startWorkerProcess, type WorkerProcess } from "./worker-process";

export interface GradingApp {
  app: RunningApp;
  llm: FakeOpenAiServer;
  worker: WorkerProcess | null;
  env: Record<string, string>;
  assignmentId: string;
  startWorker(): Promise<WorkerProcess>;
  /** Stops `next start` (dropping every open stream) and starts it again on the same port. */
  restartApp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The app as an operator runs it: `next start` with in-request draining off, so a
 * separate worker process (the real CLI) does all the grading and a test can stop and
 * start it; the LLM is our fake server, slow enough that partial states last a while.
 */
export async function startGradingApp(databaseUrl: string, sql: Sql, options: { llmLatencyMs?: number } = {}): Promise<GradingApp> {
  const baseLatency = options.llmLatencyMs ?? 700;
  // Staggered answers: ratings land in separate batches, so partial states are visible.
  const llm = await startFakeOpenAiServer({ latencyMs: ({ requestNumber }) => baseLatency + (requestNumber % 3) * 250 });
  const env = {
    DATABASE_URL: databaseUrl,
    OPENAI_API_KEY: "e2e-key",
    OPENAI_BASE_URL: llm.url,
    OPENAI_MODEL: "gpt-4o-mini",
    GRADELINE_INLINE_DRAIN: "0",
    CRON_SECRET: "e2e-cron-secret-0123456789",
  };
  const app = await startApp(env);
  const assignment = await createAssignment(sql, { title: "Later school start", prompt: "Should school start later?", rubric: testRubric });
  const gradingApp: GradingApp = {
    app,
    llm,
    worker: null,
    env,
    assignmentId: assignment.id,
    async startWorker() {
      gradingApp.worker = await startWorkerProcess({ ...env, GRADING_CONCURRENCY: "2" });
      return gradingApp.worker;
    },
    async restartApp() {
      const port = Number(new URL(gradingApp.app.url).port);
      await gradingApp.app.stop("SIGKILL");
      gradingApp.app = await startApp(env, { port });
    },
    async stop() {
      await gradingApp.worker?.stop("SIGKILL");
      await gradingApp.app.stop();
      await llm.close();
    },
  };
  await gradingApp.startWorker();
  return gradingApp;
}
