import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AmtsboteError, joinPointer, type FieldError } from '../lib/errors.js';
import { secretRefSchema } from '../lib/secret-ref.js';
import type { ConfigFiles } from './load.js';
import type { Routing } from './routing-schema.js';

/** A setting that names a secret: where it is written, and what it references. */
interface SecretSetting {
  file: string;
  path: (string | number)[];
  /** `env:NAME` / `file:path`, or (gateway keys) a plain path to a key file. */
  reference: string;
  /** Private keys and the HMAC secret: the file must be readable by its owner only. */
  keyMaterial: boolean;
}

/** A secret that cannot be read as the gateway will read it, named by file and setting. */
export interface SecretProblem extends FieldError {
  file: string;
}

/**
 * Every secret gateway.yaml names — read at start (hmacSecret, keys, the database URL, the metrics token) or
 * only when a callback is sent (portals' callback secrets) — resolved now, so that `config check` and the start
 * catch a missing one, not the first callback.
 */
export function gatewaySecretProblems(config: ConfigFiles, env: NodeJS.ProcessEnv = process.env): SecretProblem[] {
  const file = config.configFile;
  const g = config.gateway;
  const settings: SecretSetting[] = [];
  if (g.hmacSecret) settings.push({ file, path: ['hmacSecret'], reference: g.hmacSecret, keyMaterial: true });
  if (g.store.kind === 'postgres' && isReference(g.store.url))
    settings.push({ file, path: ['store', 'url'], reference: g.store.url, keyMaterial: false });
  if (g.metrics?.token)
    settings.push({ file, path: ['metrics', 'token'], reference: g.metrics.token, keyMaterial: false });
  g.portals.forEach((p, i) => {
    if (p.callback)
      settings.push({
        file,
        path: ['portals', i, 'callback', 'secret'],
        reference: p.callback.secret,
        keyMaterial: false,
      });
  });
  g.fitConnectSubscribers.forEach((client, i) => {
    settings.push({
      file,
      path: ['fitConnectSubscribers', i, 'clientSecret'],
      reference: client.clientSecret,
      keyMaterial: false,
    });
    client.destinations.forEach((d, j) => {
      const at = ['fitConnectSubscribers', i, 'destinations', j];
      if (d.callbackSecret)
        settings.push({ file, path: [...at, 'callbackSecret'], reference: d.callbackSecret, keyMaterial: false });
      settings.push({ file, path: [...at, 'signingKey'], reference: `file:${d.signingKey}`, keyMaterial: true });
      d.decryptionKeys.forEach((k, n) =>
        settings.push({ file, path: [...at, 'decryptionKeys', n], reference: `file:${k}`, keyMaterial: true }),
      );
    });
  });
  for (const purpose of ['signing', 'escrow'] as const) {
    g.keys?.[purpose].forEach((k, i) =>
      settings.push({ file, path: ['keys', purpose, i, 'file'], reference: `file:${k.file}`, keyMaterial: true }),
    );
  }
  return problemsOf(settings, config.configDir, env);
}

/**
 * The destinations' secrets (webhook secrets, client secrets, broker URLs), which only a delivery would read.
 * `routing` is the routing in force: the store's at start, the file's in `config check`; `source` names it.
 */
export function routingSecretProblems(
  config: ConfigFiles,
  routing: Routing,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): SecretProblem[] {
  const settings: SecretSetting[] = [];
  routing.destinations.forEach((d, i) => {
    collectReferences(d, ['destinations', i], source, settings);
  });
  return problemsOf(settings, config.configDir, env);
}

function problemsOf(settings: SecretSetting[], configDir: string, env: NodeJS.ProcessEnv): SecretProblem[] {
  return settings.flatMap((s) => {
    const detail = unreadable(s, configDir, env);
    return detail === undefined ? [] : [{ file: s.file, pointer: joinPointer(...s.path), detail }];
  });
}

/** Throws the problems as one `invalid-config` error, one line per setting (what start-up and `config check` print). */
export function assertSecretsReadable(problems: readonly SecretProblem[]): void {
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  ${p.file}: ${p.pointer}: ${p.detail}`).join('\n');
  throw new AmtsboteError(
    'invalid-config',
    `${problems.length === 1 ? 'a secret' : `${problems.length} secrets`} cannot be read:\n${lines}`,
    [...problems],
    { file: problems[0]?.file },
  );
}

function isReference(value: string): boolean {
  return secretRefSchema.safeParse(value).success;
}

/**
 * Secret references anywhere in a destination (adapters keep theirs under their own names: webhookSecret, clientSecret,
 * url).
 */
function collectReferences(value: unknown, path: (string | number)[], file: string, into: SecretSetting[]): void {
  if (typeof value === 'string') {
    if (isReference(value)) into.push({ file, path, reference: value, keyMaterial: false });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      collectReferences(item, [...path, i], file, into);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) collectReferences(item, [...path, key], file, into);
  }
}

/** Why the secret cannot be read as the gateway reads it (lib/secret-ref.ts), or undefined when it can. */
function unreadable(setting: SecretSetting, configDir: string, env: NodeJS.ProcessEnv): string | undefined {
  const { reference } = setting;
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    return env[name] === undefined || env[name] === '' ? `the environment variable ${name} is not set` : undefined;
  }
  const path = resolve(configDir, reference.slice(5));
  let mode: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return `${path} is not a file`;
    if (stat.size === 0) return `${path} is empty`;
    mode = stat.mode;
    accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? 'error'})`;
  }
  if (setting.keyMaterial && (mode & 0o077) !== 0) {
    return `${path} is key material but readable by others (mode ${(mode & 0o777).toString(8)}): make it owner-only (chmod 600)`;
  }
  return undefined;
}
