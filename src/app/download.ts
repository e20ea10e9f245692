/** Saves a blob as a file the browser downloads. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Hands a text to the browser as a downloaded file. */
export function downloadText(fileName: string, text: string, type = 'application/json'): void {
  downloadBlob(new Blob([text], { type }), fileName);
}
