/**
 * A small schema for data from outside the page (storage, imported files): each check returns the
 * problems it finds, each naming its place (`report.summary.cross_map: expected a number`), so
 * that a bad entry can be skipped with a reason instead of breaking the page later. Text has a
 * length limit (a 50-million-character field froze the page on every reload), and a rejected value
 * is echoed cut short (`echo`), so that no message is wider than the page.
 */
import { isRecord } from '../../core/dataset/issues';

export type Check = (value: unknown, path: string) => string[];

const expected = (path: string, what: string, value: unknown) => [`${path}: expected ${what}, got ${describe(value)}`];

/** The longest text a run or a setting may hold: far more than any name, prefix or description. */
export const TEXT_LIMIT = 10_000;
/** How much of a rejected value a message shows. */
const ECHO_LIMIT = 24;

/** A rejected text in a message: its start, and its length when cut (`"11111111…" (20,000 characters)`). */
export function echo(text: string): string {
  return text.length > ECHO_LIMIT ? `"${text.slice(0, ECHO_LIMIT)}…" (${text.length.toLocaleString('en-US')} characters)` : `"${text}"`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length > TEXT_LIMIT ? `text of ${value.length.toLocaleString('en-US')} characters` : echo(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export const text: Check = (value, path) =>
  typeof value === 'string' && value.length <= TEXT_LIMIT ? [] : expected(path, `text of at most ${TEXT_LIMIT.toLocaleString('en-US')} characters`, value);
/** NaN included: a mean over nothing is NaN in a report (null once written as JSON); never ±Infinity. */
export const number: Check = (value, path) => (typeof value === 'number' && (Number.isNaN(value) || Number.isFinite(value)) ? [] : expected(path, 'a number', value));
export const count: Check = (value, path) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? [] : expected(path, 'a whole number >= 0', value));
export const positiveInteger: Check = (value, path) => (typeof value === 'number' && Number.isInteger(value) && value >= 1 ? [] : expected(path, 'a whole number >= 1', value));
export function instanceOf(type: abstract new (...args: never[]) => unknown): Check {
  return (value, path) => (value instanceof type ? [] : expected(path, `a ${type.name}`, value));
}
export const anyRecord: Check = (value, path) => (isRecord(value) ? [] : expected(path, 'an object', value));

export function oneOf(...allowed: unknown[]): Check {
  return (value, path) => (allowed.includes(value) ? [] : expected(path, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value));
}

export function nullable(check: Check): Check {
  return (value, path) => (value === null ? [] : check(value, path));
}

export function optional(check: Check): Check {
  return (value, path) => (value === undefined ? [] : check(value, path));
}

export function listOf(check: Check): Check {
  return (value, path) => (Array.isArray(value) ? value.flatMap((item, i) => check(item, `${path}[${i}]`)) : expected(path, 'a list', value));
}

/** An object with these fields (others are allowed: they may come from a newer version). */
export function fields(shape: Record<string, Check>): Check {
  return (value, path) => {
    if (!isRecord(value)) return expected(path, 'an object', value);
    return Object.entries(shape).flatMap(([name, check]) => check(value[name], path ? `${path}.${name}` : name));
  };
}

/** An object used as a table: every own value passes `check`. */
export function tableOf(check: Check): Check {
  return (value, path) => (isRecord(value) ? Object.entries(value).flatMap(([key, item]) => check(item, `${path}.${key}`)) : expected(path, 'an object', value));
}

/** Fields picked by a `kind` field's value. */
export function byKind(variants: Record<string, Check>): Check {
  return (value, path) => {
    if (!isRecord(value)) return expected(path, 'an object', value);
    const kind = value.kind;
    const variant = typeof kind === 'string' && Object.hasOwn(variants, kind) ? variants[kind] : undefined;
    return variant ? variant(value, path) : expected(`${path}.kind`, `one of ${Object.keys(variants).join(', ')}`, kind);
  };
}
