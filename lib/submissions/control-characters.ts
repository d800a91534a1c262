/**
 * Control characters in text people send (#9). PostgreSQL cannot store U+0000 in `text`
 * or `jsonb` at all (the insert fails, which used to answer 500), and the others (backspace,
 * escape, …) are invisible in an essay and rewrite a terminal when logged. Tab, line feed
 * and carriage return are ordinary text.
 */
const isControl = (code: number) => (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code <= 0x9f);

function firstControlIndex(text: string): number {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return i;
  return -1;
}

const NAMES: Record<number, string> = {
  0x00: "NUL, a zero byte",
  0x08: "backspace",
  0x0b: "vertical tab",
  0x0c: "form feed",
  0x1b: "escape",
  0x7f: "delete",
};

export interface ControlCharacter {
  /** "U+0000 (NUL, a zero byte)" */
  description: string;
  /** 1-based, counting line feeds, for "on line 3". */
  line: number;
}

/** The first control character other than tab, LF and CR, or null when there is none. */
export function findControlCharacter(text: string): ControlCharacter | null {
  const index = firstControlIndex(text);
  if (index === -1) return null;
  const code = text.charCodeAt(index);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return { description: NAMES[code] ? `${hex} (${NAMES[code]})` : hex, line };
}

/** A zod refinement's message: "contains a control character, U+001B (escape); remove it". */
export function controlCharacterMessage(found: ControlCharacter): string {
  return `contains a control character, ${found.description}; remove it`;
}

/** For z.string().refine(hasNoControlCharacters, …) where the position does not matter. */
export const hasNoControlCharacters = (text: string) => firstControlIndex(text) === -1;

/** Half of a UTF-16 surrogate pair on its own: not a character, and jsonb refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const STORABLE_TEXT_MESSAGE = "contains a control character (such as a NUL byte) or a broken character; remove it";

/**
 * Text Postgres can store as text and as jsonb: no control characters (text refuses NUL)
 * and no lone surrogates (jsonb refuses them). For z.string().refine(isStorableText, …).
 */
export const isStorableText = (text: string) => hasNoControlCharacters(text) && !LONE_SURROGATE.test(text);
