/**
 * The building blocks of the settings table (settings.ts): a field is one user-settable value with
 * its default, its validation and, when it can travel in a link, its key and spelling there. From a
 * table of fields come the settings type (`ValuesOf`), the defaults, the sanitiser of stored settings
 * and the link codec, so none of them is a hand-kept copy of another.
 *
 * This table is the one gate for settings: a link (link.ts), a number field of a cell
 * (`readFieldText`, NumberField) and the stored notebook (persistence.ts) all judge a value by its
 * field's check and say why with `settingProblem`, so each door refuses the same values in the same
 * words. A value that fails its check falls back to the field's default, field by field; the
 * sanitiser reports which fields did and why.
 */
import { isRecord } from '../../core/dataset/issues';
import { echo, TEXT_LIMIT } from './schema';

export interface LinkSpelling<T> {
  /** The key in the link's hash. */
  key: string;
  write(value: T): string;
  /** Text back to a value, checked afterwards with the field's check. */
  read(text: string): unknown;
}

export interface Field<T> {
  readonly isField: true;
  default: T;
  /** The value when it is valid, else undefined. */
  check(value: unknown): T | undefined;
  /** What the check accepts, in words ("a whole number from 1 to 100,000"). */
  rule: string;
  /** null: the value never travels in a link (it names something kept in this browser only). */
  link: LinkSpelling<T> | null;
}

export interface FieldTable {
  readonly [name: string]: Field<unknown> | FieldTable;
}

/** The values a table describes: the settings type derives from the settings table this way. */
export type ValuesOf<T> = { -readonly [K in keyof T]: T[K] extends Field<infer V> ? V : ValuesOf<T[K]> };

export function field<T>(spec: Omit<Field<T>, 'isField'>): Field<T> {
  return { isField: true, ...spec };
}

function isField(node: Field<unknown> | FieldTable): node is Field<unknown> {
  return (node as Field<unknown>).isField === true;
}

/** Every field of a table with its path, in table order. */
export function fieldsOf(table: FieldTable, path: string[] = []): { path: string[]; field: Field<unknown> }[] {
  return Object.entries(table).flatMap(([name, node]) => (isField(node) ? [{ path: [...path, name], field: node }] : fieldsOf(node, [...path, name])));
}

export function defaultsOf<T extends FieldTable>(table: T): ValuesOf<T> {
  return mapTable(table, (field) => field.default) as ValuesOf<T>;
}

/** A value a field refused: where, and why in the words every door uses. */
export interface Rejection {
  path: string;
  problem: string;
}

/** Why a field refuses `given` (as typed, as linked or as stored), e.g. `expected a whole number from 1 to 100,000, got "0"`. */
export function settingProblem(field: Field<unknown>, given: unknown): string {
  const shown = typeof given === 'string' ? echo(given) : typeof given === 'number' ? echo(String(given)) : given === null ? 'null' : Array.isArray(given) ? 'a list' : typeof given;
  return `expected ${field.rule}, got ${shown}`;
}

/** The text of a number field as its value, or why the field refuses it. */
export function readFieldText(field: Field<number>, text: string): { value: number } | { problem: string } {
  const value = field.check(readNumber(text));
  return value === undefined ? { problem: settingProblem(field, text) } : { value };
}

/**
 * Each field's value from `input` when it passes the field's check, else its default. A field absent
 * from `input` takes its default silently; `rejected` gets every field present but invalid, with why.
 */
export function checkedValues<T extends FieldTable>(table: T, input: unknown, rejected: Rejection[] = []): ValuesOf<T> {
  return mapTable(table, (field, path) => {
    const value = valueAt(input, path);
    if (value === undefined) return field.default;
    const checked = field.check(value);
    if (checked === undefined) rejected.push({ path: path.join('.'), problem: settingProblem(field, value) });
    return checked === undefined ? field.default : checked;
  }) as ValuesOf<T>;
}

export function valueAt(input: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, name) => (isRecord(node) ? node[name] : undefined), input);
}

function mapTable(table: FieldTable, leaf: (field: Field<unknown>, path: string[]) => unknown, path: string[] = []): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(table).map(([name, node]) => [name, isField(node) ? leaf(node, [...path, name]) : mapTable(node, leaf, [...path, name])]),
  );
}

// The kinds of field the settings use.

