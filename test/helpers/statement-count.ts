import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/** What one HTTP request made the stores do. */
export interface StatementTally {
  /** Every statement sent, in order, with its database ('file', 'memory' or 'postgres'). */
  statements: { database: string; sql: string }[];
  /** Commits that make writes durable: COMMITs, and write statements run outside a transaction. */
  durableCommits: number;
}

const current = new AsyncLocalStorage<StatementTally>();

/**
 * Counts the statements each HTTP request of this process causes on SQLite (better-sqlite3's statements) and
 * PostgreSQL (pg's `Client#query`), attributed by async context: a statement belongs to the request whose
 * handling led to it, so the gateway's timers and workers in the same process are not counted. Reads
 * `tallies` after the responses; `restore()` undoes the wrapping.
 */
export function countStatements(): { tallies: StatementTally[]; restore(): void } {
  const tallies: StatementTally[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, on its prototype
  const serverEmit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
    const emit = serverEmit as (this: http.Server, event: string, ...args: unknown[]) => boolean;
    if (event !== 'request') return emit.call(this, event, ...args);
    const tally: StatementTally = { statements: [], durableCommits: 0 };
    tallies.push(tally);
    return current.run(tally, () => emit.call(this, event, ...args));
  } as typeof serverEmit;

  // better-sqlite3's Statement class is not exported: reach it through a statement.
  const probe = new BetterSqlite3(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  const originals = new Map<string, unknown>();
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statementProto[method] as (this: BetterSqlite3.Statement, ...args: unknown[]) => unknown;
    originals.set(method, original);
    statementProto[method] = function (this: BetterSqlite3.Statement, ...args: unknown[]) {
      const tally = current.getStore();
      if (tally) {
        const memory = this.database.memory;
        tally.statements.push({ database: memory ? 'memory' : 'file', sql: this.source });
        const word = firstWord(this.source);
        if (!memory && (word === 'commit' || (!this.reader && !this.database.inTransaction && word !== 'begin')))
          tally.durableCommits++;
      }
      return original.apply(this, args);
    };
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, on its prototype
  const clientQuery = pg.Client.prototype.query;
  const inTransaction = new WeakSet<pg.Client>();
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const tally = current.getStore();
    const config = args[0];
    const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
    if (tally && text !== undefined) {
      tally.statements.push({ database: 'postgres', sql: text });
      const word = firstWord(text);
      if (word === 'begin') inTransaction.add(this);
      else if (word === 'commit' || word === 'rollback') {
        inTransaction.delete(this);
        if (word === 'commit') tally.durableCommits++;
      } else if (!inTransaction.has(this) && writes(text)) tally.durableCommits++;
    }
    return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof clientQuery;

  return {
    tallies,
    restore() {
      http.Server.prototype.emit = serverEmit;
      for (const [method, original] of originals) statementProto[method] = original;
      pg.Client.prototype.query = clientQuery;
    },
  };
}

function firstWord(sql: string): string {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '';
}

/** A statement outside a transaction that commits a write (pg_notify too: it needs a transaction id). */
function writes(sql: string): boolean {
  return /^\s*(insert|update|delete|with)\b/i.test(sql) || /pg_notify/i.test(sql);
}
