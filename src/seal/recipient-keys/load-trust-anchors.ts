import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { X509Certificate } from '@peculiar/x509';
import { gatewayKeyError } from '../lib/errors.js';
import { loadX509 } from '../lib/x509.js';

/** Reads PEM files (each may hold several certificates) of trust anchors for recipient keys' `x5c` chains. */
export async function loadTrustAnchors(files: readonly string[], baseDir: string): Promise<X509Certificate[]> {
  if (files.length === 0) return [];
  const { PemConverter, X509Certificate } = await loadX509();
  return files.flatMap((f) => {
    const file = resolve(baseDir, f);
    try {
      const blocks = PemConverter.decodeWithHeaders(readFileSync(file, 'utf8')).filter(
        (b) => b.type === PemConverter.CertificateTag,
      );
      if (blocks.length === 0) throw gatewayKeyError('no PEM certificate found');
      return blocks.map((b) => new X509Certificate(b.rawData));
    } catch (error) {
      throw gatewayKeyError(`trust anchor file ${file}: ${(error as Error).message}`);
    }
  });
}
