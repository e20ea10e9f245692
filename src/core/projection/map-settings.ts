/** The embedding map's fixed choices, shared by the notebook, its worker and the benchmark. */

/** Neighbours per point: UMAP's graph (umap-learn's default of 15, the point itself not counted) and the own-language share. */
export const MAP_NEIGHBOURS = 15;

/**
 * Layout epochs: umap-learn's choice for large data (it gives 500 to fewer than 10,000 points);
 * the layout's time is linear in them, and at 200 the language islands are as clear
 * (docs/benchmarks.md, "The embedding map").
 */
export const MAP_EPOCHS = 200;
