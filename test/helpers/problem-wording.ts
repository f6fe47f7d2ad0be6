import { expect } from 'vitest';

/** Validator wording that must never reach a person: zod's and ajv's defaults. */
export const validatorWording =
  /Invalid input|Invalid option|expected \w+, received|Too (small|big)|must have required property|must NOT|must match (pattern|format)/;

/** A problem's detail adds to its title instead of repeating it, and no field error speaks like a validator. */
export function expectWrittenForPeople(problem: {
  title: string;
  detail: string;
  errors?: { detail: string }[];
}): void {
  expect(problem.detail.toLowerCase(), problem.detail).not.toContain(problem.title.toLowerCase());
  expect(problem.detail).not.toMatch(validatorWording);
  for (const e of problem.errors ?? []) expect(e.detail).not.toMatch(validatorWording);
}
