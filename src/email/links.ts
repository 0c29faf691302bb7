const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/g;

/** The distinct http(s) URLs in a plain-text e-mail, in order, without trailing punctuation. */
export function linksIn(text: string): string[] {
  const found = (text.match(URL_IN_TEXT) ?? []).map((url) => url.replace(/[.,;:!?)\]}]+$/, ''));
  return [...new Set(found)];
}
