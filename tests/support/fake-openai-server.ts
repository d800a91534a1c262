import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gradeSubmission, rateLines, type RubricInMessage } from "./fake-openai-answers";

/**
 * An OpenAI-compatible chat.completions server for tests and benchmarks: node:http only,
 * deterministic answers, injectable faults. Used by tests/grading/openai-rater.test.ts
 * and scripts/bench-grading.ts.
 *
 * Convention shared with lib/grading/raters/openai-prompts.ts: the user message holds
 * one-line JSON objects named by their key: `{"rubric":{"scale":{min,max},"criteria":[{id,name,levels:[{score,label}]}]}}`
 * and, for line ratings, `{"lines":[{"index":0,"text":"…"}]}`. The response_format's
 * json_schema name picks the answer: "line_ratings" → `{"ratings":[{lineIndex, criterionId,
 * comment, suggestion, score, label}]}` with one rating per line; "submission_grade" →
 * `{"criteria":[{criterionId, rationale, score}], feedback, overallScore}`.
 * Scores come from each text's length and hash, so the same text always gets the same rating.
 */

export type FakeFaultKind =
  | "server_error" // 500
  | "rate_limit" // 429 with Retry-After (and retry-after-ms when retryAfterMs is set)
  | "unauthorized" // 401, as for a bad key
  | "malformed_json" // 200 whose content is cut-off JSON
  | "wrong_line_count" // 200 with one rating (or criterion score) dropped
  | "score_out_of_range" // 200 with the first score above the rubric scale
  | "runaway" // a model that rambles: the first comment runs to RUNAWAY_COMMENT_CHARS, cut off at max_completion_tokens if the request set it
  | "slow"; // answers normally after slowMs
export type FakeFault = FakeFaultKind | { status: number; headers?: Record<string, string>; body?: unknown };

export interface FakeFaultOptions {
  /** The nth chat request since setFaults gets schedule[n]; null answers normally. */
  schedule?: ReadonlyArray<FakeFault | null>;
  /** Probability per request once the schedule has run out, drawn from a seeded generator. */
  rates?: Partial<Record<FakeFaultKind, number>>;
  seed?: number;
  /** Sent as Retry-After on 429s; default 1. */
  retryAfterSeconds?: number;
  /** Sent as retry-after-ms (which the openai SDK prefers) on 429s and 5xxs. */
  retryAfterMs?: number;
  /** Extra delay of a "slow" answer; default 30 s. */
  slowMs?: number;
}

export type FakeRequestKind = "rate_lines" | "grade_submission" | "unknown";

export interface FakeOpenAiServerOptions {
  port?: number;
  host?: string;
  /** When set, any other bearer token gets a 401 like OpenAI's. */
  apiKey?: string;
  latencyMs?: number | ((request: { kind: FakeRequestKind; lineCount: number; requestNumber: number }) => number);
  faults?: FakeFaultOptions;
}

export interface RequestLog {
  requestNumber: number;
  receivedAt: number;
  answeredAt: number | null;
  kind: FakeRequestKind;
  model: string | null;
  lineIndices: number[];
  lineTexts: string[];
  /** The SDK's X-Stainless-Retry-Count header: 0 for a first attempt. */
  retryCount: number;
  fault: FakeFaultKind | "status" | null;
  /** null while in flight, and when the client went away before the answer (timeout, abort). */
  status: number | null;
  clientClosed: boolean;
  promptTokens: number;
  completionTokens: number;
  /** The request's max_completion_tokens (null when it sent none); answers past it are cut off with finish_reason "length". */
  maxCompletionTokens: number | null;
}

export interface FakeOpenAiServer {
  /** Base URL for the SDK, ending in /v1. */
  url: string;
  port: number;
  requests: RequestLog[];
  readonly inFlight: number;
  readonly maxInFlight: number;
  setFaults(faults: FakeFaultOptions | null): void;
  /**
   * Holds the answers to requests that `which` picks (all by default) until the returned
   * release() is called, or the client goes away. Lets a test act while a call is at the
   * LLM without guessing how long that takes.
   */
  holdAnswers(which?: (request: { kind: FakeRequestKind; lineTexts: string[] }) => boolean): () => void;
  /** Requests waiting at a hold now. */
  readonly heldCount: number;
  /** Empties the request log and resets maxInFlight. */
  resetStats(): void;
  close(): Promise<void>;
}

