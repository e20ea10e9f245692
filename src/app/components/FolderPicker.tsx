import type { ComponentProps } from 'react';
import { FilesPicker } from './FilesPicker';

/** A button that picks a whole folder; files come named by their path inside it (`folder/sub/file`), like a drop (all subfolders unless `subfolders` says otherwise). */
export function FolderPicker(props: Omit<ComponentProps<typeof FilesPicker>, 'folder' | 'accept'>) {
  return <FilesPicker {...props} folder />;
}
