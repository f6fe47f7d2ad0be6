/**
 * How long a dry run's plan can be executed: long enough to read it, short enough to still be true. A module of its
 * own so that the CLI's help text can name it without loading replay planning.
 */
export const replayPlanMinutes = 15;
