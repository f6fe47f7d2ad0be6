import type { NextFunction, Request, Response } from 'express';
import type { Admin } from '../../config/gateway-schema.js';
import { tokenMatches } from '../../lib/token-hash.js';
import { AmtsboteError } from '../../lib/errors.js';
import { bearerToken } from '../portal-auth.js';

/**
 * Authenticates an operator of the admin API by bearer token (hashes in gateway.yaml); a refusal is counted and audited
 * in app.ts like every API's.
 */
export function adminAuth(admins: readonly Admin[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerToken(req);
    if (!token) {
      throw new AmtsboteError('unauthenticated', 'Send an admin token as "Authorization: Bearer <token>".');
    }
    const admin = admins.find((a) => tokenMatches(token, a.tokenHashes));
    if (!admin) {
      throw new AmtsboteError('unauthenticated', 'The token is not valid.');
    }
    res.locals.admin = admin;
    next();
  };
}

export function currentAdmin(res: Response): Admin {
  return res.locals.admin as Admin;
}

export function requireEditor(res: Response): Admin {
  const admin = currentAdmin(res);
  if (admin.role !== 'editor') throw new AmtsboteError('forbidden', 'This needs the editor role.');
  return admin;
}

/** The version an editor read, from `If-Match: "7"` (quoted, as ETags are). */
export function ifMatchVersion(req: Request): number {
  const header = req.get('if-match');
  if (!header)
    throw new AmtsboteError('precondition-required', 'Send If-Match with the ETag of the version you edited.');
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) throw new AmtsboteError('precondition-failed', 'If-Match does not name a routing version.');
  return Number(match[1]);
}
