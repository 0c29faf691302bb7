/** Does `If-None-Match` (a list of tags, weak or strong, or `*`) match this ETag? Weak comparison, as RFC 9110 asks. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
