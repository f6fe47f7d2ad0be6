/**
 * Loads @peculiar/x509 on first use, with the Reflect metadata API its dependency tsyringe needs at load
 * time. Only when a certificate is actually checked, so a gateway without `x5c` keys loads neither.
 */
export async function loadX509(): Promise<typeof import('@peculiar/x509')> {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}
