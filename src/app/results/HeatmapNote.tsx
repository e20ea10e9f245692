/** "How to read this heatmap", folded under the heatmaps. */
export function HeatmapNote() {
  return (
    <details className="heatmap-note" data-testid="heatmap-note">
      <summary>How to read this heatmap</summary>
      <ul className="small">
        <li>
          A row is the language of the questions, a column the language of the candidate sentences. Each cell ranks the row&apos;s questions against the
          column&apos;s candidates only, where each question has exactly one answer sentence; the number is the mean of 1/rank of that answer (mAP; 1 = always
          first). Hover a cell for R@1 (answer ranked first) and n (questions).
        </li>
        <li>
          The outlined diagonal is monolingual retrieval (their mean is monolingual mAP); the other cells are cross-lingual (their mean is cross-lingual
          mAP).
        </li>
        <li>
          A dark diagonal with pale cells around it: the encoder matches within a language but not across languages (the lexical baseline looks like this).
          A pale row: questions in that language are hard to answer; a pale column: answers in that language are hard to find. With the lexical encoder,
          languages that share a script (de, en, es, tr, vi) match each other far better than languages of different scripts.
        </li>
        <li>
          A cell cannot show language bias: its pool holds one language. Multilingual mAP, rank distance and own-language share (below) rank all languages in
          one pool. Blank cells have no questions (in MLQA-R a question exists in only some languages).
        </li>
        <li>In a difference heatmap, blue cells are better in the first run, red cells worse; the colour scale is symmetric around 0.</li>
      </ul>
    </details>
  );
}
