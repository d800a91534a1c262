import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { binaryBytes, deflatedPart, docxOf, docxWithBodyXml, zipArchive, zipBombDocx } from "../documents/support/docx-files";

// Hostile input on every upload and text route (#9): each answers 4xx with a sentence, the
// server keeps answering, and what was stored before is still there, unchanged.

const db = freshDatabasePerFile();
let app: RunningApp;
let assignmentId: string;
let earlier: { id: string; state: unknown };

const MB = 1024 * 1024;
const nulText = Buffer.from("Schools should start later.\0\0\0Teenagers need more sleep.\n");
const invalidUtf8 = Buffer.from([0x53, 0x63, 0x68, 0xff, 0xfe, 0xc3, 0x28, 0x0a, 0x80, 0x80]);
const binary = binaryBytes(64 * 1024);
const fiveMbText = Buffer.from(
  "Teenagers need more sleep than adults do, so schools should start later.\n".repeat(Math.ceil((5 * MB) / 73) + 10),
);
const hundredThousandLines = Buffer.from("A line.\n".repeat(100_000));
// 400,000 rows in 3 MB: under the 5 MB file cap, so the row cap has to catch it.
const giantCsv = Buffer.from(`name,text\n${"Al,Hi.\n".repeat(400_000)}`);
const nestedDocx = docxWithBodyXml(`<w:p>${"<w:r>".repeat(90_000)}${"</w:r>".repeat(90_000)}</w:p>`);
const plainZip = zipArchive([deflatedPart("notes/readme.txt", "Not a Word document at all.\n".repeat(50))]);
let bomb: Buffer;
let lyingBomb: Buffer;

beforeAll(async () => {
  [bomb, lyingBomb] = await Promise.all([zipBombDocx(400), zipBombDocx(400, { lie: true })]);
  app = await startApp({ DATABASE_URL: db.current.url, GRADELINE_INLINE_DRAIN: "0" });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
  const created = await postJson("/api/submissions", JSON.stringify({ assignmentId, studentName: "Ada", text: makeEssay(5, "before") }));
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  earlier = { id, state: await (await fetch(`${app.url}/api/submissions/${id}`)).json() };
}, 180_000);
afterAll(async () => {
  await app?.stop();
});

function postJson(path: string, body: string | Buffer, contentType: string | null = "application/json") {
  return fetch(`${app.url}${path}`, {
    method: "POST",
    headers: contentType === null ? {} : { "content-type": contentType },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
}

const fileOf = (filename: string, bytes: Buffer) => new File([new Uint8Array(bytes)], filename);

function postDocument(filename: string, bytes: Buffer) {
  const form = new FormData();
  form.set("file", fileOf(filename, bytes));
  return fetch(`${app.url}/api/documents/text`, { method: "POST", body: form });
}

function postSession(files: File[]) {
  const form = new FormData();
  form.set("assignmentId", assignmentId);
  for (const file of files) form.append("files", file, file.name);
  return fetch(`${app.url}/api/sessions`, { method: "POST", body: form });
}

interface ErrorBody {
  error: { code: string; message: string; problems?: string[] };
}

/** A 4xx (this one, when given) whose JSON names the problem in a sentence; then the server still answers. */
async function expectRefused(response: Response, status: number, pattern: RegExp): Promise<ErrorBody> {
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(status);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.message.length).toBeGreaterThan(15);
  expect(`${body.error.message} ${(body.error.problems ?? []).join(" ")}`).toMatch(pattern);
  const health = await fetch(`${app.url}/api/health`, { signal: AbortSignal.timeout(5_000) });
  expect(health.status).toBe(200);
  return body;
}

async function storedRows() {
  const sql = db.current.sql;
  return { submissions: await countRows(sql, "submissions"), sessions: await countRows(sql, "grading_sessions") };
}

describe("POST /api/documents/text refuses hostile files (#9)", () => {
  const cases: Array<[string, number, string, () => Buffer, RegExp]> = [
    ["NUL bytes in a .txt", 422, "essay.txt", () => nulText, /NUL bytes.*binary file/],
    ["invalid UTF-8", 422, "essay.txt", () => invalidUtf8, /not UTF-8 text/],
    ["binary posing as .txt", 422, "essay.txt", () => binary, /not UTF-8 text/],
    ["binary posing as .docx", 422, "essay.docx", () => binary, /not a Word \.docx file \(its bytes are not a ZIP archive\)/],
    ["5 MB of text", 413, "essay.txt", () => fiveMbText, /essay\.txt is larger than 5 MB/],
    ["100,000 lines", 422, "essay.txt", () => hundredThousandLines, /more than 4,000 lines/],
    ["a giant CSV", 415, "class.csv", () => giantCsv, /only \.txt and \.docx files can be uploaded, not \.csv/],
    ["a zip-bomb .docx", 422, "essay.docx", () => bomb, /would expand .* when opened/],
    ["a zip-bomb .docx whose directory lies about its size", 422, "essay.docx", () => lyingBomb, /ZIP bomb/],
    ["a ZIP renamed .pdf", 415, "essay.pdf", () => plainZip, /only \.txt and \.docx files can be uploaded, not \.pdf/],
    [
      "a ZIP renamed .docx",
      422,
      "essay.docx",
      () => plainZip,
      /not a Word \.docx file \(it is a ZIP archive without word\/document\.xml\)/,
    ],
    ["a ZIP renamed .txt", 422, "essay.txt", () => plainZip, /not UTF-8 text|NUL bytes/],
    // 90,000 levels in under 1 MB of XML (so the gate's ratio check, from 1 MB, lets it through): mammoth's recursion overflows.
    [
      "markup nested past any stack",
      422,
      "nested.docx",
      () => nestedDocx,
      /^nested\.docx could not be read as a Word document: its contents are damaged/,
    ],
  ];
  it.each(cases)("%s answers %i with a sentence", async (_name, status, filename, bytes, pattern) => {
    await expectRefused(await postDocument(filename, bytes()), status, pattern);
  });

  it("a real .docx still answers its text", async () => {
    const response = await postDocument("maria_lopez.docx", docxOf("Schools should start later.\nTeenagers need sleep."));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      filename: "maria_lopez.docx",
      text: "Schools should start later.\n\nTeenagers need sleep.\n\n",
    });
  });

  it("a body that is not multipart answers 415, and two files answer 413", async () => {
    await expectRefused(await postJson("/api/documents/text", "file=essay.txt", "text/plain"), 415, /multipart\/form-data/);
    const form = new FormData();
    form.append("file", fileOf("a.txt", Buffer.from("One.")));
    form.append("file", fileOf("b.txt", Buffer.from("Two.")));
    await expectRefused(await fetch(`${app.url}/api/documents/text`, { method: "POST", body: form }), 413, /more than 1 files/);
  });
});

