import { useEffect, useRef, type ReactNode } from 'react';
import { keepsFile, type DroppedFile, type Subfolders } from '../datasets/dropped-files';

/**
 * A button that picks several files (`accept`: their extensions), or with `folder` a whole folder;
 * files come like a drop's, a folder's named by their path inside it (`folder/sub/file`), its
 * subfolders' files as `subfolders` says (dropped-files.ts).
 */
export function FilesPicker({ onFiles, accept, folder = false, subfolders = 'all', disabled, testId, children }: {
  onFiles: (files: DroppedFile[]) => void;
  accept?: string;
  folder?: boolean;
  subfolders?: Subfolders;
  disabled?: boolean;
  testId: string;
  children: ReactNode;
}) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // React has no prop for it; the DOM property makes the picker choose a whole folder.
    if (input.current) input.current.webkitdirectory = folder;
  }, [folder]);
  return (
    <label className="button">
      <input
        type="file"
        ref={input}
        multiple={!folder}
        accept={accept}
        className="visually-hidden"
        data-testid={testId}
        disabled={disabled}
        onChange={(event) => {
          // A folder's files come with their path (`folder/sub/file`: depth 2); single files with none (depth 0).
          const kept = Array.from(event.target.files ?? []).filter((file) => keepsFile(file.name, file.webkitRelativePath.split('/').length - 1, subfolders));
          onFiles(kept.map((file) => ({ name: file.webkitRelativePath || file.name, blob: file })));
          event.target.value = '';
        }}
      />
      {children}
    </label>
  );
}
