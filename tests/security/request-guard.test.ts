import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedHostNames, refuseRequest, type RequestFacts } from "../../lib/api/guard-request";
import { exposureEnv } from "../../lib/env";
import { countRows, freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { rawRequest } from "./raw-request";

// proxy.ts in front of `next start` (#9): the Host must be one of the app's names (DNS
// rebinding), and a state-changing request must come from the app's own pages (CSRF).

const CRON_SECRET = "guard-test-cron-secret-0123456789";
const db = freshDatabasePerFile();
let app: RunningApp;
let port: string;
let assignmentId: string;

beforeAll(async () => {
  app = await startApp({
    DATABASE_URL: db.current.url,
    CRON_SECRET,
    ALLOWED_HOSTS: "gradeline.school.test",
    VERCEL_URL: "gradeline-abc123.vercel.app",
    GRADELINE_INLINE_DRAIN: "0", // nothing grades behind the tests' backs
  });
  port = new URL(app.url).port;
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
});

const essay = () => JSON.stringify({ assignmentId, studentName: "Ada", text: makeEssay(3, "guard") });
const postSubmission = (headers: Record<string, string>, host?: string) =>
  rawRequest(`${app.url}/api/submissions`, {
    method: "POST",
    host,
    headers: { "content-type": "application/json", ...headers },
    body: essay(),
  });
const messageOf = (body: string) => (JSON.parse(body) as { error: { message: string } }).error.message;

describe("the Host header (#9)", () => {
  it("the app answers to its own names: loopback, ALLOWED_HOSTS and the Vercel host", async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      "gradeline.school.test",
      "GRADELINE.school.test:443",
      "gradeline-abc123.vercel.app",
    ]) {
      const response = await rawRequest(`${app.url}/api/health`, { host });
      expect(response.status, host).toBe(200);
    }
  });

  it("a page whose DNS was re-pointed at this machine gets 421 with a sentence, for pages and API reads alike", async () => {
    for (const host of [`evil.example:${port}`, "evil.example", `127.0.0.1.nip.io:${port}`, `gradeline.school.test.evil.example`]) {
      for (const path of ["/api/health", "/", "/api/monitoring/stats"]) {
        const response = await rawRequest(`${app.url}${path}`, { host });
        expect(response.status, `${host} ${path}`).toBe(421);
        expect(messageOf(response.body)).toMatch(/does not answer to the host name “.+”.*ALLOWED_HOSTS/);
      }
    }
    const noHost = await rawRequest(`${app.url}/api/health`, { host: null });
    // Node's HTTP server already refuses an HTTP/1.1 request without Host (400); the proxy would say 421.
    expect([400, 421]).toContain(noHost.status);
  });
});

describe("state-changing requests from other sites (#9)", () => {
  it("a POST from another site is refused with 403 and a sentence, and nothing is stored", async () => {
    const before = await countRows(db.current.sql, "submissions");
    const refusals: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      { origin: "null" }, // a sandboxed frame or a file:// page
      { origin: `http://localhost:${Number(port) + 1}` }, // another local server's page
      { origin: `http://evil.example:${port}` },
      { "sec-fetch-site": "cross-site" }, // a browser that sent no Origin
    ];
    for (const headers of refusals) {
      const response = await postSubmission(headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(messageOf(response.body)).toMatch(/came from another site.*refused/);
    }
    // A form post needs no preflight: text/plain is what a hostile page's <form> can send.
    const form = await rawRequest(`${app.url}/api/grade/stream`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      body: essay(),
    });
    expect(form.status).toBe(403);
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const response = await rawRequest(`${app.url}/api/assignments/${assignmentId}`, {
        method,
        headers: { origin: "https://evil.example" },
      });
      // The route checks for itself (proxy.ts leaves body routes alone); a method it has no
      // handler for is answered 405 by Next first, and changes nothing either way.
      expect(method === "PUT" ? [403] : [403, 405], method).toContain(response.status);
    }
    expect(await countRows(db.current.sql, "submissions")).toBe(before);
  });

  it("the app's own pages, curl and server-to-server calls still get through", async () => {
    const before = await countRows(db.current.sql, "submissions");
    const allowed: Array<{ headers: Record<string, string>; host?: string }> = [
      { headers: { origin: app.url } },
      { headers: { origin: `http://localhost:${port}`, "sec-fetch-site": "same-origin" }, host: `localhost:${port}` },
      { headers: {} }, // curl: no Origin, no Sec-Fetch-Site
      { headers: { "sec-fetch-site": "same-origin" } },
      { headers: { "sec-fetch-site": "none" } }, // typed into the address bar
      // Behind a reverse proxy that keeps Host but says which name the browser used.
      { headers: { origin: "https://gradeline.school.test", "x-forwarded-host": "gradeline.school.test" } },
      { headers: { origin: "https://gradeline.school.test" }, host: "gradeline.school.test" },
    ];
    for (const { headers, host } of allowed) {
      const response = await postSubmission(headers, host);
      expect(response.status, `${JSON.stringify(headers)} ${response.body}`).toBe(201);
    }
    expect(await countRows(db.current.sql, "submissions")).toBe(before + allowed.length);
    // Vercel Cron's GET with its Bearer secret, and a GET from anywhere, are reads the guard leaves alone.
    const cron = await rawRequest(`${app.url}/api/grading/process`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(cron.status, cron.body).toBe(200);
    const read = await rawRequest(`${app.url}/api/health`, { headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } });
    expect(read.status).toBe(200);
  });
});

