import { z } from 'zod';

/** LeiKa service key: 14 digits (e.g. 99050012104000). */
export const serviceKeySchema = z.string().regex(/^[0-9]{14}$/, 'must be a 14-digit LeiKa key');

/** Regional key (ARS): 12 digits (Dresden 146120000000). */
export const regionKeySchema = z.string().regex(/^[0-9]{12}$/, 'must be a 12-digit regional key (ARS)');

/** An ARS or a prefix of one: `14` (Saxony), `14713` (Leipzig), `147130000000`. */
export const regionPrefixSchema = z
  .string()
  .regex(/^[0-9]{2,12}$/, 'must be an ARS (12 digits) or a prefix of one (at least the 2-digit state)');

/**
 * The AGS (8 digits) of a municipality from its ARS (12 digits): state (2) + district (3) + municipality (3),
 * leaving out the four digits of the Gemeindeverband.
 */
export function agsFromArs(ars: string): string {
  return ars.slice(0, 5) + ars.slice(9, 12);
}

export const destinationIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower-case letters, digits and hyphens (2–63 characters)');
