import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "../../lib/api/security-headers";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { chromiumAvailable, launchBrowser } from "../e2e/support/browser";

// next.config.ts headers() (#9): a Content-Security-Policy that allows only what the app
// loads, no framing, no MIME sniffing, no full-URL referrers; checked over HTTP from
// `next start`, and in Chromium, where the pages must still render and hydrate under it.

const db = freshDatabasePerFile();
const canRun = chromiumAvailable();
let app: RunningApp;
let browser: Browser | undefined;
let assignmentId: string;

beforeAll(async () => {
  app = await startApp({ DATABASE_URL: db.current.url, GRADELINE_INLINE_DRAIN: "0" });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
  if (canRun) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

function expectSecurityHeaders(headers: Headers, what: string) {
  const csp = headers.get("content-security-policy") ?? "";
  expect(csp, what).toMatch(/(^|; )default-src 'self'(;|$)/);
  expect(csp, what).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
  expect(csp, what).toMatch(/(^|; )object-src 'none'(;|$)/);
  expect(csp, what).toMatch(/(^|; )connect-src 'self'(;|$)/);
  expect(headers.get("x-frame-options"), what).toBe("DENY");
  expect(headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(headers.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
}

describe("security headers on every response (#9)", () => {
  it("pages, API answers, refusals, static files and 404s all carry them", async () => {
    const page = await fetch(`${app.url}/assignments`);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page.headers, "a page");
    const html = await page.text();
    const api = await fetch(`${app.url}/api/assignments/${assignmentId}`);
    expect(api.status).toBe(200);
    expectSecurityHeaders(api.headers, "an API answer");
    const refused = await fetch(`${app.url}/api/submissions`, { method: "POST", headers: { origin: "https://evil.example" }, body: "{}" });
    expect(refused.status).toBe(403);
    expectSecurityHeaders(refused.headers, "a refusal by the proxy");
    const script = html.match(/src="(\/_next\/static\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${app.url}${script}`);
    expect(asset.status).toBe(200);
    expectSecurityHeaders(asset.headers, "a static file");
    const missing = await fetch(`${app.url}/no-such-page`);
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing.headers, "a 404");
  });

  it("connect-src allows Supabase's https and wss origins when NEXT_PUBLIC_SUPABASE_URL is set, and next dev may eval (pure)", () => {
    const csp = contentSecurityPolicy({ supabaseUrl: "https://abcd.supabase.co/" });
    expect(csp).toMatch(/(^|; )connect-src 'self' https:\/\/abcd\.supabase\.co wss:\/\/abcd\.supabase\.co(;|$)/);
    expect(contentSecurityPolicy({ supabaseUrl: "http://127.0.0.1:54321" })).toContain(
      "connect-src 'self' http://127.0.0.1:54321 ws://127.0.0.1:54321",
    );
    expect(contentSecurityPolicy({ supabaseUrl: "javascript:alert(1)" })).toContain("connect-src 'self';");
    expect(contentSecurityPolicy()).not.toContain("unsafe-eval");
    expect(contentSecurityPolicy({ dev: true })).toMatch(/script-src [^;]*'unsafe-eval'/);
    expect(securityHeaders().map((header) => header.key)).toEqual([
      "Content-Security-Policy",
      "X-Frame-Options",
      "X-Content-Type-Options",
      "Referrer-Policy",
    ]);
  });
});

/**
 * Every CSP violation the page reports: Chromium's console lines, and each document's
 * securitypolicyviolation events (read before the page navigates on, by `collect`).
 */
async function watchViolations(page: Page): Promise<{ collect(): Promise<void>; all: string[] }> {
  const all: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) all.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  return {
    all,
    collect: async () => {
      all.push(...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)));
    },
  };
}

describe.skipIf(!canRun)("pages under the policy in Chromium (#9)", () => {
  it("pages render and hydrate with no violation, and the submit form's same-origin POST gets through", async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    const violations = await watchViolations(page);
    try {
      // Hydrated: a client component answers a click (adds a rubric level).
      await page.goto(`${app.url}/assignments/new`);
      const levels = await page.getByTestId("level-fields").count();
      await page.getByTestId("add-level").first().click();
      await expect.poll(() => page.getByTestId("level-fields").count(), { timeout: 10_000 }).toBe(levels + 1);
      await violations.collect();

      // Recharts and the monitor's inline styles.
      await page.goto(`${app.url}/monitor`);
      await page.getByText("Workers and lease holders").or(page.getByText("No workers are running")).first().waitFor({ timeout: 15_000 });
      await violations.collect();

      // The form's fetch sends Origin, which the proxy accepts as the app's own.
      await page.goto(`${app.url}/assignments/${assignmentId}/submit`);
      await page.getByTestId("student-name").fill("Grace");
      await page.getByTestId("essay-text").fill("Schools should start later.\nTeenagers need more sleep.");
      await page.getByTestId("submit-essay").click();
      await page.waitForURL(/\/submissions\/[0-9a-f-]{36}$/, { timeout: 30_000 });
      await page.getByTestId("line-row").first().waitFor({ timeout: 15_000 });
      await violations.collect();

      expect(violations.all).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("another site cannot frame the app (frame-ancestors 'none')", async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on("console", (message) => {
      if (/frame-ancestors/.test(message.text())) refusals.push(message.text());
    });
    try {
      await page.setContent(`<iframe id="app" src="${app.url}/assignments" width="800" height="600"></iframe>`);
      await expect.poll(() => refusals.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
      const framedText = await frame?.evaluate(() => document.body?.innerText ?? "").catch(() => "");
      expect(framedText ?? "").not.toContain("Gradeline");
    } finally {
      await context.close();
    }
  });
});