describe("refuseRequest and allowedHostNames (pure)", () => {
  const facts = (overrides: Partial<RequestFacts>): RequestFacts => ({
    method: "POST",
    host: "gradeline.school.test",
    origin: null,
    secFetchSite: null,
    forwardedHost: null,
    ...overrides,
  });

  it("HOST=0.0.0.0 answers to this machine's addresses; a named HOST to that name", () => {
    const addresses = () => ["127.0.0.1", "192.168.1.20", "fe80::1"];
    const wildcard = allowedHostNames(exposureEnv({ HOST: "0.0.0.0" }), addresses);
    expect([...wildcard]).toEqual(expect.arrayContaining(["localhost", "127.0.0.1", "::1", "192.168.1.20", "fe80::1"]));
    expect(wildcard.has("0.0.0.0")).toBe(false);
    const named = allowedHostNames(exposureEnv({ HOST: "Gradeline-Laptop.local" }), addresses);
    expect(named.has("gradeline-laptop.local")).toBe(true);
    expect(named.has("192.168.1.20")).toBe(false);
    expect(refuseRequest(facts({ method: "GET", host: "192.168.1.20:3000" }), wildcard)).toBeNull();
    expect(refuseRequest(facts({ method: "GET", host: "192.168.1.20:3000" }), named)?.status).toBe(421);
  });

  it("an Origin on the default port matches a Host without one, and the scheme does not matter behind TLS", () => {
    const hosts = new Set(["gradeline.school.test"]);
    expect(refuseRequest(facts({ origin: "https://gradeline.school.test", host: "gradeline.school.test:443" }), hosts)).toBeNull();
    expect(refuseRequest(facts({ origin: "https://gradeline.school.test:8443", host: "gradeline.school.test" }), hosts)?.status).toBe(403);
    expect(refuseRequest(facts({ origin: "not a url" }), hosts)?.status).toBe(403);
    expect(refuseRequest(facts({ method: "OPTIONS", origin: "https://evil.example" }), hosts)).toBeNull();
  });

  it("behind a proxy that rewrites Host, the page's listed public origin is its own; a forwarded host must be listed too", () => {
    const hosts = new Set(["localhost", "127.0.0.1", "::1", "gradeline.school.test"]);
    // nginx's default proxy_pass: Host is the upstream address, no X-Forwarded-Host.
    expect(refuseRequest(facts({ origin: "https://gradeline.school.test", host: "127.0.0.1:3000" }), hosts)).toBeNull();
    expect(refuseRequest(facts({ origin: "http://localhost:4000", host: "127.0.0.1:3000" }), hosts)?.status).toBe(403);
    expect(refuseRequest(facts({ method: "GET", host: "127.0.0.1:3000", forwardedHost: "rebound.example" }), hosts)?.status).toBe(421);
    expect(refuseRequest(facts({ method: "GET", host: "127.0.0.1:3000", forwardedHost: "gradeline.school.test" }), hosts)).toBeNull();
  });
});
