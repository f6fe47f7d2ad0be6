import { sql } from 'kysely';

/** ARS prefixes as one condition on the submission's region: the caller sees only these regions. */
export const regionScope = (regions: readonly string[] | undefined) =>
  regions
    ? sql<boolean>`(${sql.join(
        regions.map((r) => sql`s.region_key like ${r + '%'}`),
        sql` or `,
      )})`
    : sql<boolean>`1 = 1`;
