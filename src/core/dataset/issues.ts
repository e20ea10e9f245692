import { DatasetError, type DatasetIssue } from './types';

/** Enough to fix a file in one go without drowning the user (or the UI) in repeats. */
export const MAX_ISSUES = 50;

/** Pseudo file names for problems that belong to no single file. */
export const WHOLE_DATASET = '(dataset)';
export const OPTIONS = '(options)';

/** Collects errors (capped) and warnings while a loader walks the files. */
export class IssueLog {
  readonly errors: DatasetIssue[] = [];
  readonly warnings: DatasetIssue[] = [];

  error(file: string, place: string, message: string): void {
    if (!this.full) this.errors.push({ file, place, message });
  }

  warn(file: string, place: string, message: string): void {
    this.warnings.push({ file, place, message });
  }

  /** Once full, loaders may stop walking: further errors would be dropped anyway. */
  get full(): boolean {
    return this.errors.length >= MAX_ISSUES;
  }

  throwIfErrors(): void {
    if (this.errors.length > 0) throw new DatasetError(this.errors);
  }
}

/** The name without any folder part: browsers hand over `xquad-r/en.json` for folder picks. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** "missing" when absent, "must be ..." when present but wrong: the two need different fixes. */
export function fieldProblems(
  name: string,
  value: unknown,
  isValid: (value: unknown) => boolean,
  expected: string,
): string[] {
  if (value === undefined) return [`missing "${name}"`];
  return isValid(value) ? [] : [`"${name}" must be ${expected}`];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strips a UTF-8 byte-order mark, which editors on Windows like to add and JSON.parse rejects. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * JSON.parse with its failure turned into a place and a message. Engines report a character
 * position (V8) or a line and column (Firefox); both become `line L, column C`.
 */
export function parseJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; place: string; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, place: jsonErrorPlace(text, message), message: `not valid JSON: ${message}` };
  }
}

function jsonErrorPlace(text: string, message: string): string {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return `line ${lineColumn[1]}, column ${lineColumn[2]}`;
  const position = /at position (\d+)/.exec(message);
  // V8 gives no position when the text stops mid-value (a file cut short): the place is its end.
  const at = position ? Number(position[1]) : /end of JSON input/.test(message) ? text.length : null;
  if (at === null) return '';
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}
