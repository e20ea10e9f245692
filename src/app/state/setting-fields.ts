/**
 * The building blocks of the settings table (settings.ts): a field is one user-settable value with
 * its default, its validation and, when it can travel in a link, its key and spelling there. From a
 * table of fields come the settings type (`ValuesOf`), the defaults, the sanitiser of stored settings
 * and the link codec, so none of them is a hand-kept copy of another.
 *
 * A value that fails its check falls back to the field's default, field by field; the sanitiser
 * reports which fields did (the link codec shows that to the user).
 */
import { isRecord } from '../../core/dataset/issues';

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

/**
 * Each field's value from `input` when it passes the field's check, else its default. A field absent
 * from `input` takes its default silently; `rejected` gets the path of every field present but invalid.
 */
export function checkedValues<T extends FieldTable>(table: T, input: unknown, rejected: string[] = []): ValuesOf<T> {
  return mapTable(table, (field, path) => {
    const value = valueAt(input, path);
    if (value === undefined) return field.default;
    const checked = field.check(value);
    if (checked === undefined) rejected.push(path.join('.'));
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
    link: key === null ? null : { key, write: (value) => value, read: (text) => text },
  });
}

/** An integer in [min, max]. */
export function integer(key: string, min: number, fallback: number, max = Number.MAX_SAFE_INTEGER): Field<number> {
  return number(key, fallback, (value) => Number.isInteger(value) && value >= min && value <= max);
}

/** A finite number that passes `valid`. */
export function number(key: string, fallback: number, valid: (value: number) => boolean): Field<number> {
  return field({
    default: fallback,
    check: (value) => (typeof value === 'number' && Number.isFinite(value) && valid(value) ? value : undefined),
    link: { key, write: String, read: readNumber },
  });
}

/** A positive integer, or null for "all" (spelled `all` in links). */
export function countOrAll(key: string): Field<number | null> {
  return field<number | null>({
    default: null,
    check: (value) => (value === null || (typeof value === 'number' && Number.isInteger(value) && value > 0) ? value : undefined),
    link: { key, write: (value) => (value === null ? 'all' : String(value)), read: (text) => (text === 'all' ? null : readNumber(text)) },
  });
}

export function text(key: string, fallback = ''): Field<string> {
  return field({ default: fallback, check: (value) => (typeof value === 'string' ? value : undefined), link: { key, write: (value) => value, read: (value) => value } });
}

/** A name, or null for none (spelled as nothing in links). */
export function nameOrNone(key: string): Field<string | null> {
  return field<string | null>({
    default: null,
    check: (value) => (value === null || typeof value === 'string' ? value : undefined),
    link: { key, write: (value) => value ?? '', read: (text) => text || null },
  });
}

/** Codes such as language codes, comma-separated in links. */
export function codes(key: string): Field<string[]> {
  return field({ default: [], check: (value) => (isCodeList(value) ? value : undefined), link: { key, write: (value) => value.join(','), read: splitCodes } });
}

/** Codes, or null for all of them (spelled `all` in links). */
export function codesOrAll(key: string): Field<string[] | null> {
  return field<string[] | null>({
    default: null,
    check: (value) => (value === null || isCodeList(value) ? value : undefined),
    link: { key, write: (value) => (value === null ? 'all' : value.join(',')), read: (text) => (text === 'all' ? null : splitCodes(text)) },
  });
}

/** A value kept in this browser only (stored files, picked embeddings): never in links. */
export function local<T>(fallback: T, check: (value: unknown) => T | undefined): Field<T> {
  return field({ default: fallback, check, link: null });
}

/** The tag of a tagged union member, fixed. */
export function constant<T extends string>(value: T): Field<T> {
  return field({ default: value, check: (input) => (input === value ? value : undefined), link: null });
}

function readNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

function splitCodes(text: string): string[] {
  return text === '' ? [] : text.split(',');
}

function isCodeList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0 && !item.includes(','));
}
