/**
 * Moving bytes between threads without a copy. A Buffer that is the whole of its ArrayBuffer moves (the sender's
 * view is detached afterwards); a small one shares node's 8 KB pool slab with unrelated Buffers, so moving its
 * ArrayBuffer would detach theirs too: it is copied instead, which costs next to nothing at that size.
 */
export function movableBuffer(bytes: Uint8Array): ArrayBuffer | undefined {
  const { buffer } = bytes;
  if (!(buffer instanceof ArrayBuffer)) return undefined;
  return bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && buffer.byteLength > 0 ? buffer : undefined;
}

/** The ArrayBuffers of `values` that can move (each once: postMessage refuses a duplicate). */
export function movableBuffers(values: Iterable<unknown>): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  for (const value of values) {
    if (!(value instanceof Uint8Array)) continue;
    const buffer = movableBuffer(value);
    if (buffer) found.add(buffer);
  }
  return [...found];
}

/** Structured clone gives a Uint8Array back for a Buffer: the same bytes as a Buffer again, without a copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function asBuffers(contents: ReadonlyMap<string, Uint8Array>): Map<string, Buffer> {
  return new Map([...contents].map(([id, bytes]) => [id, asBuffer(bytes)]));
}
