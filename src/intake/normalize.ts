/**
 * Every string of the data in Unicode NFC, before anything validates it: DIN 91379 and the XML schemas
 * accept only NFC, and a portal may send NFD (macOS input, copy and paste).
 */
export function normalizeData(data: Record<string, unknown>): Record<string, unknown> {
  return normalizeValue(data) as Record<string, unknown>;
}

function normalizeValue(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(normalizeValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // defineProperty: a key "__proto__" stays plain data instead of changing the prototype
      Object.defineProperty(out, key.normalize('NFC'), { value: normalizeValue(child), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
