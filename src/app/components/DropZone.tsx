import { useState, type DragEvent, type ReactNode } from 'react';
import { droppedFiles, type DroppedFile, type Subfolders } from '../datasets/dropped-files';

/** An area that takes dropped files and folders (`subfolders`: which of their subfolders' files come too) and shows when something is dragged over it. */
export function DropZone({ onFiles, subfolders = 'none', testId, children }: { onFiles: (files: DroppedFile[]) => void; subfolders?: Subfolders; testId: string; children: ReactNode }) {
  const [dragging, setDragging] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void droppedFiles(event.dataTransfer, subfolders).then(onFiles);
  };
  return (
    <div
      className={`dropzone${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid={testId}
    >
      {children}
    </div>
  );
}
