/**
 * Deep NFC normalisation of submission data. DIN 91379 (and its XSD types) accept composed characters only,
 * so `e` + U+0301 must become `é` before any check; doing it once at intake means every later step (checks,
 * mapping, hashes) sees the same text. Keys are normalised too, and kept as plain data whatever they are.
 */
export function normalizeNfc<T>(value: T): T {
  return normalizeValue(value) as T;
}

function normalizeValue(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(normalizeValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty: a key "__proto__" from JSON stays plain data instead of changing the prototype
      Object.defineProperty(out, key.normalize('NFC'), {
        value: normalizeValue(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}
