import { useRef, useState, type DragEvent } from 'react';

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer.types).includes('Files');
}

/**
 * Handlers that make an element a drop target for files, and whether files are
 * being dragged over it. Dragging over child elements fires enter/leave pairs;
 * they are counted so the outline does not flicker. Drags that carry no files
 * (text, links) are left to the browser.
 */
export function useFileDrop(onFiles: (files: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const handlers = {
    onDragEnter: (ev: DragEvent) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      depth.current += 1;
      setDragging(true);
    },
    onDragOver: (ev: DragEvent) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (ev: DragEvent) => {
      if (!hasFiles(ev)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (ev: DragEvent) => {
      ev.preventDefault();
      depth.current = 0;
      setDragging(false);
      const files = Array.from(ev.dataTransfer.files);
      if (files.length > 0) onFiles(files);
    },
  };
  return { dragging, handlers };
}
