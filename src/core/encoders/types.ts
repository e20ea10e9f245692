/** Whether a text is a query or a passage: models may prefix them differently (design.md). */
export type TextRole = 'query' | 'passage';

export interface EncodeOptions {
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; an aborted signal makes `encode` reject with an AbortError. */
  signal?: AbortSignal;
}

/** A sentence encoder: texts in, L2-normalised row-major embeddings out (`texts.length x dim`). */
export interface SentenceEncoder {
  /** Stable identifier, also the CLI name (`lexical`, `onnx:<folder>`, `hf:<id>`). */
  readonly id: string;
  readonly dim: number;
  encode(texts: string[], role: TextRole, options?: EncodeOptions): Promise<Float32Array>;
}
