import { createLexicalEncoder } from '../core/encoders/lexical';
import type { SentenceEncoder } from '../core/encoders/types';

/** Turns a command-line encoder name into an encoder. */
export async function resolveEncoder(name: string): Promise<SentenceEncoder> {
  if (name === 'lexical') return createLexicalEncoder();
  throw new Error(`Unknown encoder '${name}'. Available here: lexical (the built-in hashed character n-gram encoder).`);
}
