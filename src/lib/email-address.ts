import { codePoints } from './text';

/*
 * Python's email-validator (`validate_email(…, check_deliverability=False)`), as Pydantic's
 * EmailStr calls it, with its wording: the API answers a bad address exactly as FastAPI does.
 */

/** `Display Name <address>`: the address inside the brackets is validated. */
const NAMED_ADDRESS = /^\s*(?:[\w!#$%&'*+\-/=?^_`{|}~]+(?:\s+[\w!#$%&'*+\-/=?^_`{|}~]+)*|"(?:[^"]|\\")+")?\s*<(.+)>\s*$/u;

const SPECIAL_USE_DOMAINS = ['arpa', 'invalid', 'local', 'localhost', 'onion', 'test'];
/** RFC 2142 role mailboxes, which email-validator lower-cases. */
const CASE_INSENSITIVE_MAILBOXES = ['info', 'marketing', 'sales', 'support', 'abuse', 'noc', 'security', 'postmaster', 'hostmaster', 'usenet', 'news', 'webmaster', 'www', 'uucp', 'ftp'];
const ATEXT = "a-zA-Z0-9_!#$%&'*+\\-/=?^`{|}~\\u0080-\\u{10FFFF}";
const LOCAL_CHAR = new RegExp(`^[${ATEXT}.]$`, 'u');
const DOT_ATOM = new RegExp(`^[${ATEXT}]+(\\.[${ATEXT}]+)*$`, 'u');
const HOSTNAME_CHAR = /^[a-zA-Z0-9.\-\u0080-\u{10FFFF}]$/u;
const HOSTNAME_LABEL = /^(?:[a-zA-Z0-9][a-zA-Z0-9-]*)?[a-zA-Z0-9]$/;
/** Unicode categories email-validator refuses in an address: controls, formats, separators and the like. */
const UNSAFE = /[\p{C}\p{Z}]/u;

/** email-validator's `safe_character_display`: Python's repr for visible characters, else a name. */
function displayChar(c: string): string {
  if (c === '\\') return '"\\"';
  if (/[\p{L}\p{N}\p{P}\p{S}]/u.test(c)) return c === "'" ? `"'"` : `'${c}'`;
  if (c === ' ') return 'SPACE';
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(c.codePointAt(0)! < 0xffff ? 4 : 8, '0')}`;
}

const listed = (chars: Iterable<string>) => [...new Set([...chars].map(displayChar))].sort().join(', ');

const tooMany = (length: number, limit: number) => `(${length - limit} character${length - limit > 1 ? 's' : ''} too many)`;

/** The dot rules of a local part or host name, in email-validator's words. */
function dotProblem(part: string, start: string, end: string, hostname: boolean): string | null {
  if (part.endsWith('.')) return end.replace('{}', 'period');
  if (part.startsWith('.')) return start.replace('{}', 'period');
  if (part.includes('..')) return 'An email address cannot have two periods in a row.';
  if (hostname) {
    if (part.endsWith('-')) return end.replace('{}', 'hyphen');
    if (part.startsWith('-')) return start.replace('{}', 'hyphen');
    if (part.includes('.-') || part.includes('-.')) return 'An email address cannot have a period and a hyphen next to each other.';
  }
  return null;
}

function localPartProblem(local: string): string | null {
  if (!local) return 'There must be something before the @-sign.';
  const length = codePoints(local);
  if (length > 64) return `The email address is too long before the @-sign ${tooMany(length, 64)}.`;
  if (DOT_ATOM.test(local)) {
    const unsafe = [...local].filter((c) => UNSAFE.test(c));
    return unsafe.length ? `The email address contains unsafe characters: ${listed(unsafe)}.` : null;
  }
  const bad = [...local].filter((c) => !LOCAL_CHAR.test(c));
  if (bad.length) return `The email address contains invalid characters before the @-sign: ${listed(bad)}.`;
  return (
    dotProblem(local, 'An email address cannot start with a {}.', 'An email address cannot have a {} immediately before the @-sign.', false) ??
    'The email address contains invalid characters before the @-sign.'
  );
}

/** The domain's problem, or its normalised (Unicode, lower-case) and ASCII (IDNA) forms. */
function checkDomain(domain: string): { problem: string } | { domain: string; ascii: string } {
  if (!domain) return { problem: 'There must be something after the @-sign.' };
  if (domain.startsWith('[') && domain.endsWith(']')) return { problem: 'A bracketed IP address after the @-sign is not allowed here.' };
  const bad = [...domain].filter((c) => !HOSTNAME_CHAR.test(c));
  if (bad.length) return { problem: `The part after the @-sign contains invalid characters: ${listed(bad)}.` };
  const unsafe = [...domain].filter((c) => UNSAFE.test(c));
  if (unsafe.length) return { problem: `The email address contains unsafe characters: ${listed(unsafe)}.` };
  const normalised = domain.normalize('NFC').toLowerCase();
  const dots = dotProblem(normalised, 'An email address cannot have a {} immediately after the @-sign.', 'An email address cannot end with a {}.', true);
  if (dots) return { problem: dots };
  if (normalised.split('.').some((label) => /^(?!xn)..--/i.test(label))) {
    return { problem: 'An email address cannot have two letters followed by two dashes immediately after the @-sign or after a period, except Punycode.' };
  }
  let ascii = normalised;
  if (!normalised.split('.').every((label) => HOSTNAME_LABEL.test(label))) {
    // IDNA 2008 takes letters, marks and digits only (no emoji, no symbols).
    for (const label of normalised.split('.')) {
      const chars = [...label];
      const at = chars.findIndex((c) => !/[\p{L}\p{M}\p{Nd}-]/u.test(c));
      if (at >= 0) {
        const codepoint = `U+${chars[at]!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
        return { problem: `The part after the @-sign is invalid (Codepoint ${codepoint} at position ${at + 1} of '${label}' not allowed).` };
      }
    }
    try {
      ascii = new URL(`http://${normalised}/`).hostname;
    } catch {
      return { problem: 'The part after the @-sign contains invalid characters.' };
    }
    if (!ascii.split('.').every((label) => HOSTNAME_LABEL.test(label))) {
      return { problem: 'The email address contains invalid characters after the @-sign after IDNA encoding.' };
    }
  }
  if (ascii.length > 253) return { problem: 'The email address is too long after the @-sign.' };
  const long = ascii.split('.').find((label) => label.length > 63);
  if (long) return { problem: `After the @-sign, periods cannot be separated by so many characters ${tooMany(long.length, 63)}.` };
  if (!ascii.includes('.')) return { problem: 'The part after the @-sign is not valid. It should have a period.' };
  if (!/[A-Za-z]$/.test(ascii)) return { problem: 'The part after the @-sign is not valid. It is not within a valid top-level domain.' };
  if (SPECIAL_USE_DOMAINS.some((d) => ascii === d || ascii.endsWith(`.${d}`))) {
    return { problem: 'The part after the @-sign is a special-use or reserved name that cannot be used with email.' };
  }
  return { domain: normalised, ascii };
}

