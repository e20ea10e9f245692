import { IssueLog } from './issues';
import type { DatasetFile } from './types';

/**
 * Dataset files are UTF-8. Decoding replaces invalid bytes with U+FFFD without a word, which
 * would change texts (and ids) silently; here they are an error naming the file, the byte and the
 * line. Files that are not data (LICENSE, README) are handed over with no text, unread.
 */
export function decodeDatasetFiles(files: Array<{ name: string; bytes: Uint8Array | null }>): DatasetFile[] {
  const log = new IssueLog();
  const decoded = files.map(({ name, bytes }) => {
    if (bytes === null) return { name, text: '' };
    try {
      return { name, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      const at = firstInvalidByte(bytes);
      const line = bytes.subarray(0, at).reduce((lines, byte) => lines + (byte === 0x0a ? 1 : 0), 1);
      log.error(name, `line ${line}, byte ${at}`, 'not valid UTF-8: save the file as UTF-8 (its texts would otherwise change without a word)');
      return { name, text: '' };
    }
  });
  log.throwIfErrors();
  return decoded;
}

/**
 * The smallest prefix a streaming decoder refuses ends at the byte that broke a sequence (a
 * sequence cut off at the end of a prefix is not an error while streaming, so refusal grows with
 * the prefix); that sequence starts at the last point, at most 3 bytes earlier, where the text
 * before is whole UTF-8.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  const decodes = (length: number, stream: boolean) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream });
      return true;
    } catch {
      return false;
    }
  };
  let low = 1;
  let high = bytes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (decodes(middle, middle < bytes.length)) low = middle + 1;
    else high = middle;
  }
  let start = low - 1;
  while (start > Math.max(0, low - 4) && !decodes(start, false)) start--;
  return start;
}
