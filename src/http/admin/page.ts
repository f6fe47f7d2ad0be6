import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/**
 * The admin page's folder (`admin/` at the package root): reached from src/http/admin/ when run from source and
 * from dist/src/http/admin/ when built, so both find the same files without a copy step.
 */
export function adminPageFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../../../admin'), join(here, '../../../../admin')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`the admin page is missing (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Plain ES modules, one style sheet and two dictionaries, all from the package: no CDN, no inline script or
 * style, so the strict Content-Security-Policy below holds.
 */
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Serves the admin web page at /admin; every action on it is a call to /admin/v1. */
export function adminPage(): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });
  router.use(express.static(adminPageFolder(), { index: 'index.html', dotfiles: 'ignore', fallthrough: true }));
  return router;
}
