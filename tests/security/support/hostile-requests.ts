import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";

// What an attacker sends, and what the suites measure while it is sent (#9).

export interface RawAnswer {
  status: number;
  body: string;
  /** Bytes of the body written before the answer came (or the connection closed). */
  sentBytes: number;
  elapsedMs: number;
}

/**
 * POSTs a chunked body (no Content-Length) of `head`, then `chunk` repeated until
 * `totalBytes`, then `tail`, writing only as fast as the server reads; stops writing as
 * soon as an answer arrives. A server that buffers reads it all; one that counts answers early.
 */
export function postChunked(
  url: string,
  headers: Record<string, string>,
  body: { head: string | Buffer; chunk: Buffer; totalBytes: number; tail?: string | Buffer },
): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } });
    let sentBytes = 0;
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on("data", (data: Buffer) => chunks.push(data));
      response.on("end", () => {
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          sentBytes,
          elapsedMs: performance.now() - started,
        });
        request.destroy();
      });
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sentBytes < body.totalBytes) {
        sentBytes += body.chunk.byteLength;
        if (!request.write(body.chunk)) {
          request.once("drain", pump);
          return;
        }
      }
      if (!answered) request.end(body.tail ?? "");
    };
    request.write(body.head);
    sentBytes += Buffer.byteLength(body.head);
    pump();
  });
}

/** The parts of a multipart/form-data body around one file's bytes, for streaming it. */
export function multipartFraming(
  boundary: string,
  fields: Record<string, string>,
  file: { field: string; filename: string; type: string },
): { head: string; tail: string } {
  const fieldParts = Object.entries(fields)
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join("");
  return {
    head: `${fieldParts}--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    tail: `\r\n--${boundary}--\r\n`,
  };
}

/** Resident memory of a process and all its descendants, in MB (Linux /proc). */
export function residentMegabytes(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 4th field, after the command in parentheses (which may hold spaces).
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  let kilobytes = 0;
  const visit = (pid: number) => {
    try {
      const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
      kilobytes += Number(match?.[1] ?? 0);
    } catch {
      return;
    }
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(rootPid);
  return Math.round(kilobytes / 1024);
}

export interface HealthProbe {
  /** Stops probing; resolves with each probe's latency in ms (Infinity for one that failed or took over 5 s). */
  stop(): Promise<number[]>;
}

/** GET /api/health every `intervalMs` until stopped, one probe at a time. */
export function probeHealth(baseUrl: string, intervalMs = 100): HealthProbe {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        latencies.push(response.ok ? performance.now() - started : Infinity);
      } catch {
        latencies.push(Infinity);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}
