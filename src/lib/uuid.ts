/** White space as Python's `str.isspace` sees it, at either end of a string. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Python counts these control characters as white space
const PYTHON_SPACE_AT_ENDS = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** The value of a Unicode decimal digit: its distance from the zero that starts its run of ten. */
function decimalValue(digit: string): string {
  const cp = digit.codePointAt(0)!;
  let k = 0;
  while (/\p{Nd}/u.test(String.fromCodePoint(cp - k - 1))) k++;
  return String(k % 10);
}

const PYTHON_HEX_INT = /^([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|([0-9a-fA-F](?:_?[0-9a-fA-F])*))$/;

/** Python's `int(text, 16)`, or null where Python raises ValueError. */
function pythonHexInt(text: string): bigint | null {
  const normalised = text.replace(/\p{Nd}/gu, decimalValue).replace(PYTHON_SPACE_AT_ENDS, '');
  const match = PYTHON_HEX_INT.exec(normalised);
  if (!match) return null;
  const value = BigInt(`0x${(match[2] ?? match[3]!).replaceAll('_', '')}`);
  return match[1] === '-' ? -value : value;
}

/**
 * Canonical lower-case hyphenated UUID, or null: a port of CPython's `uuid.UUID(hex)`, which
 * removes every `urn:` and `uuid:` (case-sensitively), strips braces from both ends, drops
 * every hyphen, wants exactly 32 characters left and reads them with `int(…, 16)` (so any
 * case, a `0x`, a sign, underscores between digits and white space at the ends pass too).
 * The one UUID parser of the API: user ids in tokens, paths, bodies and queries.
 */
export function parseUuid(value: string): string | null {
  const hex = value.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
  if ([...hex].length !== 32) return null;
  const n = pythonHexInt(hex);
  if (n === null || n < 0n || n >= 1n << 128n) return null;
  const h = n.toString(16).padStart(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
