// The server answers in codes and values (field errors, route explanations, attempt outcomes, audit
// entries); this module says them in the page's language. English text from the server appears only for a
// code the dictionaries do not know yet, and then marked as English (lang="en") for screen readers.
import { h } from './dom.js';
import { has, t, tn } from './i18n.js';

/** Rule indexes in codes count from 0, as in pointers; people count from 1. */
const countingFromOne = (params = {}) =>
  typeof params.rule === 'number' ? { ...params, rule: params.rule + 1 } : params;

/** A field error ({pointer, detail, code, params}) as a text node or an English span. */
export function fieldErrorText(error) {
  if (error.code && has(`fieldError.${error.code}`))
    return t(`fieldError.${error.code}`, countingFromOne(error.params));
  return h('span', { lang: 'en' }, error.detail);
}

/**
 * An error of an API call in the page's language: a problem's type (`…/problems/precondition-failed`) names
 * a text of the dictionaries; the server's English detail only for a type the page does not know yet.
 */
export function problemText(error) {
  const code = /\/problems\/([\w-]+)$/.exec(error?.problem?.type ?? '')?.[1];
  if (code && has(`problem.${code}`)) return t(`problem.${code}`);
  return error?.problem ? h('span', { lang: 'en' }, error.message) : t('problem.network');
}

/** `/document/rules/3/deferred/after` → "Regel 4: deferred/after"; other pointers as they are. */
export function pointerText(pointer) {
  const path = pointer.replace(/^\/document/, '');
  const rule = /^\/rules\/(\d+)(?:\/(.*))?$/.exec(path);
  if (rule)
    return rule[2]
      ? t('pointer.ruleField', { n: Number(rule[1]) + 1, field: rule[2] })
      : t('pointer.rule', { n: Number(rule[1]) + 1 });
  return path || '/';
}

/** The outcome of a delivery attempt (`retry`, `failed`, …). */
export const outcomeText = (outcome) => (has(`outcome.${outcome}`) ? t(`outcome.${outcome}`) : outcome);

/**
 * A delivery's last error: the worker stores the error class and, for a dead letter, "(after N attempts)";
 * the class is a technical code (`http-503`) and stays, the rest is said in the page's language.
 */
export function lastErrorText(lastError) {
  if (!lastError) return '–';
  const match = /^(.*) \(after (\d+) attempts\)$/.exec(lastError);
  return match
    ? t('lastError.afterAttempts', { reason: match[1], attempts: tn('count.attempts', Number(match[2])) })
    : lastError;
}

/** Who did something: a person's id as it is, the gateway's own actors (`start-up`, `unknown`, …) in words. */
export const actorText = (actor) => (has(`actor.${actor}`) ? t(`actor.${actor}`) : actor);

/**
 * A routing version's note as a person wrote it, except the two the gateway writes itself (in English, for
 * the API): the seed's "seeded from routing.yaml" and a rollback's prefix "rollback to version N: ".
 */
export function noteText(note) {
  const seeded = /^seeded from (\S+)$/.exec(note ?? '');
  if (seeded) return t('routing.seededNote', { file: seeded[1] });
  const match = /^rollback to version (\d+): ([\s\S]*)$/.exec(note ?? '');
  return match ? t('routing.rollbackNote', { version: match[1], note: match[2] }) : (note ?? '');
}

/** The route explanation of a dry run, from its code and values. */
export function explanationText(explanation, names) {
  const params = explanation.params ?? {};
  const service = withName(params.service, names.services);
  const region = withName(params.region, names.regions);
  if (explanation.code === 'matched')
    return t('dryRun.matched', {
      rule: params.rule + 1,
      service,
      region,
      destinations: (params.destinations ?? []).join(', '),
    });
  if (explanation.code === 'no-rule') return t('dryRun.noRule', { service, region });
  return h('span', { lang: 'en' }, explanation.summary);
}

/** One considered rule of a dry run: "Regel 2 (… × …): andere Region". */
export function consideredText(considered, names) {
  const outcome = has(`dryRun.outcome.${considered.outcome}`)
    ? t(`dryRun.outcome.${considered.outcome}`)
    : considered.outcome;
  return t('dryRun.considered', {
    index: considered.index + 1,
    service: withName(considered.service, names.services),
    region: withName(considered.region, names.regions),
    outcome,
  });
}

