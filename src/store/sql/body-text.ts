/**
 * A sealed body as read: text, whether it was written as text or (intake's large bodies, issue 19 F4) as
 * the bytes of its UTF-8 text, which SQLite returns as a Buffer.
 */
export function bodyText(body: string | Buffer): string {
  return typeof body === 'string' ? body : body.toString('utf8');
}