describe("POST /api/sessions refuses hostile files and CSVs, and stores nothing (#9)", () => {
  const essay = () => fileOf("ana.txt", Buffer.from(makeEssay(3, "ok")));
  const fileCases: Array<[string, number, string, () => Buffer, RegExp]> = [
    ["NUL bytes in a .txt", 422, "ben.txt", () => nulText, /ben\.txt holds NUL bytes/],
    ["invalid UTF-8", 422, "ben.txt", () => invalidUtf8, /ben\.txt is not UTF-8 text/],
    ["binary posing as .docx", 422, "ben.docx", () => binary, /ben\.docx is not a Word \.docx file/],
    ["5 MB of text", 413, "ben.txt", () => fiveMbText, /ben\.txt is larger than 5 MB/],
    ["100,000 lines", 422, "ben.txt", () => hundredThousandLines, /ben\.txt has more than 4,000 lines/],
    ["a zip-bomb .docx", 422, "ben.docx", () => bomb, /ben\.docx would expand/],
    ["a zip-bomb .docx whose directory lies", 422, "ben.docx", () => lyingBomb, /ben\.docx is a ZIP bomb/],
    ["a ZIP renamed .pdf", 422, "ben.pdf", () => plainZip, /ben\.pdf: a class upload takes \.txt or \.docx essays/],
    ["a ZIP renamed .docx", 422, "ben.docx", () => plainZip, /ben\.docx is not a Word \.docx file/],
  ];
  it.each(fileCases)("a class upload with %s answers %i naming the file", async (_name, status, filename, bytes, pattern) => {
    const before = await storedRows();
    await expectRefused(await postSession([essay(), fileOf(filename, bytes())]), status, pattern);
    expect(await storedRows()).toEqual(before);
  });

  const csvCases: Array<[string, number, () => Buffer, RegExp]> = [
    [
      "NUL bytes",
      422,
      () => Buffer.concat([Buffer.from("name,text\nAna,"), nulText]),
      /class\.csv row 2: The essay contains a control character, U\+0000/,
    ],
    [
      "invalid UTF-8",
      422,
      () => Buffer.concat([Buffer.from("name,text\nAna,"), invalidUtf8]),
      /class\.csv is not UTF-8 text\. Export the CSV as UTF-8/,
    ],
    ["binary", 422, () => binary, /class\.csv is not UTF-8 text/],
    [
      "over 5 MB",
      413,
      () => Buffer.concat([Buffer.from("name,text\n"), Buffer.from(`Ana,"${"x".repeat(6 * MB)}"\n`)]),
      /class\.csv is larger than 5 MB/,
    ],
    ["400,000 rows", 422, () => giantCsv, /class\.csv has more than 200 rows/],
    ["100,000 lines in one essay", 422, () => Buffer.from(`name,text\nAna,"${"A line.\n".repeat(100_000)}"\n`), /longer than 160 KB/],
    [
      "a 300-character name",
      422,
      () => Buffer.from(`name,text\n${"N".repeat(300)},"${makeEssay(2, "long-name")}"\n`),
      /longer than 120 characters/,
    ],
    ["a zip bomb renamed .csv", 422, () => bomb, /class\.csv is not UTF-8 text/],
  ];
  it.each(csvCases)("a CSV with %s answers %i naming the file", async (_name, status, bytes, pattern) => {
    const before = await storedRows();
    await expectRefused(await postSession([fileOf("class.csv", bytes())]), status, pattern);
    expect(await storedRows()).toEqual(before);
  });

  it("a body that is not multipart answers 415", async () => {
    await expectRefused(await postJson("/api/sessions", JSON.stringify({ assignmentId }), "application/json"), 415, /multipart\/form-data/);
  });
});

