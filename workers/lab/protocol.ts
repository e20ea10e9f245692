/**
 * The whole conversation between the notebook and the lab worker. Every command carries an `id`;
 * the worker answers with any number of `progress` events for that id, then exactly one terminal
 * event (`datasetLoaded`, `result` or `error`). `cancel` aborts the command with that id.
 */
import type { CandidateTextMode, DatasetSummary } from '../../src/core/dataset/texts';
import { DatasetError, type DatasetIssue, type LoadOptions } from '../../src/core/dataset/types';
import type { LexicalOptions } from '../../src/core/encoders/lexical';
import type { EvalProgress } from '../../src/core/evaluate';
import type { EvalReport } from '../../src/core/metrics/types';

/** Encoders the worker can build (hub ONNX models join this union later). */
export type EncoderSpec = { kind: 'lexical' } & LexicalOptions;

/**
 * Score-matrix backend: onnxruntime-web's float32 Gemm (fast, multi-threaded), or the JS kernel
 * (float64 accumulation, slower) whose scores match the Node core's `jsMatmul` bit for bit.
 */
export type ScoringChoice = 'onnxruntime' | 'js';

/** A user's file kept in IndexedDB under a key derived from its content. */
export interface StoredFile {
  name: string;
  key: string;
  size: number;
}

/** Where a dataset's files come from. */
export type FileSource =
  /** Fetched; with `cacheName`, read from and saved to that Cache API cache. */
  | { kind: 'urls'; files: { name: string; url: string }[]; cacheName?: string }
  /** Picked or dropped by the user (`name` keeps a picked folder's path); stored in IndexedDB once they load. */
  | { kind: 'picked'; files: { name: string; blob: Blob }[] }
  /** Picked earlier and stored in IndexedDB. */
  | { kind: 'stored'; files: StoredFile[] };

export type LoadProgress =
  | { phase: 'download'; done: number; total: number | null }
  | { phase: 'parse' };

export interface LoadedDataset {
  summary: DatasetSummary;
  /** Every language the files hold, whatever subset was asked for: the choices for the next load. */
  available: string[];
  warnings: DatasetIssue[];
  /** For a `picked` source: where the files now live, to load them again after a reload. */
  stored?: StoredFile[];
}

/** An Error flattened for postMessage; `issues` keeps a DatasetError's list intact. */
export interface WireError {
  name: string;
  message: string;
  issues?: DatasetIssue[];
}

export type LabCommand =
  | { type: 'loadDataset'; id: number; source: FileSource; options: LoadOptions }
  | { type: 'evaluate'; id: number; encoder: EncoderSpec; candidateText: CandidateTextMode; scoring: ScoringChoice }
  | { type: 'cancel'; id: number };

export type LabEvent =
  | { type: 'progress'; id: number; progress: LoadProgress | EvalProgress }
  | { type: 'datasetLoaded'; id: number; dataset: LoadedDataset }
  | { type: 'result'; id: number; report: EvalReport; backend: string }
  | { type: 'error'; id: number; error: WireError };

/** Which event ends each command: lets the client type its promises. */
export const LAB_REPLIES = { loadDataset: 'datasetLoaded', evaluate: 'result' } as const;
export type LabReplies = typeof LAB_REPLIES;

export function toWireError(error: unknown): WireError {
  if (error instanceof DatasetError) return { name: error.name, message: error.message, issues: error.issues };
  if (error instanceof Error || error instanceof DOMException) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The receiving side's Error: a DatasetError again when there are issues, else an Error of that name. */
export function fromWireError(wire: WireError): Error {
  if (wire.issues) return new DatasetError(wire.issues);
  return Object.assign(new Error(wire.message), { name: wire.name });
}
