import { createPublicKey, type KeyObject } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { recipientKeyError } from '../lib/errors.js';
import { loadX509 } from '../lib/x509.js';
import type { CertificateChainCheck } from './key-source.js';
import { KEY_PURPOSES, type KeyPurpose, type RecipientKeyPolicy } from './policy.js';

/**
 * Checks a JWK's `x5c`: the first certificate must carry the JWK's key; with trust anchors configured,
 * the chain (x5c plus anchors, built and signature-checked by @peculiar/x509) must reach an anchor,
 * every certificate up to it must be valid now, issuers must be CAs (basicConstraints, keyCertSign,
 * path length) and the leaf's key usage, when present, must fit the purpose.
 * `chainCheck` (see CertificateChainCheck) says whether the chain is required even without anchors (`required`:
 * then the key is refused) or not checked at all (`off`). Revocation (CRL, OCSP) is not checked.
 */
export async function checkX5c(
  jwk: Record<string, unknown>,
  kid: string,
  key: KeyObject,
  purpose: KeyPurpose,
  policy: RecipientKeyPolicy,
  chainCheck: CertificateChainCheck = 'policy',
): Promise<void> {
  const fail = (reason: Parameters<typeof recipientKeyError>[0], detail: string) =>
    recipientKeyError(reason, `the ${purpose} key "${kid}" ${detail}`, kid);
  const anchors = chainCheck === 'off' ? [] : policy.trustAnchors;
  if (jwk.x5c === undefined) {
    if (chainCheck === 'required')
      throw fail('x5c-missing', 'has no x5c certificate chain, which this destination requires');
    if (anchors.length > 0)
      throw fail('x5c-missing', 'has no x5c certificate chain, which trust anchors are configured to require');
    return;
  }
  if (!Array.isArray(jwk.x5c) || jwk.x5c.length === 0 || !jwk.x5c.every((c) => typeof c === 'string')) {
    throw fail('x5c-invalid', 'has an x5c that is not a non-empty array of base64 certificates');
  }
  const { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509Certificate, X509ChainBuilder } =
    await loadX509();
  let certs: X509Certificate[];
  try {
    certs = jwk.x5c.map((c) => new X509Certificate(Buffer.from(c, 'base64')));
  } catch (error) {
    throw fail('x5c-invalid', `has an unreadable x5c certificate: ${(error as Error).message}`);
  }
  const [leaf] = certs;
  if (!leaf) throw fail('x5c-invalid', 'has an empty x5c');
  let leafKey: KeyObject;
  try {
    leafKey = createPublicKey({ key: Buffer.from(leaf.publicKey.rawData), format: 'der', type: 'spki' });
  } catch (error) {
    throw fail('x5c-invalid', `has an x5c certificate with an unreadable public key: ${(error as Error).message}`);
  }
  if (!leafKey.equals(key)) throw fail('x5c-key-mismatch', 'differs from the public key of its x5c certificate');
  if (anchors.length === 0) {
    if (chainCheck === 'required')
      throw fail(
        'x5c-untrusted',
        'cannot be checked: its destination requires a certificate chain to a trust anchor and none is configured (gateway.yaml recipientKeys.trustAnchors)',
      );
    return;
  }

  const chain = [...(await new X509ChainBuilder({ certificates: [...certs.slice(1), ...anchors] }).build(leaf))];
  const anchorPrints = new Set(
    await Promise.all(anchors.map(async (a) => Buffer.from(await a.getThumbprint()).toString('hex'))),
  );
  const chainPrints = await Promise.all(chain.map(async (c) => Buffer.from(await c.getThumbprint()).toString('hex')));
  const anchorAt = chainPrints.findIndex((p) => anchorPrints.has(p));
  if (anchorAt < 0) {
    throw fail(
      'x5c-untrusted',
      `has a certificate chain (${chain.map((c) => c.subject).join(' ← ')}) that reaches none of the configured trust anchors`,
    );
  }
  const now = (policy.clock ?? (() => new Date()))();
  for (const cert of chain.slice(0, anchorAt + 1)) {
    if (now < cert.notBefore || now > cert.notAfter) {
      throw fail(
        'x5c-not-valid-now',
        `has a certificate that is not valid now: ${cert.subject} (${cert.notBefore.toISOString()} – ${cert.notAfter.toISOString()})`,
      );
    }
  }
  for (const [below, issuer] of chain.slice(1, anchorAt + 1).entries()) {
    const constraints = issuer.getExtension(BasicConstraintsExtension);
    if (!constraints?.ca) throw fail('x5c-not-a-ca', `has an issuing certificate that is not a CA: ${issuer.subject}`);
    if (constraints.pathLength !== undefined && below > constraints.pathLength) {
      throw fail('x5c-not-a-ca', `exceeds the path length of ${issuer.subject}`);
    }
    const usage = issuer.getExtension(KeyUsagesExtension);
    if (usage && (usage.usages & KeyUsageFlags.keyCertSign) === 0)
      throw fail('x5c-not-a-ca', `has an issuer without keyCertSign: ${issuer.subject}`);
  }
  const leafUsage = leaf.getExtension(KeyUsagesExtension);
  const needed = KeyUsageFlags[KEY_PURPOSES[purpose].certUsage];
  if (leafUsage && (leafUsage.usages & needed) === 0) {
    throw fail('x5c-invalid', `has a certificate whose key usage does not include ${KEY_PURPOSES[purpose].certUsage}`);
  }
}
