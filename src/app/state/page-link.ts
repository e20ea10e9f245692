/**
 * A link to this page: its own origin and folder (wherever the app is hosted, e.g.
 * https://example.org/~teacher/xling-lab/), and a settings hash from link.ts.
 */
export function pageLink(hash: string, page: Pick<Location, 'origin' | 'pathname'> = location): string {
  return `${page.origin}${page.pathname}${hash}`;
}
