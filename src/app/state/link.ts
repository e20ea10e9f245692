/**
 * The experiment in a link: every setting with a link key in the settings table, a version, and what a
 * lesson hides, e.g. `#v=1&source=catalog&catalog=xquad-r&languages=de,en&...&seed=1&hide=train`.
 * Every keyed setting is written (not only those that differ from the defaults), so a link means the
 * same after the defaults change. Reading is forgiving: an unknown key, a bad value or another
 * version leaves the defaults in place for what it touches and says so in `problems`. A value is
 * judged by the settings table alone (setting-fields.ts), as a field or the stored notebook would
 * judge it, so a link never sets a value that a cell then refuses and that blocks the notebook.
 */
import { fieldsOf, settingProblem, valueAt, type Field, type Rejection } from './setting-fields';
import { sanitizeSettings, SETTINGS_TABLE, type Settings } from './settings';

export const LINK_VERSION = '1';

/** The cells a link can hide, by their element ids. */
export const HIDEABLE_CELLS = ['dataset', 'encoder', 'evaluate', 'batch-mix', 'train', 'results', 'sweep'] as const;
/** Controls a link can hide: the classroom preset button and the link bar itself. */
export const HIDEABLE_CONTROLS = ['classroom', 'link'] as const;
export type Hideable = (typeof HIDEABLE_CELLS)[number] | (typeof HIDEABLE_CONTROLS)[number];
const HIDEABLE: readonly string[] = [...HIDEABLE_CELLS, ...HIDEABLE_CONTROLS];

export interface Link {
  settings: Settings;
  hide: Hideable[];
  /** What could not be read, in words; empty when the link was read in full. */
  problems: string[];
}

const LINKED = fieldsOf(SETTINGS_TABLE).flatMap(({ path, field }) => (field.link ? [{ path, field: field as Field<unknown>, key: field.link.key }] : []));

/** The hash (with its `#`) for these settings. */
export function writeLink(settings: Settings, hide: readonly Hideable[] = []): string {
  const pairs = [['v', LINK_VERSION], ...LINKED.map(({ path, field, key }) => [key, field.link!.write(valueAt(settings, path))])];
  if (hide.length > 0) pairs.push(['hide', hide.join(',')]);
  return `#${pairs.map(([key, value]) => `${key}=${encodeLinkText(value)}`).join('&')}`;
}

/**
 * The settings a hash names; null when it names none: an empty hash, or an anchor such as `#train`
 * (no `key=value`). What a link never carries
 * (files and embeddings kept in this browser) comes from `kept`, the settings this browser has stored.
 */
export function readLink(hash: string, kept: Settings | null = null): Link | null {
  if (!isLinkHash(hash)) return null;
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: string[] = [];
  const version = params.get('v');
  if (version !== LINK_VERSION) {
    problems.push(version === null ? 'The link has no version: it may come from an older xling-lab.' : `The link is of version ${version}; this xling-lab reads version ${LINK_VERSION}.`);
  }
  const known = new Set(['v', 'hide', ...LINKED.map(({ key }) => key)]);
  const unknown = [...new Set(params.keys())].filter((key) => !known.has(key));
  if (unknown.length > 0) problems.push(`Unknown setting${unknown.length === 1 ? '' : 's'} ignored: ${unknown.join(', ')}.`);

  const input: Record<string, unknown> = {};
  for (const { path, field } of fieldsOf(SETTINGS_TABLE)) {
    if (!field.link && kept) placeAt(input, path, valueAt(kept, path));
  }
  const linkedAt = new Map<string, { field: Field<unknown>; key: string }>();
  for (const { path, field, key } of LINKED) {
    const text = params.get(key);
    linkedAt.set(path.join('.'), { field, key });
    if (text === null) continue;
    const value = field.link!.read(text);
    // A value the spelling cannot read still counts as given (and so as rejected).
    placeAt(input, path, value === undefined ? Symbol('unreadable') : value);
  }
  const rejected: Rejection[] = [];
  const settings = sanitizeSettings(input, rejected);
  // The table's words for each refused value, with the value as the link spells it (cut short when long).
  const bad = rejected.flatMap(({ path }) => {
    const linked = linkedAt.get(path);
    return linked ? [`${linked.key}: ${settingProblem(linked.field, params.get(linked.key))}`] : [];
  });
  if (bad.length > 0) problems.push(`Not valid, defaults used instead: ${bad.join('; ')}.`);

  const hideNames = (params.get('hide') ?? '').split(',').filter(Boolean);
  const unknownHidden = hideNames.filter((name) => !HIDEABLE.includes(name));
  if (unknownHidden.length > 0) problems.push(`Cannot hide ${unknownHidden.join(', ')}: a link can hide ${HIDEABLE.join(', ')}.`);
  const hide = hideNames.filter((name): name is Hideable => HIDEABLE.includes(name));
  return { settings, hide: [...new Set(hide)], problems };
}

/** Whether a hash is a settings link rather than empty or an anchor. */
export function isLinkHash(hash: string): boolean {
  return hash.includes('=');
}

function placeAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  const parent = path.slice(0, -1).reduce<Record<string, unknown>>((node, name) => (node[name] ??= {}) as Record<string, unknown>, target);
  parent[path.at(-1)!] = value;
}

/** Percent-encoding that leaves the separators of lists and model names readable. */
function encodeLinkText(text: string): string {
  return encodeURIComponent(text).replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%2F/g, '/').replace(/%40/g, '@');
}