export function choice<T extends string>(key: string | null, allowed: readonly T[], fallback: T): Field<T> {
  return field({
    default: fallback,
    check: (value) => (allowed.includes(value as T) ? (value as T) : undefined),
    rule: `one of ${allowed.join(', ')}`,
    link: key === null ? null : { key, write: (value) => value, read: (text) => text },
  });
}

const spelled = (value: number) => value.toLocaleString('en-US');

/** An integer in [min, max]; `key` null: never in a link. */
export function integer(key: string | null, min: number, fallback: number, max: number): Field<number> {
  return number(key, fallback, (value) => Number.isInteger(value) && value >= min && value <= max, `a whole number from ${spelled(min)} to ${spelled(max)}`);
}

/** A finite number that passes `valid`, which `rule` says in words; `key` null: never in a link. */
export function number(key: string | null, fallback: number, valid: (value: number) => boolean, rule: string): Field<number> {
  return field({
    default: fallback,
    check: (value) => (typeof value === 'number' && Number.isFinite(value) && valid(value) ? value : undefined),
    rule,
    link: key === null ? null : { key, write: String, read: readNumber },
  });
}

/** A positive integer up to `max`, or null for "all" (spelled `all` in links). */
export function countOrAll(key: string, max: number): Field<number | null> {
  return field<number | null>({
    default: null,
    check: (value) => (value === null || (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max) ? value : undefined),
    rule: `all, or a whole number from 1 to ${spelled(max)}`,
    link: { key, write: (value) => (value === null ? 'all' : String(value)), read: (text) => (text === 'all' ? null : readNumber(text)) },
  });
}

/** Text up to the schema's limit (a 50-million-character prefix froze the page on every reload). */
const isText = (value: unknown): value is string => typeof value === 'string' && value.length <= TEXT_LIMIT;
const TEXT_RULE = `text of at most ${spelled(TEXT_LIMIT)} characters`;

export function text(key: string, fallback = ''): Field<string> {
  return field({ default: fallback, check: (value) => (isText(value) ? value : undefined), rule: TEXT_RULE, link: { key, write: (value) => value, read: (value) => value } });
}

/** A name, or null for none (spelled as nothing in links). */
export function nameOrNone(key: string): Field<string | null> {
  return field<string | null>({
    default: null,
    check: (value) => (value === null || isText(value) ? value : undefined),
    rule: `a name (${TEXT_RULE}), or none`,
    link: { key, write: (value) => value ?? '', read: (text) => text || null },
  });
}

/** Codes such as language codes, comma-separated in links. */
export function codes(key: string): Field<string[]> {
  return field({ default: [], check: (value) => (isCodeList(value) ? value : undefined), rule: CODES_RULE, link: { key, write: (value) => value.join(','), read: splitCodes } });
}

/** Codes, or null for all of them (spelled `all` in links). */
export function codesOrAll(key: string): Field<string[] | null> {
  return field<string[] | null>({
    default: null,
    check: (value) => (value === null || isCodeList(value) ? value : undefined),
    rule: `all, or ${CODES_RULE}`,
    link: { key, write: (value) => (value === null ? 'all' : value.join(',')), read: (text) => (text === 'all' ? null : splitCodes(text)) },
  });
}

/** A value kept in this browser only (stored files, picked embeddings): never in links. */
export function local<T>(fallback: T, check: (value: unknown) => T | undefined, rule: string): Field<T> {
  return field({ default: fallback, check, rule, link: null });
}

/** The tag of a tagged union member, fixed. */
export function constant<T extends string>(value: T): Field<T> {
  return field({ default: value, check: (input) => (input === value ? value : undefined), rule: `"${value}"`, link: null });
}

/** Number() of a 20,000-digit text is Infinity, which every number field refuses. */
function readNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

function splitCodes(text: string): string[] {
  return text === '' ? [] : text.split(',');
}

/** Codes are short (language codes); a thousand of them is more than any dataset has languages. */
const CODE_LIMITS = { length: 100, count: 1000 };
const CODES_RULE = `codes separated by commas (at most ${CODE_LIMITS.count}, each at most ${CODE_LIMITS.length} characters)`;

function isCodeList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= CODE_LIMITS.count &&
    value.every((item) => typeof item === 'string' && item.length > 0 && item.length <= CODE_LIMITS.length && !item.includes(','));
}
