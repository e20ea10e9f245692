import { useEffect, useRef, type ReactNode } from 'react';
import type { DroppedFile } from '../datasets/dropped-files';

/** A button that picks a whole folder; files come named by their path inside it (`folder/sub/file`), like a drop. */
export function FolderPicker({ onFiles, disabled, testId, children }: { onFiles: (files: DroppedFile[]) => void; disabled?: boolean; testId: string; children: ReactNode }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // React has no prop for it; the DOM property makes the picker choose a whole folder.
    if (input.current) input.current.webkitdirectory = true;
  }, []);
  return (
    <label className="button">
      <input
        type="file"
        ref={input}
        className="visually-hidden"
        data-testid={testId}
        disabled={disabled}
        onChange={(event) => {
          onFiles(Array.from(event.target.files ?? [], (file) => ({ name: file.webkitRelativePath || file.name, blob: file })));
          event.target.value = '';
        }}
      />
      {children}
    </label>
  );
}
