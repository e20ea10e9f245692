/**
 * Curated multilingual sentence encoders with transformers.js ONNX exports on the Hugging Face hub,
 * and how each must be used: pooling and query/passage prefixes come from the model cards (design.md:
 * prefixes are per model). Sizes are the download of each weight format, rounded.
 */
import type { Pooling } from './transformer';

export interface CatalogModel {
  /** Hub id of the transformers.js (ONNX) export. */
  id: string;
  /** The original model, for people who know it by that name. */
  original: string;
  label: string;
  params: string;
  dim: number;
  languages: string;
  pooling: Pooling;
  queryPrefix: string;
  passagePrefix: string;
  /** Approximate download in MB for fp32 and q8 (onnx/model.onnx, onnx/model_quantized.onnx). */
  sizeMb: { fp32: number; q8: number };
  note: string;
}

export const MODEL_CATALOG: readonly CatalogModel[] = [
  {
    id: 'Xenova/paraphrase-multilingual-MiniLM-L12-v2',
    original: 'sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2',
    label: 'paraphrase-multilingual-MiniLM-L12-v2',
    params: '118M',
    dim: 384,
    languages: '50+ languages',
    pooling: 'mean',
    queryPrefix: '',
    passagePrefix: '',
    sizeMb: { fp32: 470, q8: 118 },
    note: 'Distilled on parallel paraphrases: the small, fast baseline.',
  },
  {
    id: 'Xenova/multilingual-e5-small',
    original: 'intfloat/multilingual-e5-small',
    label: 'multilingual-e5-small',
    params: '118M',
    dim: 384,
    languages: '~100 languages',
    pooling: 'mean',
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    sizeMb: { fp32: 470, q8: 118 },
    note: "Contrastively pre-trained for retrieval; needs the 'query: ' / 'passage: ' prefixes.",
  },
  {
    id: 'Xenova/multilingual-e5-base',
    original: 'intfloat/multilingual-e5-base',
    label: 'multilingual-e5-base',
    params: '278M',
    dim: 768,
    languages: '~100 languages',
    pooling: 'mean',
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    sizeMb: { fp32: 1110, q8: 279 },
    note: "The larger e5: better retrieval, about three times slower than small; same prefixes.",
  },
  {
    id: 'Xenova/LaBSE',
    original: 'sentence-transformers/LaBSE',
    label: 'LaBSE',
    params: '471M',
    dim: 768,
    languages: '109 languages',
    pooling: 'cls',
    queryPrefix: '',
    passagePrefix: '',
    sizeMb: { fp32: 1890, q8: 474 },
    note: 'Translation-pair dual encoder (the paper fine-tunes it): strong alignment across languages. CLS pooling.',
  },
];

export function catalogModel(id: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((model) => model.id === id || model.original === id);
}
