import { useState, type DragEvent, type ReactNode } from 'react';
import { droppedFiles, type DroppedFile } from '../datasets/dropped-files';

/** An area that takes dropped files and folders (`recursive`: with their subfolders) and shows when something is dragged over it. */
export function DropZone({ onFiles, recursive = false, testId, children }: { onFiles: (files: DroppedFile[]) => void; recursive?: boolean; testId: string; children: ReactNode }) {
  const [dragging, setDragging] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void droppedFiles(event.dataTransfer, { recursive }).then(onFiles);
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
