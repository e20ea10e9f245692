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

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
