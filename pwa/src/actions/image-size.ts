/** Image-size maths, kept pure so it can be tested without a canvas. */

export const MAX_EDGE = 1600;
export const JPEG_QUALITY = 0.8;

/** Scale (width, height) so the long edge is at most maxEdge; never enlarges; at least 1 px. */
export function fitWithin(width: number, height: number, maxEdge = MAX_EDGE): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 };
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** "850 B", "312 KB", "1.4 MB" — the saved size shown next to a photo. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
