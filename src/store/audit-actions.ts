/**
 * Every action the audit log records. The admin page names each one in its languages (a test holds
 * admin/i18n to this list), so a new action is added here, where the compiler then requires it.
 */
export const auditActions = [
  'routing.change',
  'dead-letters.replay',
  'dead-letters.replay-reroute',
  'keys.rotate',
  'keys.retire',
  'portals.add',
  'portals.rotate-token',
  'portals.reply-key',
  'admin.sign-in-failed',
  'sign-in.failed',
  'receipt-ignored',
  'receipt-held',
  'retention.purge',
  'inbound.waiting',
  'inbound.taken-on',
] as const;

export type AuditAction = (typeof auditActions)[number];
