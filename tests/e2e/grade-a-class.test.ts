import type { Browser } from "playwright-core";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabasePerFile } from "../helpers/db";
import { makeEssay } from "../helpers/grading";
import { chromiumAvailable, keepScreenshot, launchBrowser } from "./support/browser";
import { startGradingApp, type GradingApp } from "./support/grading-app";

const canRun = chromiumAvailable();
const db = freshDatabasePerFile();
let grading: GradingApp;
let browser: Browser;

beforeAll(async () => {
  if (!canRun) return;
  grading = await startGradingApp(db.current.url, db.current.sql, { llmLatencyMs: 300 });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await grading?.stop();
});

describe.skipIf(!canRun)("grading a class in the browser", () => {
  it("a session of 10 uploaded essays reaches completed and exports 10 rows of grades", async () => {
    const page = await browser.newPage();
    await page.goto(`${grading.app.url}/sessions/new`);
    await page.getByLabel("Assignment").selectOption(grading.assignmentId);
    await page.getByLabel(/Session title/).fill("Period 3");
    const students = ["Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo"];
    await page.locator('input[type="file"][name="files"]').setInputFiles(
      students.map((name, i) => ({
        name: `${name}.txt`,
        mimeType: "text/plain",
        buffer: Buffer.from(makeEssay(4 + (i % 3), `class-${name}`)),
      })),
    );
    await expect.poll(() => page.getByTestId("chosen-file").count()).toBe(10);
    await page.getByRole("button", { name: /Start grading/ }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    const sessionId = page.url().split("/").at(-1)!;

    await expect.poll(() => page.getByTestId("student-row").count()).toBe(10);
    await keepScreenshot(page, "10-session-grading");
    await expect
      .poll(() => page.getByTestId("session-status").getAttribute("data-status"), { timeout: 90_000, interval: 250 })
      .toBe("completed");
    const statuses = await page.getByTestId("student-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-status")));
    expect(statuses).toEqual(Array(10).fill("graded"));
    await keepScreenshot(page, "11-session-completed");

    const href = await page.getByTestId("export-csv").getAttribute("href");
    const response = await page.request.get(new URL(href!, grading.app.url).toString());
    expect(response.status()).toBe(200);
    const rows = parse(await response.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(10);
    expect(rows.map((row) => row.student).sort()).toEqual([...students].sort());
    expect(rows.every((row) => row.status === "graded" && Number(row.overall_score) > 0)).toBe(true);

    const [count] = await db.current.sql<
      { count: number }[]
    >`select count(*)::int as count from submissions where session_id = ${sessionId}`;
    expect(count!.count).toBe(10);
    await page.close();
  });
});
