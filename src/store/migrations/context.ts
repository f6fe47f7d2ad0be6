/**
 * What a migration may need beyond the database: the keyed hash (HMAC with the gateway secret) for
 * migrations that replace stored values by keyed hashes. A function that returns it, because loading the
 * secret can fail (PostgreSQL without `hmacSecret`) and only such a migration with rows to convert needs it.
 */
export interface MigrationContext {
  keyedHash?: (() => (data: string) => string) | undefined;
}
