// History for the scale benchmark: finished submissions written straight into a gateway's SQLite file (not
// through the pipeline), with rows of the sizes the pipeline writes: the submission, its delivery in state
// `accepted`, three events (received, delivered, accepted — the last holding a verbatim SET of ~1.3 KB), the
// delivery attempt and the receipt. Sealed messages and escrow copies of finished submissions are gone after
// the retention period, so none are written. The rows are generated inside SQLite (INSERT … SELECT over a
// batch of random ids, 50 000 submissions per transaction): seeding a million takes about a minute, not ten.
import Database from 'better-sqlite3';

const perTransaction = 50_000;
const uuid =
  "lower(substr(hex(b), 1, 8) || '-' || substr(hex(b), 9, 4) || '-4' || substr(hex(b), 14, 3) || '-a' || substr(hex(b), 18, 3) || '-' || substr(hex(b), 21, 12))";

/**
 * Adds `count` finished submissions (received over the past year) to the migrated SQLite file `file`; returns rows per
 * second.
 */
export function seedHistory(file, count, { destinationId = 'chemnitz-gewerbeamt', portalId = 'amt24' } = {}) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // random ids land all over the B-trees: a page cache of 1 GB keeps seeding from reading pages back
  db.pragma('cache_size = -1000000');
  db.exec('CREATE TEMP TABLE seed (sid TEXT, did TEXT, t REAL)');
  const at = (seconds) => `strftime('%Y-%m-%dT%H:%M:%fZ', t + ${seconds} / 86400.0)`;
  const steps = [
    db.prepare('DELETE FROM temp.seed'),
    db.prepare(`INSERT INTO temp.seed
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?),
      r AS (SELECT randomblob(16) AS b, randomblob(16) AS b2, julianday('now') - 365 + (abs(random()) % 31500000) / 86400.0 AS t FROM n)
      SELECT ${uuid}, ${uuid.replaceAll('hex(b)', 'hex(b2)')}, t FROM r`),
    db.prepare(`INSERT INTO submissions (id, portal_id, service_key, region_key, status, reference, test, data_hmac, attachments, received_at, updated_at, routing_version)
      SELECT sid, '${portalId}', '99050012104000', '145110000000', 'accepted', 'AMT24-' || substr(sid, 1, 13), 0, hex(randomblob(32)), '[]', ${at(0)}, ${at(90)}, 1 FROM temp.seed`),
    db.prepare(`INSERT INTO deliveries (id, submission_id, destination_id, state, attempts, created_at, updated_at, delivered_at, final_at, signing_kid, fence, kind)
      SELECT did, sid, '${destinationId}', 'accepted', 1, ${at(0)}, ${at(90)}, ${at(0.04)}, ${at(90)}, 'gateway-signing-1', 1, 'message' FROM temp.seed`),
    db.prepare(`INSERT INTO events (submission_id, seq, at, type, data, prev_hash, hash)
      SELECT sid, 1, ${at(0)}, 'received', json_object('status', 'pending', 'destinations', json_array(json_object('destinationId', '${destinationId}', 'deliveryId', did, 'messageId', did))),
        '${'0'.repeat(64)}', lower(hex(randomblob(32))) FROM temp.seed`),
    db.prepare(`INSERT INTO events (submission_id, seq, at, type, data, prev_hash, hash)
      SELECT sid, 2, ${at(0.04)}, 'delivered', json_object('deliveryId', did, 'destinationId', '${destinationId}', 'attempts', 1, 'httpStatus', 204),
        lower(hex(randomblob(32))), lower(hex(randomblob(32))) FROM temp.seed`),
    db.prepare(`INSERT INTO events (submission_id, seq, at, type, data, prev_hash, hash)
      SELECT sid, 3, ${at(90)}, 'accepted', json_object('deliveryId', did, 'destinationId', '${destinationId}', 'set', 'eyJhbGciOiJQUzUxMiJ9.' || hex(randomblob(320)) || '.' || hex(randomblob(384))),
        lower(hex(randomblob(32))), lower(hex(randomblob(32))) FROM temp.seed`),
    db.prepare(`INSERT INTO delivery_attempts (delivery_id, fence, worker, started_at, duration_ms, outcome, http_status)
      SELECT did, 1, 'bench-seed', ${at(0.01)}, 23, 'delivered', 204 FROM temp.seed`),
    db.prepare(`INSERT INTO receipts (jti, delivery_id, destination_id, kind, received_at)
      SELECT lower(hex(randomblob(16))), did, '${destinationId}', 'accept', ${at(90)} FROM temp.seed`),
  ];
  const [clear, draw, ...inserts] = steps;
  const seedBatch = db.transaction((n) => {
    clear.run();
    draw.run(n);
    for (const insert of inserts) insert.run();
  });
  const started = Date.now();
  for (let done = 0; done < count; done += perTransaction) seedBatch(Math.min(perTransaction, count - done));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return (count * 7) / Math.max(0.001, (Date.now() - started) / 1000);
}
