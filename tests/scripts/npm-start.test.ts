import { execFileSync, execSync } from "node:child_process";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay } from "../helpers/grading";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";
import { processGroupsKilledAfterAll, type GroupProcess } from "../helpers/process-group";
import { freePort } from "../helpers/next-server";
import { waitFor } from "../helpers/workers";

const db = freshDatabasePerFile();
const root = path.resolve(import.meta.dirname, "../..");
const spawnGroup = processGroupsKilledAfterAll({ cwd: root });

interface StartedApp extends GroupProcess {
  url: string;
}

/**
 * `npm start` as a newcomer runs it (or start.ts itself, `direct`), in a process group of
 * its own so a signal to -pid is a terminal's Ctrl-C.
 */
async function npmStart(env: Record<string, string> = {}, { direct = false } = {}): Promise<StartedApp> {
  const port = await freePort();
  const appEnv = { ...process.env, DATABASE_URL: db.current.url, PORT: String(port), CI: "true", NEXT_TELEMETRY_DISABLED: "1", ...env };
  const app = direct ? spawnGroup(process.execPath, ["--import", "tsx", "scripts/start.ts"], appEnv) : spawnGroup("npm", ["start"], appEnv);
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

/** Every process below `pid`, with its command line (a part's title, e.g. next-server (v16.4.6)). */
function descendants(pid: number): Array<{ pid: number; command: string }> {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,args="])
    .toString()
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), command: match[3]! }));
  const found: Array<{ pid: number; command: string }> = [];
  const visit = (parent: number) => {
    for (const row of rows.filter((candidate) => candidate.ppid === parent)) {
      found.push({ pid: row.pid, command: row.command });
      visit(row.pid);
    }
  };
  visit(pid);
  return found;
}

async function workerIds(): Promise<string[]> {
  const rows = await db.current.sql<{ worker_id: string }[]>`select worker_id from grading_workers`;
  return rows.map((row) => row.worker_id);
}

// Each test starts with an empty queue and no registered workers: jobs handed back by an
// earlier test would keep this one's worker busy, and a row left by a killed worker would
// be taken for this one's.
beforeEach(async () => {
  await db.current.sql`delete from grading_jobs`;
  await db.current.sql`delete from grading_workers`;
});

let llm: FakeOpenAiServer;
beforeAll(async () => {
  // An LLM that answers in a minute: whatever is rating when Ctrl-C comes is still running.
  llm = await startFakeOpenAiServer({ latencyMs: 60_000 });
});
afterAll(async () => {
  await llm.close();
});

