/**
 * The lab worker's state and command handlers: it holds the loaded dataset (so that big data never
 * travels back to the page) and runs evaluations, mix previews and trainings (training.ts), each
 * cancellable through its own AbortController.
 */
import { MAX_ISSUES } from '../../src/core/dataset/issues';
import { isDatasetFileName, languagesFromFileNames, loadDataset } from '../../src/core/dataset/load';
import { datasetSummary } from '../../src/core/dataset/texts';
import type { Dataset, DatasetFile, DatasetIssue, LoadOptions } from '../../src/core/dataset/types';
import { evaluateDataset } from '../../src/core/evaluate';
import { comparePaired } from '../../src/core/stats/paired';
import type { Service } from '../rpc';
import { embeddingFit, listEmbeddingSets, removeEmbeddingSet, storeEmbeddingFiles } from './embedding-files';
import { LabEncoders } from './encoders';
import { decodeBrowserDatasetFiles } from './dataset-bytes';
import { fetchTextFiles } from './fetch-files';
import { browserFilesProblem } from '../../src/core/job-size';
import { readStoredFiles, storePickedFiles } from './file-store';
import { RateMeter } from '../../src/core/progress';
import { describeModelDevice } from '../../src/core/encoders/model-spec';
import { type EvaluateProgress, type FileSource, type LabCommand, type LabEvent, type LabNotice, type LabProtocol, type LoadedDataset, type StoredFile } from './protocol';
import { scoringBackend } from './scoring-backend';
import { TrainingLab } from './training';
import { projectMap } from './map';
import { exportTunedFolder } from './layer-tuning';

type Post = (event: LabEvent) => void;

/** The raw files of the last source, so that a new subset of it needs no second download. */
interface SourceFiles {
  key: string;
  files: DatasetFile[];
  /** Every language in the files, found on the first load. */
  available?: string[];
}

