import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { ConfigError } from '../../lib/errors.js';
import { packageRoot } from '../../lib/version.js';

/**
 * The admin page's folder (`admin/` at the package root), found from the package root so that the sources (the
 * tests), dist/src/ and the command's bundle (dist/bundle/) all serve the same files without a copy step.
 */
export function adminPageFolder(): string {
  const found = join(packageRoot(), 'admin');
  if (!existsSync(join(found, 'index.html'))) throw new ConfigError(`the admin page is missing (looked in ${found})`);
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
