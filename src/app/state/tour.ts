/**
 * The guided tour's steps through the main path (load → evaluate → read the heatmap → mix → train →
 * compare), each pointing at a part of the page; and whether this browser has seen the tour, the only
 * thing about it that is kept.
 */
export interface TourStep {
  /** The element pointed at: the first of these selectors present on the page (cells can be hidden by a link). */
  targets: string[];
  title: string;
  text: string;
}

export const TOUR_STEPS: readonly TourStep[] = [
  {
    targets: ['#dataset'],
    title: 'Load a dataset',
    text: 'XQuAD-R asks the same questions in 11 languages, with the answer sentence in every language. Pick a few languages or the first K articles for a quick look, and press Load dataset.',
  },
  {
    targets: ['#evaluate'],
    title: 'Evaluate the encoder',
    text: 'Evaluate embeds every question and candidate sentence with the encoder chosen above and ranks the candidates for each question, in a worker: the page stays usable, and Cancel stops it.',
  },
  {
    targets: ['#results .chart', '#results'],
    title: 'Read the heatmap',
    text: 'Row: the question language; column: the language of the candidates it is ranked against. The diagonal is monolingual retrieval, the rest cross-lingual. A dark diagonal with pale cells around it is language bias. Hover a metric name for its definition.',
  },
  {
    targets: ['#batch-mix'],
    title: 'Mix the training batches',
    text: 'Training pairs each question with its answer. Mono batches keep both in one language, cross batches put them in two. The preview shows batches as training will draw them, coloured by language.',
  },
  {
    targets: ['#train'],
    title: 'Train a head',
    text: 'Train fine-tunes a small projection head on the frozen embeddings with this mix, and measures it on held-out articles as it goes. The result becomes a run.',
  },
  {
    targets: ['#results .compare-row', '#results'],
    title: 'Compare the runs',
    text: 'Show the trained run and compare it with the frozen encoder on the same questions: the run marked "nothing trained; evaluation side of …" (the classroom preset adds it; a comparison with a run on other questions offers it). The difference heatmap marks the cells that really changed. Below, the map of the embedding space shows whether the language islands merged.',
  },
];

const SEEN_KEY = 'xling-lab-tour-seen';

export function tourSeen(): boolean {
  try {
    return localStorage.getItem(SEEN_KEY) === '1';
  } catch {
    return false;
  }
}

export function markTourSeen(): void {
  try {
    localStorage.setItem(SEEN_KEY, '1');
  } catch {
    // Storage refused (private mode, a policy): the tour is offered again next time, nothing worse.
  }
}
