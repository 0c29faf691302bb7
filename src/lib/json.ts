/** A JSON object from a response body, or null when the body is not one (an HTML error page, an array, nothing). */
export async function readJsonObject(response: Response): Promise<Record<string, unknown> | null> {
  try {
    return asJsonObject(await response.json());
  } catch {
    return null;
  }
}

/** A JSON object from raw bytes (a webhook body, already verified), or null when they are not one. */
export function parseJsonObject(raw: Uint8Array): Record<string, unknown> | null {
  try {
    return asJsonObject(JSON.parse(new TextDecoder().decode(raw)));
  } catch {
    return null;
  }
}

const asJsonObject = (value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);
