import path from "node:path";
import { build } from "esbuild";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { HarnessEntry } from "./follow-harness";

const root = path.resolve(import.meta.dirname, "../../..");
let bundle: Promise<string> | null = null;

/** follow-harness.ts and the app's lib/live modules it imports, bundled for the browser once per test file. */
function followHarnessBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [path.join(import.meta.dirname, "follow-harness.ts")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    tsconfig: path.join(root, "tsconfig.json"),
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  }).then((result) => result.outputFiles[0]!.text);
  return bundle;
}

export interface FollowPage {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested (HTTP and WebSocket), in order. */
  requests: string[];
  entries(): Promise<HarnessEntry[]>;
  close(): Promise<void>;
}

/**
 * A fresh browser context on the app's origin (so the follower's relative
 * /api/submissions/… URLs reach `next start`) with the follow harness loaded.
 * `cookies` are set first, e.g. a Supabase session.
 */
export async function openFollowPage(
  browser: Browser,
  appUrl: string,
  options: { cookies?: Parameters<BrowserContext["addCookies"]>[0] } = {},
): Promise<FollowPage> {
  // The harness is injected into an app page and dials the fake Realtime server: the app's
  // Content-Security-Policy rightly forbids both (#9), and this tests the follower, not the policy.
  const context = await browser.newContext({ bypassCSP: true });
  if (options.cookies) await context.addCookies(options.cookies);
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("websocket", (socket) => requests.push(socket.url()));
  await page.goto(`${appUrl}/api/health`);
  await page.addScriptTag({ content: await followHarnessBundle() });
  return {
    context,
    page,
    requests,
    entries: () => page.evaluate(() => window.followHarness.entries),
    close: () => context.close(),
  };
}

export const transportsOf = (entries: HarnessEntry[]) => entries.flatMap((entry) => (entry.kind === "transport" ? [entry.transport] : []));
export const errorsOf = (entries: HarnessEntry[]) => entries.flatMap((entry) => (entry.kind === "error" ? [entry.message] : []));
export const channelReportsOf = (entries: HarnessEntry[]) => entries.flatMap((entry) => (entry.kind === "channel" ? [entry.what] : []));
export const lastTransport = (entries: HarnessEntry[]) => transportsOf(entries).at(-1) ?? null;
