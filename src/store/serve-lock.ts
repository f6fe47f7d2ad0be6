import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AmtsboteError } from '../lib/errors.js';

/** Whether a process with this id runs (signal 0 checks without signalling; EPERM: it runs, as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SQLite serves one gateway process per data dir (its outbox leases assume one claimer, and two writers would
 * only wait on each other). `serve` holds `<file>.serve-lock`, naming its process id; a second gateway is refused
 * with the data dir named, while CLI commands open the same file alongside. A lock left by a process that no
 * longer runs (killed) is taken over. Returns the release function.
 */
export function acquireServeLock(sqliteFile: string, dataDir: string): () => void {
  const lockFile = `${sqliteFile}.serve-lock`;
  mkdirSync(dirname(lockFile), { recursive: true, mode: 0o700 });
  for (let tries = 0; tries < 3; tries++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        rmSync(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(lockFile, 'utf8').trim());
    } catch {
      continue; // released between our attempt and the read: try again
    }
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new AmtsboteError(
        'invalid-config',
        `another gateway (process ${holder}) is serving the SQLite store in ${dataDir}: SQLite serves one gateway process per data dir — ` +
          'stop it, give this one another data dir, or use PostgreSQL (store: {kind: postgres}) for several instances',
      );
    }
    rmSync(lockFile, { force: true });
  }
  throw new AmtsboteError('invalid-config', `cannot take the serve lock ${lockFile} in ${dataDir}`);
}
