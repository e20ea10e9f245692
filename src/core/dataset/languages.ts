import { OPTIONS, type IssueLog } from './issues';

/**
 * The dataset's language order. Without a wish it is the codes sorted by code unit (not
 * localeCompare, which varies between engines), so the CLI and the browser agree whatever order a
 * folder listing or a file picker hands the files over in. With `wanted` it is exactly that list,
 * which also drops every other language.
 *
 * `source` names where the languages came from, for the "at least two" message.
 */
export function orderLanguages(
  found: string[],
  wanted: string[] | undefined,
  source: string,
  log: IssueLog,
): string[] {
  const languages = wanted ?? [...found].sort(compareCodeUnits);
  if (wanted) checkWanted(found, wanted, log);
  if (languages.length < 2) {
    log.error(
      wanted ? OPTIONS : source,
      wanted ? 'languages' : '',
      `only one language (${languages.join(', ') || 'none'}): a dataset needs at least two languages ` +
        'to measure cross-lingual retrieval',
    );
  }
  return languages;
}

function checkWanted(found: string[], wanted: string[], log: IssueLog): void {
  const available = `available: ${[...found].sort(compareCodeUnits).join(', ')}`;
  const seen = new Set<string>();
  for (const lang of wanted) {
    if (seen.has(lang)) log.error(OPTIONS, 'languages', `language "${lang}" is listed twice`);
    else if (!found.includes(lang)) {
      log.error(OPTIONS, 'languages', `language "${lang}" is not in the dataset (${available})`);
    }
    seen.add(lang);
  }
}

/**
 * Letters first, then letters and digits, with - or _ between parts: en, fil, zh-Hans, pt_BR,
 * up to 35 characters. Codes end up as keys of the report's tables and as chart labels, so they
 * carry no markup, and none may be a property name that every plain object has (`__proto__`,
 * `constructor`, `toString`), which would vanish from, or break, the report.
 */
const LANGUAGE_CODE = /^[A-Za-z][A-Za-z0-9]*([-_][A-Za-z0-9]+)*$/;

/** Why `code` cannot be a language code, or undefined when it can. */
export function languageCodeProblem(code: string): string | undefined {
  const shown = JSON.stringify(code.length > 40 ? `${code.slice(0, 40)}…` : code);
  if (code.length > 35 || !LANGUAGE_CODE.test(code)) {
    return `${shown} is not a language code: use letters and digits, with - or _ between parts (en, zh-Hans, pt_BR), at most 35 characters`;
  }
  if (code in Object.prototype) return `${shown} is not a language code: it is a reserved name; use the language's ISO code`;
  return undefined;
}

/**
 * Codes that differ only in case (EN and en) name the same language on a case-insensitive file
 * system and to every reader: an error naming both (`where` says where each came from).
 */
export function checkCaseDuplicates(codes: string[], where: (code: string) => string, log: IssueLog, file: string): void {
  const byLowerCase = new Map<string, string>();
  for (const code of codes) {
    const first = byLowerCase.get(code.toLowerCase());
    if (first === undefined) byLowerCase.set(code.toLowerCase(), code);
    else if (first !== code) {
      log.error(file, '', `${where(first)} and ${where(code)} differ only in case: one language, two spellings; keep one (lower case, e.g. ${code.toLowerCase()})`);
    }
  }
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