export async function startFakeOpenAiServer(options: FakeOpenAiServerOptions = {}): Promise<FakeOpenAiServer> {
  const requests: RequestLog[] = [];
  let faults: FakeFaultOptions = options.faults ?? {};
  let faultCounter = 0;
  let random = mulberry32(faults.seed ?? 1);
  let inFlight = 0;
  let maxInFlight = 0;
  const holds = new Set<{ which: (request: { kind: FakeRequestKind; lineTexts: string[] }) => boolean; released: Promise<void> }>();
  let heldCount = 0;

  function nextFault(): FakeFault | null {
    const index = faultCounter++;
    if (faults.schedule && index < faults.schedule.length) return faults.schedule[index] ?? null;
    const roll = random();
    let cumulative = 0;
    for (const [kind, probability] of Object.entries(faults.rates ?? {}) as Array<[FakeFaultKind, number]>) {
      cumulative += probability;
      if (roll < cumulative) return kind;
    }
    return null;
  }

  async function handleChat(req: IncomingMessage, res: ServerResponse, closed: AbortSignal): Promise<void> {
    const body = parseJson(await readBody(req));
    const log: RequestLog = {
      requestNumber: requests.length,
      receivedAt: Date.now(),
      answeredAt: null,
      kind: "unknown",
      model: null,
      lineIndices: [],
      lineTexts: [],
      retryCount: Number(req.headers["x-stainless-retry-count"] ?? 0),
      fault: null,
      status: null,
      clientClosed: false,
      promptTokens: 0,
      completionTokens: 0,
      maxCompletionTokens: isRecord(body) && typeof body.max_completion_tokens === "number" ? body.max_completion_tokens : null,
    };
    requests.push(log);
    closed.addEventListener("abort", () => (log.clientClosed = log.status === null));
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      if (closed.aborted) return;
      log.status = status;
      log.answeredAt = Date.now();
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(payload));
    };

    if (!isRecord(body) || !Array.isArray(body.messages)) {
      return send(400, openAiError("the body must be JSON with a messages array", "invalid_request_error"));
    }
    const request = readChatRequest(body);
    Object.assign(log, { kind: request.kind, model: request.model });
    log.lineIndices = request.lines.map((line) => line.index);
    log.lineTexts = request.lines.map((line) => line.text);

    const fault = nextFault();
    log.fault = fault === null ? null : typeof fault === "string" ? fault : "status";
    const latency =
      typeof options.latencyMs === "function"
        ? options.latencyMs({ kind: request.kind, lineCount: request.lines.length, requestNumber: log.requestNumber })
        : (options.latencyMs ?? 0);
    await sleep(latency, closed);
    for (const hold of [...holds]) {
      if (!hold.which({ kind: request.kind, lineTexts: log.lineTexts })) continue;
      heldCount++;
      await untilReleased(hold.released, closed);
      heldCount--;
    }

    const authorization = req.headers.authorization ?? "";
    if (fault === "unauthorized" || (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`)) {
      return send(401, openAiError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    }
    if (typeof fault === "object" && fault !== null) {
      return send(fault.status, fault.body ?? openAiError(`fake fault ${fault.status}`, "server_error"), fault.headers);
    }
    const retryAfterMsHeader: Record<string, string> =
      faults.retryAfterMs === undefined ? {} : { "retry-after-ms": String(faults.retryAfterMs) };
    if (fault === "rate_limit") {
      return send(429, openAiError("Rate limit reached (fake).", "requests", "rate_limit_exceeded"), {
        "retry-after": String(faults.retryAfterSeconds ?? 1),
        ...retryAfterMsHeader,
      });
    }
    if (fault === "server_error") {
      return send(500, openAiError("The server had an error (fake).", "server_error"), retryAfterMsHeader);
    }
    if (fault === "slow") await sleep(faults.slowMs ?? 30_000, closed);
    if (request.kind === "unknown") {
      return send(400, openAiError(`response_format json_schema name must be line_ratings or submission_grade`, "invalid_request_error"));
    }

    const answer =
      request.kind === "rate_lines" ? rateLines(request.lines, request.rubric) : gradeSubmission(request.userText, request.rubric);
    const items = "ratings" in answer ? answer.ratings : answer.criteria;
    if (fault === "wrong_line_count") items.pop();
    if (fault === "score_out_of_range" && items[0]) items[0].score = (request.rubric?.scale.max ?? 5) + 1;
    if (fault === "runaway" && items[0]) {
      const first = items[0] as { comment?: string; rationale?: string };
      const long = "and furthermore ".repeat(Math.ceil(RUNAWAY_COMMENT_CHARS / 16)).slice(0, RUNAWAY_COMMENT_CHARS);
      if ("comment" in first) first.comment = long;
      else first.rationale = long;
    }
    let content = JSON.stringify(answer);
    if (fault === "malformed_json") content = content.slice(0, Math.floor(content.length / 2));
    let finishReason = "stop";
    // As a model does: generation stops at the bound, mid-JSON, and says why.
    if (log.maxCompletionTokens !== null && estimateTokens(content) > log.maxCompletionTokens) {
      content = content.slice(0, log.maxCompletionTokens * CHARS_PER_TOKEN);
      finishReason = "length";
    }
    log.promptTokens = estimateTokens(request.promptText);
    log.completionTokens = estimateTokens(content);
    send(200, {
      id: `chatcmpl-fake-${log.requestNumber}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model ?? "fake-model",
      choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, logprobs: null, finish_reason: finishReason }],
      usage: {
        prompt_tokens: log.promptTokens,
        completion_tokens: log.completionTokens,
        total_tokens: log.promptTokens + log.completionTokens,
      },
    });
  }

  const server = createServer((req, res) => {
    const closed = new AbortController();
    res.on("close", () => closed.abort());
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://fake").pathname !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify(openAiError(`no route for ${req.method} ${req.url}`, "invalid_request_error")));
      return;
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    handleChat(req, res, closed.signal)
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(openAiError(`fake server bug: ${String(error)}`, "server_error")));
      })
      .finally(() => inFlight--);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}/v1`,
    port,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get heldCount() {
      return heldCount;
    },
    holdAnswers(which = () => true) {
      let release!: () => void;
      const hold = { which, released: new Promise<void>((resolve) => (release = resolve)) };
      holds.add(hold);
      return () => {
        holds.delete(hold);
        release();
      };
    },
    setFaults(next) {
      faults = next ?? {};
      faultCounter = 0;
      random = mulberry32(faults.seed ?? 1);
    },
    resetStats() {
      requests.length = 0;
      maxInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function readChatRequest(body: Record<string, unknown>) {
  const messages = body.messages as Array<{ role?: unknown; content?: unknown }>;
  const textOf = (content: unknown): string =>
    typeof content === "string"
      ? content
      : Array.isArray(content)
        ? content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("\n")
        : "";
  const userText = messages
    .filter((message) => message.role === "user")
    .map((message) => textOf(message.content))
    .join("\n");
  const promptText = messages.map((message) => textOf(message.content)).join("\n");
  const format = isRecord(body.response_format) && isRecord(body.response_format.json_schema) ? body.response_format.json_schema : {};
  const kind: FakeRequestKind =
    format.name === "line_ratings" ? "rate_lines" : format.name === "submission_grade" ? "grade_submission" : "unknown";

  let rubric: RubricInMessage | null = null;
  let lines: Array<{ index: number; text: string }> = [];
  for (const line of userText.split("\n")) {
    if (!line.trimStart().startsWith("{")) continue;
    const json = parseJson(line);
    if (!isRecord(json)) continue;
    if (isRecord(json.rubric)) rubric = json.rubric as unknown as RubricInMessage;
    if (Array.isArray(json.lines)) lines = json.lines as typeof lines;
  }
  return { kind, model: typeof body.model === "string" ? body.model : null, userText, promptText, rubric, lines };
}

function openAiError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

const CHARS_PER_TOKEN = 4;
const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
/** How long a "runaway" answer's first comment is: 200,000 characters, some 50,000 tokens. */
export const RUNAWAY_COMMENT_CHARS = 200_000;

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function untilReleased(released: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener("abort", () => resolve(), { once: true });
    void released.then(() => resolve());
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
