export type LogLevel = 'info' | 'warn' | 'error';

/**
 * One structured log line: `{"level", "msg", …fields}` as JSON, on the console method of its
 * level (Workers Logs indexes the JSON fields). Never put secrets, bodies or query strings
 * into `fields`.
 */
export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
