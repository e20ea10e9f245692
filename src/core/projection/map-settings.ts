/** The embedding map's fixed choices, shared by the notebook, its worker and the benchmark. */

/** Neighbours per point: UMAP's graph (umap-learn's default of 15, the point itself not counted) and the own-language share. */
export const MAP_NEIGHBOURS = 15;
