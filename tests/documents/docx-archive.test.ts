import { describe, expect, it } from "vitest";
import { DocxArchiveError, inspectDocxArchive, type DocxArchiveLimits } from "../../lib/documents/docx-archive";
import {
  binaryBytes,
  deflatedPart,
  docxOf,
  docxPackageParts,
  formattedEssayDocx,
  repeatedPart,
  zipArchive,
  zipBombDocx,
  type ZipPart,
} from "./support/docx-files";

// The .docx gate that runs before mammoth (#9): the central directory is read first, and
// nothing is inflated unless the declared sizes fit; lying sizes are caught while counting.

const limits: DocxArchiveLimits = { maxUncompressedBytes: 32 * 1024 * 1024, maxEntries: 1000, maxCompressionRatio: 100 };
const MB = 1024 * 1024;

async function refusalOf(bytes: Uint8Array): Promise<DocxArchiveError> {
  const error = await inspectDocxArchive("essay.docx", bytes, limits).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DocxArchiveError);
  return error as DocxArchiveError;
}

/** An entry whose stored bytes are not deflate data (0xff opens a block of the reserved type 3): inflating it fails. */
const undecodablePart = (name: string, declaredSize: number): ZipPart => ({
  name,
  stored: Buffer.concat([Buffer.from([0xff]), binaryBytes(1023)]),
  crc: 0,
  size: declaredSize,
  method: 8,
});

describe("inspectDocxArchive (#9)", () => {
  it("lets a real .docx through, a long formatted essay too", async () => {
    await expect(inspectDocxArchive("essay.docx", docxOf("Schools should start later."), limits)).resolves.toBeUndefined();
    await expect(inspectDocxArchive("essay.docx", formattedEssayDocx(600), limits)).resolves.toBeUndefined();
  });

  it("refuses a bomb from its central directory alone, before inflating anything", async () => {
    // The stored bytes are garbage: had the gate inflated them it would call the file damaged.
    const declaredHuge = zipArchive([...docxPackageParts(), undecodablePart("word/document.xml", 400 * MB)]);
    const refusal = await refusalOf(declaredHuge);
    expect(refusal.refusal).toBe("too_large");
    expect(refusal.message).toMatch(/^essay\.docx would expand to 400 MB when opened/);
  });

  it("refuses parts that together expand past the limit, each under the ratio", async () => {
    const parts = Array.from({ length: 40 }, (_, i) => undecodablePart(`word/media/image${i}.png`, 1000 * 1024));
    const refusal = await refusalOf(zipArchive([...docxPackageParts(), deflatedPart("word/document.xml", "<w:document/>"), ...parts]));
    expect(refusal.message).toMatch(/would expand to 39 MB when opened; the limit is 32 MB/);
  });

  it("refuses one part compressed far more than Word compresses, even under the total limit", async () => {
    const dense = await repeatedPart("word/document.xml", "<w:document>", "<w:p/>", 2 * 174763, "</w:document>");
    const refusal = await refusalOf(zipArchive([...docxPackageParts(), dense]));
    expect(refusal.message).toMatch(/word\/document\.xml is compressed \d+ to 1; Word's own files stay under 100 to 1/);
  });

  it("catches a bomb whose directory understates its size, after reading little more than the lie", async () => {
    const bomb = await zipBombDocx(400, { lie: true });
    // Its directory looks like any small .docx: only inflating (and counting) tells.
    await expect(inspectDocxArchive("essay.docx", bomb, limits, { countBytes: false })).resolves.toBeUndefined();
    const started = performance.now();
    const refusal = await refusalOf(bomb);
    console.log(
      `[docx-archive] a lying 400 MB bomb (${Math.round(bomb.byteLength / 1024)} KB) refused in ${Math.round(performance.now() - started)} ms`,
    );
    expect(refusal.refusal).toBe("too_large");
    expect(refusal.message).toMatch(/essay\.docx is a ZIP bomb: word\/document\.xml holds more than the 4 KB its directory declares/);
  });

  it("refuses an archive of more parts than any essay has", async () => {
    const many = Array.from({ length: 1001 }, (_, i) => deflatedPart(`word/part${i}.xml`, "<x/>"));
    expect((await refusalOf(zipArchive([...docxPackageParts(), ...many]))).message).toMatch(/holds 1003 parts; .* at most 1000/);
  });

  it.each([
    ["random bytes", binaryBytes(4096), /its bytes are not a ZIP archive/],
    ["a PDF", Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), /it is a PDF/],
    [
      "an old .doc (or a password-protected .docx)",
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
      /older Word \(\.doc\) or password-protected/,
    ],
    ["a plain ZIP", zipArchive([deflatedPart("readme.txt", "hello")]), /ZIP archive without word\/document\.xml/],
    ["a truncated .docx", docxOf("Schools should start later.").subarray(0, 200), /damaged ZIP archive/],
    [
      "a .docx whose document part is not deflate data",
      zipArchive([...docxPackageParts(), undecodablePart("word/document.xml", 2048)]),
      /cannot be inflated/,
    ],
  ])("refuses %s as not a .docx, in a sentence", async (_name, bytes, pattern) => {
    const refusal = await refusalOf(bytes);
    expect(refusal.refusal).toBe("not_docx");
    expect(refusal.message).toMatch(/^essay\.docx is not a Word \.docx file \(/);
    expect(refusal.message).toMatch(pattern);
  });
});
