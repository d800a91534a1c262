import { once } from "node:events";
import { crc32, createDeflateRaw, deflateRawSync } from "node:zlib";

// Builds .docx files and hostile ZIPs in memory for the tests (#9): real archives written
// byte by byte, so a test can also write the lies a crafted one tells (a central directory
// that understates an entry's size). No binary is committed.

export interface ZipPart {
  name: string;
  /** The entry's data as stored (deflated, or raw when `method` is 0). */
  stored: Buffer;
  crc: number;
  size: number;
  method: 0 | 8;
}

/** An entry deflated from `data`; `declaredSize` replaces the true size in both headers. */
export function deflatedPart(name: string, data: string | Buffer, declaredSize?: number): ZipPart {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  return { name, stored: deflateRawSync(bytes), crc: crc32(bytes), size: declaredSize ?? bytes.byteLength, method: 8 };
}

/**
 * An entry of `head`, then `chunk` repeated `times`, then `tail`, deflated as a stream: a
 * part of hundreds of MB costs the test a few hundred KB of memory.
 */
export async function repeatedPart(
  name: string,
  head: string,
  chunk: string,
  times: number,
  tail: string,
  declaredSize?: number,
): Promise<ZipPart> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (data: Buffer) => out.push(data));
  const repeated = Buffer.from(chunk.repeat(Math.max(1, Math.floor((1024 * 1024) / chunk.length))));
  const rounds = Math.ceil((chunk.length * times) / repeated.length);
  let crc = crc32(head);
  let size = Buffer.byteLength(head);
  deflate.write(head);
  for (let i = 0; i < rounds; i++) {
    crc = crc32(repeated, crc);
    size += repeated.byteLength;
    if (!deflate.write(repeated)) await once(deflate, "drain");
  }
  crc = crc32(tail, crc);
  size += Buffer.byteLength(tail);
  deflate.end(tail);
  await once(deflate, "end");
  return { name, stored: Buffer.concat(out), crc, size: declaredSize ?? size, method: 8 };
}

/** A ZIP archive of these parts: local headers, data, central directory, end record. */
export function zipArchive(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(part.method, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(part.crc >>> 0, 14);
    local.writeUInt32LE(part.stored.byteLength, 18);
    local.writeUInt32LE(part.size, 22);
    local.writeUInt16LE(name.byteLength, 26);
    locals.push(local, name, part.stored);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(part.method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(part.crc >>> 0, 16);
    central.writeUInt32LE(part.stored.byteLength, 20);
    central.writeUInt32LE(part.size, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.byteLength + name.byteLength + part.stored.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
const PACKAGE_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;
export const DOCUMENT_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`;
export const DOCUMENT_TAIL = `</w:body></w:document>`;

const escapeXml = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** The packaging every .docx has around its word/document.xml. */
export const docxPackageParts = (): ZipPart[] => [
  deflatedPart("[Content_Types].xml", CONTENT_TYPES),
  deflatedPart("_rels/.rels", PACKAGE_RELS),
];

/** A small, real .docx: one paragraph per line of `text`. */
export function docxOf(text: string): Buffer {
  const paragraphs = text
    .split("\n")
    .map((line) => `<w:p><w:r><w:t xml:space="preserve">${escapeXml(line)}</w:t></w:r></w:p>`)
    .join("");
  return zipArchive([...docxPackageParts(), deflatedPart("word/document.xml", DOCUMENT_HEAD + paragraphs + DOCUMENT_TAIL)]);
}

/** A .docx whose body is this XML, as it is (e.g. markup nested past any stack). */
export function docxWithBodyXml(bodyXml: string): Buffer {
  return zipArchive([...docxPackageParts(), deflatedPart("word/document.xml", DOCUMENT_HEAD + bodyXml + DOCUMENT_TAIL)]);
}

const BOMB_SENTENCE = "All work and no play makes Jack a dull boy. ";

/**
 * A zip bomb dressed as a .docx: word/document.xml is `megabytes` MB of one repeated
 * sentence in one paragraph. With `lie`, both headers declare it 4 KB, as a crafted bomb
 * would to slip past a check of the declared sizes.
 */
export async function zipBombDocx(megabytes: number, { lie = false } = {}): Promise<Buffer> {
  const times = Math.ceil((megabytes * 1024 * 1024) / BOMB_SENTENCE.length);
  const document = await repeatedPart(
    "word/document.xml",
    `${DOCUMENT_HEAD}<w:p><w:r><w:t>`,
    BOMB_SENTENCE,
    times,
    `</w:t></w:r></w:p>${DOCUMENT_TAIL}`,
    lie ? 4096 : undefined,
  );
  return zipArchive([...docxPackageParts(), document]);
}

/**
 * A realistic long essay as Word writes it: `paragraphs` paragraphs of twelve formatted runs
 * (fonts, sizes), about 2 KB of XML and 300 characters of text per paragraph.
 */
export function formattedEssayDocx(paragraphs: number): Buffer {
  const words = "Teenagers need more sleep than adults and schools should start later because".split(" ");
  let body = "";
  for (let p = 0; p < paragraphs; p++) {
    body += `<w:p><w:pPr><w:pStyle w:val="Normal"/><w:spacing w:after="120"/></w:pPr>`;
    for (let r = 0; r < 12; r++) {
      const text = `${words.slice(0, 2 + ((p + r) % 8)).join(" ")} ${p}.${r} `;
      body += `<w:r><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr><w:t xml:space="preserve">${text}</w:t></w:r>`;
    }
    body += "</w:p>";
  }
  return docxWithBodyXml(body);
}

/** Deterministic bytes that are not text (xorshift), so a failure reproduces. */
export function binaryBytes(length: number, seed = 0x9e3779b9): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
