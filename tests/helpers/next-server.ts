import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

export interface RunningApp {
  url: string;
  process: ChildProcess;
  logs: string[];
  /** SIGTERM lets open streams finish (up to 5 s); SIGKILL drops them at once, as a crash would. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `next start` on the built app, on its own port and database, ready when /api/health
 * answers 200 (or, with `ready: "listening"`, answers at all: for a database that is down).
 */
export async function startApp(
  env: Record<string, string>,
  options: { port?: number; ready?: "healthy" | "listening" } = {},
): Promise<RunningApp> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const logs: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${logs.join("")}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok || options.ready === "listening") break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  if (Date.now() >= deadline) {
    child.kill("SIGKILL");
    throw new Error(`next start did not become healthy in 30 s:\n${logs.join("")}`);
  }
  return {
    url,
    process: child,
    logs,
    stop: async (signal: NodeJS.Signals = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ParsedSseEvent {
  id?: string;
  event: string;
  data: unknown;
}

/** One SSE block (the text between blank lines): its event, and its data as sent (JSON-parsed into event.data). */
export function parseSseBlock(block: string): { event: ParsedSseEvent; rawData: string } {
  const event: ParsedSseEvent = { event: "message", data: null };
  let rawData = "";
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const [field, ...rest] = line.split(": ");
    const content = rest.join(": ");
    if (field === "id") event.id = content;
    else if (field === "event") event.event = content;
    else if (field === "data") rawData += content;
  }
  event.data = rawData ? JSON.parse(rawData) : null;
  return { event, rawData };
}

/** Reads an SSE response until `until` says stop (or the stream ends), returning the events in order. */
export async function readSse(
  response: Response,
  until: (event: ParsedSseEvent, all: ParsedSseEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<ParsedSseEvent[]> {
  const events: ParsedSseEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const timer = setTimeout(() => void reader.cancel("timeout"), timeoutMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += value;
      let boundary: number;
      while ((boundary = buffer.indexOf("\n\n")) >= 0) {
        const { event, rawData } = parseSseBlock(buffer.slice(0, boundary));
        buffer = buffer.slice(boundary + 2);
        if (!rawData && !event.id) continue; // comment-only block (keep-alive)
        events.push(event);
        if (until(event, events)) {
          await reader.cancel();
          return events;
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
