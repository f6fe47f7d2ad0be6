import { webcrypto } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { loadX509 } from '../../src/seal/lib/x509.js';
import { fixtureJwk, type Jwk } from './fixtures.js';

/** Test PKI made with @peculiar/x509 from the committed fixture keys; certificates are made per run (they expire). */
export interface TestPki {
  root: X509Certificate;
  intermediate: X509Certificate;
  foreignRoot: X509Certificate;
  /** A certificate for `publicJwk` issued by the intermediate (or by `issuer`). */
  leaf(publicJwk: Jwk, options?: LeafOptions): Promise<X509Certificate>;
  /** An intermediate without the CA flag, to show it cannot issue. */
  nonCaIntermediate: X509Certificate;
}

export interface LeafOptions {
  issuer?: 'intermediate' | 'foreign-root' | 'non-ca';
  notBefore?: Date;
  notAfter?: Date;
  keyUsage?: 'keyEncipherment' | 'digitalSignature';
}

const PSS = { name: 'RSA-PSS', hash: 'SHA-512' } as const;

async function signingKey(jwk: Jwk): Promise<webcrypto.CryptoKey> {
  const { kty, n, e, d, p, q, dp, dq, qi } = jwk as Record<string, string>;
  return webcrypto.subtle.importKey('jwk', { kty, n, e, d, p, q, dp, dq, qi }, PSS, false, ['sign']);
}

async function publicKey(jwk: Jwk): Promise<webcrypto.CryptoKey> {
  const { kty, n, e } = jwk as Record<string, string>;
  return webcrypto.subtle.importKey('jwk', { kty, n, e }, PSS, true, ['verify']);
}

export function x5cOf(...certs: X509Certificate[]): string[] {
  return certs.map((c) => Buffer.from(c.rawData).toString('base64'));
}

export async function createTestPki(): Promise<TestPki> {
  const x509 = await loadX509();
  const {
    X509CertificateGenerator,
    BasicConstraintsExtension,
    KeyUsagesExtension,
    KeyUsageFlags,
    SubjectKeyIdentifierExtension,
    AuthorityKeyIdentifierExtension,
  } = x509;
  const now = Date.now();
  const day = 86_400_000;
  const rootJwk = fixtureJwk('ca-root');
  const interJwk = fixtureJwk('ca-intermediate');
  const foreignJwk = fixtureJwk('foreign-root');
  let serial = 1;

  const ca = async (subject: string, subjectJwk: Jwk, issuerName: string, issuerJwk: Jwk, isCa: boolean) => {
    const pub = await publicKey(subjectJwk);
    const issuerPub = await publicKey(issuerJwk);
    return X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      subject,
      issuer: issuerName,
      notBefore: new Date(now - day),
      notAfter: new Date(now + 365 * day),
      signingAlgorithm: { name: 'RSA-PSS', saltLength: 64 },
      publicKey: pub,
      signingKey: await signingKey(issuerJwk),
      extensions: [
        new BasicConstraintsExtension(isCa, isCa ? 1 : undefined, true),
        // Key usages are bit flags: OR-ing two is how the library expects them.
        new KeyUsagesExtension(
          // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
          isCa ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign : KeyUsageFlags.digitalSignature,
          true,
        ),
        await SubjectKeyIdentifierExtension.create(pub),
        await AuthorityKeyIdentifierExtension.create(issuerPub),
      ],
    });
  };

  const root = await ca('CN=Amtsbote Test Root CA', rootJwk, 'CN=Amtsbote Test Root CA', rootJwk, true);
  const intermediate = await ca('CN=Amtsbote Test Issuing CA', interJwk, 'CN=Amtsbote Test Root CA', rootJwk, true);
  const nonCaIntermediate = await ca('CN=Amtsbote Test Not A CA', interJwk, 'CN=Amtsbote Test Root CA', rootJwk, false);
  const foreignRoot = await ca('CN=Foreign Root CA', foreignJwk, 'CN=Foreign Root CA', foreignJwk, true);

  return {
    root,
    intermediate,
    foreignRoot,
    nonCaIntermediate,
    async leaf(subjectJwk, options = {}) {
      const issuer = options.issuer ?? 'intermediate';
      const [issuerName, issuerJwk] =
        issuer === 'foreign-root'
          ? ['CN=Foreign Root CA', foreignJwk]
          : issuer === 'non-ca'
            ? ['CN=Amtsbote Test Not A CA', interJwk]
            : ['CN=Amtsbote Test Issuing CA', interJwk];
      const pub = await publicKey(subjectJwk);
      return X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, '0'),
        subject: `CN=${String(subjectJwk.kid)}`,
        issuer: issuerName,
        notBefore: options.notBefore ?? new Date(now - day),
        notAfter: options.notAfter ?? new Date(now + 180 * day),
        signingAlgorithm: { name: 'RSA-PSS', saltLength: 64 },
        publicKey: pub,
        signingKey: await signingKey(issuerJwk),
        extensions: [
          new BasicConstraintsExtension(false, undefined, true),
          new KeyUsagesExtension(KeyUsageFlags[options.keyUsage ?? 'keyEncipherment'], true),
          await SubjectKeyIdentifierExtension.create(pub),
          await AuthorityKeyIdentifierExtension.create(await publicKey(issuerJwk)),
        ],
      });
    },
  };
}