/** "99050012104000 (Gewerbeanmeldung)" when the key has a name, else the key alone. */
export const withName = (key, names = {}) => (names[key] ? `${key} (${names[key]})` : key);

const list = (items) => items.join(', ');
const ruleIdentityText = (identity) => {
  const [service, region, validFrom] = identity.split('|');
  return validFrom ? t('audit.ruleFrom', { service, region, date: validFrom }) : t('audit.rule', { service, region });
};

/** Counts of a routing diff summary (or a full diff) as "1 Regel geändert, 2 Ziele neu". */
function diffCounts(diff) {
  const parts = [];
  for (const [what, lists] of [
    ['rules', diff.rules],
    ['destinations', diff.destinations],
  ]) {
    for (const kind of ['added', 'removed', 'changed']) {
      const items = lists?.[kind] ?? [];
      if (items.length > 0)
        parts.push(
          tn(`audit.${what}.${kind}`, items.length, {
            list:
              what === 'rules'
                ? list(
                    items.map((r) =>
                      typeof r === 'string'
                        ? ruleIdentityText(r)
                        : ruleIdentityText(`${r.service}|${r.region}|${r.validFrom ?? ''}`),
                    ),
                  )
                : list(items),
          }),
        );
    }
  }
  return parts.length === 0 ? t('audit.noChanges') : parts.join('; ');
}

/**
 * An audit entry's detail as sentences: what each action records is known (see where the server appends
 * it); a member the page does not know yet is shown as "name: value" rather than left out.
 */
export function auditDetailText(action, detail = {}) {
  const parts = [];
  const taken = new Set();
  const take = (name) => {
    taken.add(name);
    return detail[name];
  };
  if (action === 'routing.change') {
    const version = take('version');
    const note = take('note');
    const imported = take('imported');
    const diff = take('diff');
    parts.push(t('audit.version', { version }));
    if (imported) parts.push(t('audit.imported', { file: imported }));
    if (note) parts.push(t('audit.note', { note: noteText(note) }));
    if (diff) parts.push(diffCounts(diff));
  } else if (action.startsWith('dead-letters.replay')) {
    const note = take('note');
    const ids = take('messageIds') ?? [];
    const moved = take('moved') ?? [];
    parts.push(tn('audit.replayed', ids.length, { ids: list(ids) }));
    for (const m of moved) parts.push(t('audit.moved', { id: m.messageId, from: m.from, to: m.to }));
    if (note) parts.push(t('audit.note', { note }));
  } else if (action.startsWith('keys.')) {
    const kid = take('kid');
    const note = take('note');
    const open = take('openMessages');
    const forced = take('forced');
    parts.push(t('audit.key', { kid }));
    if (open !== undefined) parts.push(tn('audit.openMessages', open));
    if (forced) parts.push(t('audit.forced'));
    if (note) parts.push(t('audit.note', { note }));
  } else if (action === 'admin.sign-in-failed' || action === 'sign-in.failed') {
    const reason = take('reason');
    const path = take('path');
    const client = take('client');
    if (reason) parts.push(has(`audit.reason.${reason}`) ? t(`audit.reason.${reason}`) : t('audit.reason', { reason }));
    if (path) parts.push(t('audit.path', { path }));
    if (client) parts.push(t('audit.client', { client }));
  } else if (action.startsWith('portals.')) {
    const portal = take('portalId');
    const services = take('services');
    const regions = take('regions');
    const until = take('previousValidUntil');
    parts.push(t('audit.portal', { portal }));
    if (services) parts.push(t('audit.services', { list: list(services) }));
    if (regions) parts.push(t('audit.regions', { list: list(regions) }));
    if (until) parts.push(t('audit.previousValidUntil', { date: until }));
  }
  for (const [name, value] of Object.entries(detail).filter(([name]) => !taken.has(name))) {
    const label = has(`audit.field.${name}`) ? t(`audit.field.${name}`) : name;
    parts.push(
      `${label}: ${Array.isArray(value) ? list(value.map(String)) : typeof value === 'object' && value !== null ? list(Object.entries(value).map(([k, v]) => `${k} ${String(v)}`)) : String(value)}`,
    );
  }
  return parts.join('. ') + (parts.length > 0 ? '.' : '');
}
