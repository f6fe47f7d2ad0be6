import { constants, createCipheriv, KeyObject, publicEncrypt, randomBytes, type webcrypto } from 'node:crypto';
import { InternalError } from '../../lib/errors.js';
import { JWE_ALG, JWE_ENC } from '../../receiver/format.js';

/**
 * Plaintext fed to the cipher in pieces of this size (a multiple of 3: each piece's ciphertext encodes to base64url on
 * its own).
 */
const piece = 3 * 16 * 1024;

/** Unpadded base64url length of `n` bytes. */
export function base64urlLength(n: number): number {
  return Math.floor(n / 3) * 4 + (n % 3 === 0 ? 0 : (n % 3) + 1);
}

/** A compact JWE whose key is wrapped and whose size is known, ready to be written where its caller wants it. */
export interface PreparedCompactJwe {
  /** Bytes of the compact serialisation (ASCII). */
  size: number;
  /**
   * Encrypts the plaintext, piece by piece, straight into `out` from `at` (exactly `size` bytes) and returns
   * the authentication tag (base64url, the JWE's last segment). Once only.
   */
  writeTo(out: Buffer, at: number): string;
}

/**
 * A compact JWE `{alg: RSA-OAEP-256, enc: A256GCM, …header}` (RFC 7516), produced with node:crypto —
 * the content key wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256) by `publicEncrypt`, the content encrypted
 * by `createCipheriv('aes-256-gcm')` with the encoded protected header as additional data — rather than
 * jose's CompactEncrypt, whose WebCrypto call copies the input, returns the ciphertext with the tag appended,
 * slices it and then concatenates the segments: five copies of a 17 MB escrow copy (issue 19, F4). Here the
 * plaintext arrives in pieces (it never has to exist whole), and each piece is encrypted and its base64url
 * text written straight into the caller's buffer, so a sealed container or escrow copy is one buffer of its
 * final size, with no string of it ever made (issue 19, F4: the strings and their JSON were three more
 * copies). The result is an ordinary compact JWE, opened by jose and by python3-jwcrypto in the tests.
 */
export function prepareCompactJwe(
  plaintext: { length: number; pieces: Iterable<Uint8Array> },
  header: Record<string, string>,
  key: webcrypto.CryptoKey | KeyObject,
): PreparedCompactJwe {
  const publicKey = key instanceof KeyObject ? key : KeyObject.from(key);
  const protectedHeader = Buffer.from(JSON.stringify({ alg: JWE_ALG, enc: JWE_ENC, ...header }), 'utf8').toString(
    'base64url',
  );
  const cek = randomBytes(32);
  const iv = randomBytes(12);
  const encryptedKey = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    cek,
  );
  const cipher = createCipheriv('aes-256-gcm', cek, iv);
  cipher.setAAD(Buffer.from(protectedHeader, 'ascii'));
  cek.fill(0);
  const head = `${protectedHeader}.${encryptedKey.toString('base64url')}.${iv.toString('base64url')}.`;
  const size = head.length + base64urlLength(plaintext.length) + 1 + base64urlLength(16);

  return {
    size,
    writeTo(out, start) {
      // Invariants, not checks of input: the gateway's own code counts lengths and sizes from the same pieces
      // (escrow and sealed-message writers). A mismatch is a bug there: a 500 whose detail is withheld.
      const end = start + size;
      if (out.length < end)
        throw new InternalError(`the buffer has room for ${out.length - start} bytes, not the ${size} of the JWE`);
      let at = start + out.write(head, start, 'latin1');
      let seen = 0;
      // Ciphertext bytes that did not fill a group of 3 yet: base64url of pieces joins without seams only at multiples
      // of 3.
      let carry: Buffer = Buffer.alloc(0);
      const emit = (ciphertext: Buffer) => {
        const joined = carry.length > 0 ? Buffer.concat([carry, ciphertext]) : ciphertext;
        const whole = joined.length - (joined.length % 3);
        at += out.write(joined.subarray(0, whole).toString('base64url'), at, 'latin1');
        carry = Buffer.from(joined.subarray(whole));
      };
      for (const chunk of plaintext.pieces) {
        for (let from = 0; from < chunk.length; from += piece) {
          const part = chunk.subarray(from, from + piece);
          seen += part.length;
          emit(cipher.update(part));
        }
      }
      if (seen !== plaintext.length)
        throw new InternalError(`the plaintext had ${seen} bytes, not the ${plaintext.length} announced`);
      emit(cipher.final());
      at += out.write(carry.toString('base64url'), at, 'latin1');
      const tag = cipher.getAuthTag().toString('base64url');
      at += out.write(`.${tag}`, at, 'latin1');
      if (at !== end) throw new InternalError(`the JWE took ${at - start} bytes, not the ${size} computed`);
      return tag;
    },
  };
}

/** The compact JWE as one buffer of its exact size (ASCII). */
export function encryptCompactJweToBuffer(
  plaintext: { length: number; pieces: Iterable<Uint8Array> },
  header: Record<string, string>,
  key: webcrypto.CryptoKey | KeyObject,
): Buffer {
  const jwe = prepareCompactJwe(plaintext, header, key);
  const out = Buffer.allocUnsafe(jwe.size);
  jwe.writeTo(out, 0);
  return out;
}

/** The compact JWE as a string. */
export function encryptCompactJwe(
  plaintext: { length: number; pieces: Iterable<Uint8Array> },
  header: Record<string, string>,
  key: webcrypto.CryptoKey | KeyObject,
): string {
  return encryptCompactJweToBuffer(plaintext, header, key).toString('latin1');
}
