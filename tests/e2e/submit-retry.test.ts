import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { waitFor } from "../helpers/workers";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";
import { chromiumAvailable, launchBrowser } from "./support/browser";

const canRun = chromiumAvailable();
const db = freshDatabasePerFile();
let app: RunningApp;
let llm: FakeOpenAiServer;
let browser: Browser;
let assignmentId: string;

beforeAll(async () => {
  if (!canRun) return;
  llm = await startFakeOpenAiServer({ latencyMs: 50 });
  app = await startApp({ DATABASE_URL: db.current.url, OPENAI_API_KEY: "e2e-key", OPENAI_BASE_URL: llm.url, OPENAI_MODEL: "gpt-4o-mini" });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await llm?.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The first POST /api/submissions reaches the server (the essay is stored and grading
 * starts) but its answer is lost on the way back, as on a flaky school network; later
 * ones pass. Returns the keys the page sent and the id the lost answer carried.
 */
async function loseFirstAnswer(page: Page) {
  const seen = { keys: [] as string[], lostId: null as string | null };
  await page.route("**/api/submissions", async (route) => {
    seen.keys.push(route.request().headers()["idempotency-key"] ?? "(none)");
    if (seen.lostId !== null) return route.continue();
    const response = await route.fetch();
    seen.lostId = ((await response.json()) as { id: string }).id;
    await route.abort("connectionreset");
  });
  return seen;
}

async function fillAndSubmit(page: Page, studentName: string, text: string) {
  await page.goto(`${app.url}/assignments/${assignmentId}/submit`);
  await page.getByTestId("student-name").fill(studentName);
  await page.getByTestId("essay-text").fill(text);
  await page.getByTestId("submit-essay").click();
  await expect.poll(() => page.getByTestId("server-error").innerText(), { timeout: 15_000 }).toMatch(/could not be reached/);
}

async function submissionsOf(studentName: string) {
  return db.current.sql<{ id: string }[]>`select id from submissions where student_name = ${studentName} order by created_at`;
}

describe.skipIf(!canRun)("the submit form's Idempotency-Key (#7)", () => {
  it("submitting again after the answer was lost grades the essay once (#7)", async () => {
    const page = await browser.newPage();
    const seen = await loseFirstAnswer(page);
    const essay = makeEssay(7, "lost-answer");
    await fillAndSubmit(page, "Retry Ada", essay);

    await page.getByTestId("submit-essay").click();
    await page.waitForURL(/\/submissions\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    expect(page.url().split("/").at(-1)).toBe(seen.lostId);
    expect(seen.keys).toHaveLength(2);
    expect(seen.keys[0]).toMatch(UUID);
    expect(seen.keys[1]).toBe(seen.keys[0]);
    expect(await submissionsOf("Retry Ada")).toEqual([{ id: seen.lostId }]);

    // Graded once: every line went to the LLM exactly once.
    await waitFor(
      "the essay to be graded",
      async () => {
        const [row] = await db.current.sql<
          { graded: boolean }[]
        >`select graded_at is not null as graded from submissions where id = ${seen.lostId}`;
        return row?.graded;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const sent = llm.requests.filter((request) => request.kind === "rate_lines").flatMap((request) => request.lineTexts);
    expect(essay.split("\n").map((line) => sent.filter((text) => text === line).length)).toEqual(Array(7).fill(1));
    await page.close();
  });

  it("an essay edited after a failed attempt is sent with a new key, as a new submission (#7)", async () => {
    const page = await browser.newPage();
    const seen = await loseFirstAnswer(page);
    await fillAndSubmit(page, "Retry Bo", makeEssay(3, "first-draft"));

    await page.getByTestId("essay-text").fill(makeEssay(4, "second-draft"));
    await page.getByTestId("submit-essay").click();
    await page.waitForURL(/\/submissions\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    const shownId = page.url().split("/").at(-1);
    expect(shownId).not.toBe(seen.lostId);
    expect(seen.keys).toHaveLength(2);
    expect(seen.keys[1]).toMatch(UUID);
    expect(seen.keys[1]).not.toBe(seen.keys[0]);
    expect((await submissionsOf("Retry Bo")).map((row) => row.id)).toEqual([seen.lostId, shownId]);
    await page.close();
  });

  it("starting a class again after the answer was lost starts one session (#7)", async () => {
    const page = await browser.newPage();
    const keys: string[] = [];
    let lostId: string | null = null;
    await page.route("**/api/sessions", async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      keys.push(route.request().headers()["idempotency-key"] ?? "(none)");
      if (lostId !== null) return route.continue();
      const response = await route.fetch();
      lostId = ((await response.json()) as { id: string }).id;
      await route.abort("connectionreset");
    });
    await page.goto(`${app.url}/sessions/new`);
    await page.getByLabel("Assignment").selectOption(assignmentId);
    await page.getByLabel(/Session title/).fill("Period 5");
    await page.locator('input[type="file"][name="files"]').setInputFiles(
      ["Kim", "Lu"].map((name) => ({
        name: `${name}.txt`,
        mimeType: "text/plain",
        buffer: Buffer.from(makeEssay(3, `retry-class-${name}`)),
      })),
    );
    await expect.poll(() => page.getByTestId("chosen-file").count()).toBe(2);
    await page.getByRole("button", { name: /Start grading/ }).click();
    await expect.poll(() => page.getByTestId("session-problems").innerText(), { timeout: 15_000 }).toMatch(/could not be reached/);

    await page.getByRole("button", { name: /Start grading/ }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    expect(page.url().split("/").at(-1)).toBe(lostId);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    const sessions = await db.current.sql`select id from grading_sessions where title = 'Period 5'`;
    expect(sessions).toEqual([{ id: lostId }]);
    expect(await submissionsOf("Kim")).toHaveLength(1);
    await page.close();
  });
});
