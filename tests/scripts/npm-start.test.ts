import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db";
import { useProcessGroups, type GroupProcess } from "../helpers/process-group";
import { freePort } from "../helpers/next-server";
import { waitFor } from "../helpers/workers";

const db = useTestDatabase();
const root = path.resolve(import.meta.dirname, "../..");
const spawnGroup = useProcessGroups({ cwd: root });

interface StartedApp extends GroupProcess {
  url: string;
}

/** `npm start` as a newcomer runs it, in a process group of its own so a signal to -pid is a terminal's Ctrl-C. */
async function npmStart(): Promise<StartedApp> {
  const port = await freePort();
  const app = spawnGroup("npm", ["start"], { ...process.env, DATABASE_URL: db.current.url, PORT: String(port), CI: "true", NEXT_TELEMETRY_DISABLED: "1" });
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitFor("the app to answer and the worker to register", async () => (await isServing(url)) && (await workerIds()).length === 1, {
      timeoutMs: 90_000,
      intervalMs: 200,
    }),
    app.exited.then(({ code }) => {
      throw new Error(`npm start exited with ${code} before it was ready:\n${app.output()}`);
    }),
  ]);
  return { ...app, url };
}

async function isServing(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/api/health`)).ok;
  } catch {
    return false;
  }
}

async function workerIds(): Promise<string[]> {
  const rows = await db.current.sql<{ worker_id: string }[]>`select worker_id from grading_workers`;
  return rows.map((row) => row.worker_id);
}

describe("npm start", () => {
  it("Ctrl-C stops the web app and the worker once each: exit 0, worker deregistered, port closed (#7)", async () => {
    const app = await npmStart();
    app.signalGroup("SIGINT");
    const { code, signal } = await app.exited;
    expect({ code, signal }, app.output()).toEqual({ code: 0, signal: null });
    expect(await workerIds()).toEqual([]);
    expect(await isServing(app.url)).toBe(false);
    // The worker saw one stop request, not a second one meaning "exit now".
    expect(app.output()).not.toMatch(/SIGINT again/);
    expect(app.output().match(/SIGINT: finishing running jobs/g), app.output()).toHaveLength(1);
  });

  it("when the worker dies, the web app is stopped too and npm start exits non-zero (#7)", async () => {
    const app = await npmStart();
    const [workerId] = await workerIds();
    // createWorkerId(): `${hostname}-${pid}-${random}`
    const workerPid = Number(workerId!.split("-").at(-2));
    process.kill(workerPid, "SIGKILL");
    const { code } = await app.exited;
    expect(code, app.output()).not.toBe(0);
    expect(app.output()).toMatch(/the worker stopped \(SIGKILL\); stopping the rest/);
    await waitFor("the port to close", async () => !(await isServing(app.url)), { timeoutMs: 10_000, intervalMs: 100 });
  });
});
