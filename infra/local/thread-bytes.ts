/**
 * The bytes of `view` in an ArrayBuffer of their own: `view` itself when it spans its whole
 * buffer, else a copy. Structured cloning (`postMessage`) copies a typed array's entire buffer, and
 * a small Node.js Buffer is a view into a shared 8 KiB pool, so a 100-byte request body would cross
 * the thread boundary as 8 KiB.
 */
export function ownBytes(view: Uint8Array): Uint8Array {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength
    ? view
    : new Uint8Array(view);
}