/** Splits at the first @-sign outside quotes, as email-validator does. */
function splitAddress(address: string): [string, string] | null {
  let quoted = false;
  for (let i = 0; i < address.length; i++) {
    const c = address[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) i++;
    else if (c === '@' && !quoted) return [address.slice(0, i), address.slice(i + 1)];
  }
  return null;
}

/**
 * email-validator's `validate_email(…, check_deliverability=False)` as Pydantic calls it:
 * the problem in its words, or the normalised address (local part as typed, NFC, RFC 2142
 * role names lower-cased; domain lower-cased).
 */
function validateEmail(address: string): { problem: string } | { email: string } {
  const parts = splitAddress(address);
  if (!parts) return { problem: 'An email address must have an @-sign.' };
  const [rawLocal, rawDomain] = parts;
  const quoted = rawLocal.length >= 2 && rawLocal.startsWith('"') && rawLocal.endsWith('"');
  let local = quoted ? rawLocal.slice(1, -1).replace(/\\(.)/gu, '$1') : rawLocal;
  if (!quoted) {
    const problem = localPartProblem(local);
    if (problem) return { problem };
  }
  local = local.normalize('NFC');
  if (quoted) return { problem: 'Quoting the part before the @-sign is not allowed here.' };
  if (CASE_INSENSITIVE_MAILBOXES.includes(local.toLowerCase())) local = local.toLowerCase();
  const domain = checkDomain(rawDomain);
  if ('problem' in domain) return domain;
  const asciiEmail = `${local}@${domain.ascii}`;
  const email = `${local}@${domain.domain}`;
  const length = codePoints(email);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, control characters included, is the point
  if (/^[\x00-\x7f]*$/.test(local) && asciiEmail.length > 254) {
    const reason = asciiEmail === email ? tooMany(asciiEmail.length, 254) : length > 254 ? tooMany(length, 254) : '(when converted to IDNA ASCII)';
    return { problem: `The email address is too long ${reason}.` };
  }
  if (new TextEncoder().encode(email).length > 254) {
    return { problem: `The email address is too long ${length > 254 ? tooMany(length, 254) : '(when encoded in bytes)'}.` };
  }
  return { email };
}

/**
 * An address as Pydantic's EmailStr takes it: at most 2048 characters, `Name <addr>`
 * accepted, surrounding white space trimmed, special-use domains rejected, normalised as
 * email-validator does (local part as typed, domain lower-cased).
 */
export function parseEmailAddress(raw: string): { problem: string } | { email: string } {
  if (codePoints(raw) > 2048) return { problem: 'Length must not exceed 2048 characters' };
  const named = NAMED_ADDRESS.exec(raw);
  return validateEmail((named ? named[1]! : raw).trim());
}
