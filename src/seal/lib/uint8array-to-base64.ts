/**
 * `Uint8Array.prototype.toBase64` (ECMAScript 2026) where the runtime lacks it (Node 20, 22), backed by
 * Buffer. jose encodes every JWE segment with it when it exists; without it jose falls back to a binary
 * string, `btoa` and three `replace` passes — five strings of up to 4/3 the size of the ciphertext at once,
 * which made a 23 MB submission cost about 125 MB while it was sealed (issue 19, F4). Only encoding is
 * provided: decoding stays jose's own strict fallback, since Buffer's decoder skips invalid characters.
 */
type ToBase64Options = { alphabet?: 'base64' | 'base64url'; omitPadding?: boolean };

export function installUint8ArrayToBase64(): void {
  const proto = Uint8Array.prototype as Uint8Array & { toBase64?: (options?: ToBase64Options) => string };
  if (typeof proto.toBase64 === 'function') return;
  Object.defineProperty(Uint8Array.prototype, 'toBase64', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function toBase64(this: unknown, options: ToBase64Options = {}): string {
      if (!(this instanceof Uint8Array)) throw new TypeError('toBase64 called on a value that is not a Uint8Array');
      // Options come from any caller at run time, whatever their declared type.
      const alphabet: string = options.alphabet ?? 'base64';
      if (alphabet !== 'base64' && alphabet !== 'base64url')
        throw new TypeError('alphabet must be "base64" or "base64url"');
      const bytes = Buffer.from(this.buffer, this.byteOffset, this.byteLength);
      // Buffer's base64url never pads; its base64 always does.
      if (alphabet === 'base64url')
        return options.omitPadding ? bytes.toString('base64url') : padded(bytes.toString('base64url'));
      const text = bytes.toString('base64');
      return options.omitPadding ? text.replace(/=+$/, '') : text;
    },
  });
}

function padded(text: string): string {
  return text.length % 4 === 0 ? text : text + '='.repeat(4 - (text.length % 4));
}
