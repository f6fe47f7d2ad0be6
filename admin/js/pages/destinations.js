import { api } from '../api.js';
import { formatTime, h, replaceChildren, table } from '../dom.js';
import { language, t } from '../i18n.js';

/** A fingerprint is long; the first 16 characters identify a key for a person comparing it by eye. */
const shortFingerprint = (fingerprint) => (fingerprint ? `${fingerprint.slice(0, 16)}…` : '–');

function keyCell(key) {
  return h(
    'td',
    {},
    h('span', { class: 'kid' }, key.kid ?? '–'),
    h('br'),
    h('abbr', { title: key.fingerprint ?? '' }, shortFingerprint(key.fingerprint)),
    h('br'),
    key.notAfter
      ? t('destinations.expires', { date: formatTime(key.notAfter, language()) })
      : t('destinations.noExpiry'),
    key.problem ? h('p', { class: 'error' }, key.problem) : null,
  );
}

/**
 * The health word and, for a FIT-Connect destination, why it is misconfigured (the services, schemas or metadata
 * version it does not take, in the gateway's words with what it offers) or that it could not be read.
 */
function healthCell(d) {
  const offer = d.offer;
  return h(
    'td',
    { class: `health health-${d.health}` },
    t(`health.${d.health}`),
    offer?.state === 'misconfigured'
      ? h('ul', { class: 'error' }, ...offer.problems.map((p) => h('li', {}, `${p.service}: ${p.detail}`)))
      : null,
    offer?.state === 'unknown' ? h('p', {}, t('destinations.offerUnknown', { reason: offer.unavailable })) : null,
  );
}

/** Adapter kind, health, circuit state, queue and the keys' fingerprints and expiry of every destination. */
export async function renderDestinations(main, { title }) {
  const { data } = await api('GET', '/destinations');
  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, title),
    table(
      t('destinations.caption'),
      [
        t('column.destination'),
        t('column.adapter'),
        t('column.health'),
        t('column.breaker'),
        t('column.waiting'),
        t('column.deadLetters'),
        t('column.encryptionKey'),
        t('column.receiptKey'),
      ],
      data.destinations.map((d) =>
        h(
          'tr',
          {},
          h('td', {}, h('span', { class: 'kid' }, d.id), h('br'), d.name),
          h('td', {}, d.adapter),
          healthCell(d),
          h('td', {}, t(`breaker.${d.breaker}`)),
          h('td', { class: 'number' }, d.waiting),
          h('td', { class: 'number' }, d.deadLetters),
          keyCell(d.keys.encryption),
          keyCell(d.keys.receipt),
        ),
      ),
      { id: 'destinations-table' },
    ),
  );
}