async function jobsHeld(): Promise<number> {
  const [row] = await db.current.sql<{ n: number }[]>`select count(*)::int as n from grading_jobs where status = 'processing'`;
  return row!.n;
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

  it("Ctrl-C while the inline drain and the worker are mid-call and a live stream is open: both stop within their grace, every job handed back, exit 0 (#7)", async () => {
    const app = await npmStart({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: llm.url, GRADING_CONCURRENCY: "2" });
    const assignment = await createTestAssignment(db.current.sql);
    const stream = await fetch(`${app.url}/api/grade/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assignmentId: assignment.id, studentName: "Noor", text: makeEssay(60, "ctrl-c") }), // 12 jobs
    });
    expect(stream.status).toBe(200);
    // Both the request's inline drain and the worker hold jobs whose LLM calls are in flight.
    await waitFor(
      "the drain and the worker to hold jobs",
      async () => {
        const holders = await db.current.sql<
          { lease_owner: string }[]
        >`select distinct lease_owner from grading_jobs where status = 'processing'`;
        return holders.some((row) => row.lease_owner.startsWith("drain-")) && holders.some((row) => !row.lease_owner.startsWith("drain-"));
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

    app.signalGroup("SIGINT");
    const { code } = await app.exited;
    // Before #7 next start waited for the drain's after() (every job, a minute each) and the open stream.
    expect(code, app.output()).toBe(0);
    expect(app.output()).not.toMatch(/still running .* after the stop request; killing/);
    expect(await jobsHeld()).toBe(0);
    expect(await workerIds()).toEqual([]);
    const [pending] = await db.current.sql<{ n: number }[]>`select count(*)::int as n from grading_jobs where status = 'pending'`;
    expect(pending!.n).toBe(12);
  }, 120_000);

  it("a client still sending its request does not hold the web app open after Ctrl-C: it exits by its own deadline, exit 0 (#7)", async () => {
    const app = await npmStart();
    // A POST whose body never finishes: server.close() waits for such a connection (for up to
    // Node's 300 s request timeout), as it does for a browser polling on a keep-alive one.
    const slowClient = connect(Number(new URL(app.url).port), "127.0.0.1");
    await new Promise<void>((resolve) => slowClient.once("connect", () => resolve()));
    slowClient.write(
      'POST /api/grade/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"assignmentId":',
    );
    slowClient.on("error", () => {});
    try {
      app.signalGroup("SIGINT");
      const { code } = await app.exited;
      expect(code, app.output()).toBe(0);
      expect(app.output()).toMatch(/still open 15 s after SIGINT/);
      expect(app.output()).not.toMatch(/after the stop request; killing/);
    } finally {
      slowClient.destroy();
    }
  }, 90_000);

  it("when start.ts itself is SIGKILLed, the web app and the worker stop by themselves (#7)", async () => {
    const app = await npmStart({}, { direct: true });
    // The worker listens for signals once it prints its headline.
    await waitFor("the worker's headline", () => app.output().includes("Ctrl-C to stop"), { timeoutMs: 20_000 });
    process.kill(app.child.pid!, "SIGKILL");
    const explain = (error: Error) => {
      const processes = execSync("ps -eo pid,ppid,pgid,stat,cmd | grep -E 'next-server|process-grading' | grep -v grep || true").toString();
      throw new Error(`${error.message}\n${app.output()}\n${processes}`);
    };
    await waitFor("the port to close", async () => !(await isServing(app.url)), { timeoutMs: 30_000, intervalMs: 200 }).catch(explain);
    await waitFor("the worker to deregister", async () => (await workerIds()).length === 0, { timeoutMs: 30_000, intervalMs: 200 }).catch(
      explain,
    );
  }, 90_000);

  it("when the worker dies it is started again, after 1 s and then 2 s, and Ctrl-C still exits 0 (#9)", async () => {
    const app = await npmStart();
    for (const wait of ["1 s", "2 s"]) {
      const [workerId] = await workerIds();
      // createWorkerId(): `${hostname}-${pid}-${random}`
      process.kill(Number(workerId!.split("-").at(-2)), "SIGKILL");
      await waitFor(`the worker to be started again after ${wait}`, async () => (await workerIds()).some((id) => id !== workerId), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      expect(app.output()).toContain(`start: the worker exited (SIGKILL); restarting in ${wait}`);
      await db.current.sql`delete from grading_workers where worker_id = ${workerId!}`; // the dead one's row
    }
    expect(await isServing(app.url)).toBe(true); // the web app never went down
    app.signalGroup("SIGINT");
    const { code } = await app.exited;
    expect(code, app.output()).toBe(0);
    expect(await workerIds()).toEqual([]);
  }, 120_000);

  it("when next-server is SIGKILLed it is started again and answers /api/health; Ctrl-C still exits 0 (#9)", async () => {
    const app = await npmStart();
    const [webPid] = descendants(app.child.pid!).filter(({ command }) => command.startsWith("next-server"));
    expect(webPid, "the next-server process").toBeDefined();
    process.kill(webPid!.pid, "SIGKILL");
    await waitFor("the web app to be down", async () => !(await isServing(app.url)), { timeoutMs: 10_000, intervalMs: 50 });
    await waitFor("the web app to answer again", () => isServing(app.url), { timeoutMs: 60_000, intervalMs: 200 });
    expect(app.output()).toContain("start: the web app exited (SIGKILL); restarting in 1 s");
    const [again] = descendants(app.child.pid!).filter(({ command }) => command.startsWith("next-server"));
    expect(again!.pid).not.toBe(webPid!.pid);
    expect(await workerIds()).toHaveLength(1); // the worker ran on meanwhile
    app.signalGroup("SIGINT");
    const { code } = await app.exited;
    expect(code, app.output()).toBe(0);
    expect(await isServing(app.url)).toBe(false);
  }, 120_000);

  it("listens on 127.0.0.1 only; HOST=0.0.0.0 shares it on the network, where its own address is an allowed Host (#9)", async () => {
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === "IPv4" && !address.internal)?.address;
    const local = await npmStart();
    const port = new URL(local.url).port;
    if (lan) expect(await isServing(`http://${lan}:${port}`)).toBe(false); // refused: nothing listens there
    expect(local.output()).toMatch(/serving on 127\.0\.0\.1 only/);
    local.signalGroup("SIGINT");
    expect((await local.exited).code, local.output()).toBe(0);

    const shared = await npmStart({ HOST: "0.0.0.0" });
    try {
      if (!lan) return void console.warn("No non-loopback IPv4 address here: the LAN half is not checked.");
      const sharedPort = new URL(shared.url).port;
      expect(await isServing(`http://${lan}:${sharedPort}`)).toBe(true);
      expect(shared.output()).toMatch(/listening on 0\.0\.0\.0/);
    } finally {
      shared.signalGroup("SIGINT");
      expect((await shared.exited).code, shared.output()).toBe(0);
    }
  }, 180_000);
});