describe("the JSON routes refuse hostile bodies (#9)", () => {
  const routes = ["/api/submissions", "/api/grade/stream"];
  const body = (fields: Record<string, unknown>) => JSON.stringify({ assignmentId, studentName: "Bo", ...fields });
  const cases: Array<[string, number, () => string | Buffer, string | null, RegExp]> = [
    [
      "invalid UTF-8",
      400,
      () => Buffer.concat([Buffer.from(`{"assignmentId":"${assignmentId}","studentName":"Bo","text":"`), invalidUtf8, Buffer.from('"}')]),
      "application/json",
      /not valid UTF-8/,
    ],
    ["binary", 400, () => binary, "application/json", /not valid UTF-8|not valid JSON/],
    ["5 MB of text", 413, () => body({ text: fiveMbText.toString() }), "application/json", /too large: the limit is 160 KB/],
    ["100,000 lines", 413, () => body({ text: hundredThousandLines.toString() }), "application/json", /too large/],
    ["a giant CSV sent as text/csv", 415, () => giantCsv, "text/csv", /Content-Type: application\/json/],
    ["a zip bomb sent as a file", 415, () => bomb, "application/octet-stream", /Content-Type: application\/json/],
    ["a ZIP sent as JSON", 400, () => plainZip, "application/json", /not valid UTF-8|not valid JSON/],
    [
      "JSON sent as text/plain (a cross-site form can)",
      415,
      () => body({ text: makeEssay(2, "plain") }),
      "text/plain",
      /Content-Type: application\/json/,
    ],
    ["JSON without a Content-Type", 415, () => body({ text: makeEssay(2, "none") }), null, /Content-Type: application\/json/],
    [
      "a 10,000-character student name",
      400,
      () => body({ studentName: "N".repeat(10_000), text: makeEssay(2, "name") }),
      "application/json",
      /studentName/,
    ],
  ];
  for (const route of routes) {
    it.each(cases)(`${route} with %s answers %i with a sentence, nothing stored`, async (_name, status, payload, contentType, pattern) => {
      const before = await storedRows();
      await expectRefused(await postJson(route, payload(), contentType), status, pattern);
      expect(await storedRows()).toEqual(before);
    });

    it(`${route} with NUL bytes in the text answers 422, storing nothing`, async () => {
      const before = await storedRows();
      await expectRefused(await postJson(route, body({ text: nulText.toString() })), 422, /NUL|control/);
      expect(await storedRows()).toEqual(before);
    });
  }

  it("the other JSON routes answer text/plain with 415 too", async () => {
    await expectRefused(await postJson("/api/assignments", JSON.stringify({ title: "x" }), "text/plain"), 415, /application\/json/);
    const put = await fetch(`${app.url}/api/submissions/${earlier.id}/lines/0/override`, {
      method: "PUT",
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: JSON.stringify({ score: 3 }),
    });
    await expectRefused(put, 415, /application\/json/);
  });
});

describe("after every hostile request (#9)", () => {
  it("the submission stored before is still there, unchanged, and nothing else was stored", async () => {
    const response = await fetch(`${app.url}/api/submissions/${earlier.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(earlier.state);
    expect(await storedRows()).toEqual({ submissions: 1, sessions: 0 });
    // A refusal is an answer, never a crash: busboy's destroyed file streams once threw here.
    expect(app.logs.join("")).not.toMatch(/uncaughtException|unhandledRejection/);
  });
});
