import helmet from 'helmet';

/**
 * Security headers on every response (helmet), with a Content-Security-Policy strict enough for the admin
 * page: scripts, styles, images and fetches from the gateway itself only, nothing inline, no frames, no
 * plugins, forms only to the gateway. The API answers JSON, for which the same policy costs nothing.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // Same-origin only: the API is not for browsers of other sites (portals call it server to server).
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS is the TLS terminator's business (the gateway itself speaks HTTP behind it); harmless where ignored.
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  });
}