export function createLab(post: Post): Service<LabProtocol> {
  let dataset: Dataset | null = null;
  let lastSource: SourceFiles | null = null;
  const encoders = new LabEncoders(loadedDataset);
  const training = new TrainingLab(encoders);

  function loadedDataset(): Dataset {
    if (!dataset) throw new Error('No dataset is loaded: load one in the Dataset cell first.');
    return dataset;
  }

  async function readSource(source: FileSource, id: number, signal: AbortSignal): Promise<SourceFiles> {
    const key = sourceKey(source);
    if (key !== null && key === lastSource?.key) return lastSource;
    let files: DatasetFile[];
    if (source.kind === 'urls') {
      files = await fetchTextFiles(source.files, {
        cacheName: source.cacheName,
        signal,
        onProgress: ({ done, total }) => post({ type: 'progress', id, progress: { phase: 'download', done, total } }),
      });
    } else if (source.kind === 'stored') {
      files = await readStoredFiles(source.files);
    } else {
      // Checked before a byte is read: a file too big fails with the limit, not deep inside IndexedDB.
      const sizeProblem = browserFilesProblem(source.files.filter(({ name }) => isDatasetFileName(name)).map(({ name, blob }) => ({ name, size: blob.size })));
      if (sizeProblem) throw new Error(sizeProblem);
      files = await decodeBrowserDatasetFiles(await Promise.all(source.files.map(async ({ name, blob }) => ({
        name,
        bytes: isDatasetFileName(name) ? new Uint8Array(await blob.arrayBuffer()) : null,
      }))));
    }
    return { key: key ?? '', files };
  }

  async function handleLoad(command: Extract<LabCommand, { type: 'loadDataset' }>, signal: AbortSignal): Promise<void> {
    const source = await readSource(command.source, command.id, signal);
    post({ type: 'progress', id: command.id, progress: { phase: 'parse' } });
    const loaded = loadDataset(source.files, command.options);
    source.available ??= availableLanguages(source.files, loaded, command.options);
    // Only a pick that loads is worth keeping (a broken one must not replace the stored dataset), and only its data files.
    const kept = command.source.kind === 'picked' ? await keepPickedFiles(source.files.filter((f) => isDatasetFileName(f.name))) : undefined;
    const stored = kept && 'stored' in kept ? kept.stored : undefined;
    lastSource = stored ? { ...source, key: storedKey(stored) } : source;
    dataset = loaded;
    const notKept = kept && 'notKept' in kept ? [kept.notKept] : [];
    const summary = datasetSummary(loaded);
    const result: LoadedDataset = {
      summary: { ...summary, warnings: summary.warnings + notKept.length },
      available: source.available,
      warnings: [...notKept, ...(loaded.warnings?.slice(0, MAX_ISSUES) ?? [])],
      stored,
    };
    post({ type: 'datasetLoaded', id: command.id, dataset: result });
  }

  async function handleEvaluate(command: Extract<LabCommand, { type: 'evaluate' }>, signal: AbortSignal): Promise<void> {
    const evaluated = loadedDataset();
    const backend = await scoringBackend(command.scoring);
    const meter = new RateMeter();
    const paced = (progress: EvaluateProgress) =>
      post({ type: 'progress', id: command.id, progress: { ...progress, pace: meter.update(progress.phase, progress.done, progress.total, performance.now()) } });
    const { encoder, info, where, streaming } = await encoders.open(command.encoder, signal, (done, total) => paced({ phase: 'download-model', done, total }), command.ranking);
    const encoderDevice = info ? describeModelDevice(info) : (where ?? 'lab worker, CPU');
    const candidateBlock = streaming ? command.ranking.block : undefined;
    const { report, embeddings } = await evaluateDataset(evaluated, encoder, {
      matmul: backend.matmul,
      candidateText: command.candidateText,
      streaming,
      candidateBlock,
      signal,
      onProgress: (progress) => paced(progress.phase === 'score' ? { ...progress, device: backend.name(), candidateBlock } : { ...progress, device: encoderDevice }),
    });
    training.rememberEncoding(evaluated, command.encoder, command.candidateText, embeddings, encoder.id);
    const path = streaming ? `; streamed in blocks of ${command.ranking.block.toLocaleString('en')} candidates` : '';
    post({ type: 'result', id: command.id, report, backend: `${backend.name()}${path}`, model: info });
  }

  async function handlePreview(command: Extract<LabCommand, { type: 'previewMix' }>): Promise<void> {
    post({ type: 'mixPreview', id: command.id, preview: training.preview(loadedDataset(), command.split, command.config) });
  }

  async function handleTrain(command: Extract<LabCommand, { type: 'train' }>, signal: AbortSignal): Promise<void> {
    const { outcome, head, layers } = await training.train(loadedDataset(), command.request, command.id, signal, (progress) =>
      post({ type: 'progress', id: command.id, progress }),
    );
    post({ type: 'trained', id: command.id, outcome, head, ...(layers ? { layers } : {}) });
  }

  async function handleEvaluateHead(command: Extract<LabCommand, { type: 'evaluateHead' }>, signal: AbortSignal): Promise<void> {
    const evaluation = await training.evaluateHead(loadedDataset(), command.head, command.request, signal, (progress) =>
      post({ type: 'progress', id: command.id, progress }),
    );
    post({ type: 'headEvaluated', id: command.id, evaluation });
  }

  /** Embedding files: stored, listed, removed, and checked against the loaded dataset (embedding-files.ts). */
  async function handleEmbeddings(command: Extract<LabCommand, { type: 'storeEmbeddings' | 'listEmbeddings' | 'removeEmbeddings' | 'checkEmbeddings' }>): Promise<void> {
    const { id } = command;
    const fit = async (key: string) => (dataset ? embeddingFit(key, dataset) : null);
    switch (command.type) {
      case 'storeEmbeddings': {
        const stored = await storeEmbeddingFiles(command.name, command.files);
        return post({ type: 'embeddingsStored', id, set: stored, fit: await fit(stored.key) });
      }
      case 'checkEmbeddings':
        return post({ type: 'embeddingsChecked', id, fit: await fit(command.key) });
      case 'removeEmbeddings':
        await removeEmbeddingSet(command.key);
        return post({ type: 'embeddingsListed', id, sets: await listEmbeddingSets() });
      case 'listEmbeddings':
        return post({ type: 'embeddingsListed', id, sets: await listEmbeddingSets() });
    }
  }

  async function handleCompareRuns(command: Extract<LabCommand, { type: 'compareRuns' }>): Promise<void> {
    const { id, a, b, resamples, seed } = command;
    const comparison = comparePaired(a, b, { resamples, seed, onProgress: (done, total) => post({ type: 'progress', id, progress: { phase: 'compare', done, total } }) });
    post({ type: 'compared', id, comparison });
  }

  async function handleProjectMap(command: Extract<LabCommand, { type: 'projectMap' }>, signal: AbortSignal): Promise<void> {
    const map = await projectMap(loadedDataset(), command.request, training, encoders, signal, (progress) => post({ type: 'progress', id: command.id, progress }));
    post({ type: 'mapProjected', id: command.id, map });
  }

  function run(command: Exclude<LabCommand, { type: 'cancel' }>, signal: AbortSignal): Promise<void> {
    switch (command.type) {
      case 'loadDataset':
        return handleLoad(command, signal);
      case 'evaluate':
        return handleEvaluate(command, signal);
      case 'previewMix':
        return handlePreview(command);
      case 'train':
        return handleTrain(command, signal);
      case 'evaluateHead':
        return handleEvaluateHead(command, signal);
      case 'exportModel':
        return exportTunedFolder(command.spec, command.layers).then((zip) => post({ type: 'modelExported', id: command.id, zip }));
      case 'storeEmbeddings':
      case 'listEmbeddings':
      case 'removeEmbeddings':
      case 'checkEmbeddings':
        return handleEmbeddings(command);
      case 'compareRuns':
        return handleCompareRuns(command);
      case 'projectMap':
        return handleProjectMap(command, signal);
    }
  }

  function notice(message: LabNotice, ports: readonly MessagePort[]): void {
    if (message.type === 'controlTraining') training.control(message.id, message.control);
    else encoders.connect(ports[0], message.lost);
  }
  return { run, notice };
}

