import type { ConfigFiles } from '../config/load.js';
import type { Xoev } from '../xoev/index.js';
import type { DataValidator } from './data-validator.js';

/**
 * What a configuration reload replaces, in one step: the loaded files, the services' compiled data
 * validators, and the XÖV set (mappings, code lists, compiled schemas). Intake is the lowest floor that uses
 * all three; gateway/configuration-in-force.ts holds the set in force.
 */
export interface ConfigurationSet {
  readonly config: ConfigFiles;
  readonly validators: ReadonlyMap<string, DataValidator>;
  readonly xoev: Xoev;
}
