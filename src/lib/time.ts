/** ISO 8601 UTC without milliseconds: `2026-11-25T10:00:00Z`. */
export const isoNow = (date = new Date()) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Today's date in UTC: `YYYY-MM-DD`. */
export const today = (date = new Date()) => date.toISOString().slice(0, 10);
