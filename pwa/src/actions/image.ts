/** Shrink a photo on the phone before it is queued: long edge 1600 px, JPEG 0.8, no metadata. */
import { fitWithin, JPEG_QUALITY, MAX_EDGE } from './image-size';

export interface ShrunkPhoto {
  bytes: ArrayBuffer;
  type: string;
  width: number;
  height: number;
  originalSize: number;
}

/** Decode (upright, per EXIF orientation), scale and re-encode; the original is kept only if it cannot be decoded. */
export async function shrinkPhoto(file: Blob): Promise<ShrunkPhoto> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    // Not decodable here (e.g. HEIC on some browsers): send as is, the server decides.
    return { bytes: await file.arrayBuffer(), type: file.type || 'application/octet-stream', width: 0, height: 0, originalSize: file.size };
  }
  const { width, height } = fitWithin(bitmap.width, bitmap.height, MAX_EDGE);
  const blob = await encodeJpeg(bitmap, width, height);
  bitmap.close();
  return { bytes: await blob.arrayBuffer(), type: 'image/jpeg', width, height, originalSize: file.size };
}

async function encodeJpeg(bitmap: ImageBitmap, width: number, height: number): Promise<Blob> {
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (context) {
      context.drawImage(bitmap, 0, 0, width, height);
      return canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('canvas 2d unavailable');
  context.drawImage(bitmap, 0, 0, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/jpeg', JPEG_QUALITY),
  );
}
