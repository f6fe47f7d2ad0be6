import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Standards material beside the project (CI has it there); tests that need it skip with a reason elsewhere. */
export const referenceDir = resolve(projectRoot, '../shared/reference');
export const hasReference = existsSync(referenceDir);
export const examplesDir = join(projectRoot, 'examples');