/**
 * Keeps a pick in IndexedDB for the next visit. A browser that refuses (storage full, private
 * mode) does not fail the load: the dataset is loaded for this visit, with a warning that says so.
 */
async function keepPickedFiles(files: DatasetFile[]): Promise<{ stored: StoredFile[] } | { notKept: DatasetIssue }> {
  try {
    return { stored: await storePickedFiles(files) };
  } catch (error) {
    const full = error instanceof DOMException && error.name === 'QuotaExceededError';
    const why = full ? 'the browser has no room left for this site: free space (remove cached models in the Encoder cell), then pick them again'
      : `the browser refused to store them: ${String(error)}; pick them again after a reload`;
    return { notKept: { file: files.map((file) => file.name).join(', '), place: '', message: `loaded, but not kept for the next visit (${why})` } };
  }
}

/** Identifies a source whose files can be reused; null for a fresh pick. */
function sourceKey(source: FileSource): string | null {
  if (source.kind === 'urls') return source.files.map((f) => f.url).join('\n');
  if (source.kind === 'stored') return storedKey(source.files);
  return null;
}

function storedKey(files: { name: string; key: string }[]): string {
  return files.map((f) => `${f.name}=${f.key}`).join('\n');
}

/**
 * LAReQA files name their language. JSONL languages are known only by parsing: those of the loaded
 * dataset, or of a second, unfiltered parse when a language subset hid some.
 */
function availableLanguages(files: DatasetFile[], loaded: Dataset, options: LoadOptions): string[] {
  const named = languagesFromFileNames(files.map((f) => f.name));
  if (named) return named;
  return options.languages ? loadDataset(files, { ...options, languages: undefined }).languages : loaded.languages;
}
