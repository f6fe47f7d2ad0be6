import { z } from 'zod';

/**
 * How the applicant was identified, as the portal reports it: the method (BundID, the eID function of the
 * identity card, an ELSTER certificate, or none) and the eIDAS level of assurance. The envelope and the
 * `amtsbote-sealed/1` metadata share this schema; FIT-Connect metadata carries it as a data set
 * (seal/fitconnect/authentication-data-set.ts).
 */
export const AUTHENTICATION_METHODS = ['bundid', 'eid', 'elster', 'none'] as const;
export const LEVELS_OF_ASSURANCE = ['low', 'substantial', 'high'] as const;

export const authenticationInfoSchema = z
  .strictObject({
    method: z.enum(AUTHENTICATION_METHODS).meta({ description: 'How the applicant was identified' }),
    levelOfAssurance: z.enum(LEVELS_OF_ASSURANCE).optional().meta({ description: 'eIDAS level of assurance' }),
  })
  .meta({ id: 'Authentication' });

export type AuthenticationInfo = z.infer<typeof authenticationInfoSchema>;
