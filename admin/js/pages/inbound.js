import { api } from '../api.js';
import { h, replaceChildren, table } from '../dom.js';
import { t } from '../i18n.js';

/** A date and time in the page's language, or a dash. */
function when(iso) {
  return iso ? new Date(iso).toLocaleString(document.documentElement.lang || undefined) : '–';
}

/** FIT-Connect's reminder and automatic reject, which matter while a case is still open. */
function deadlinesCell(entry) {
  if (entry.state === 'accepted' || entry.state === 'rejected') return h('td', {}, '–');
  return h(
    'td',
    {},
    h(
      'ul',
      { class: 'plain' },
      h('li', {}, t('inbound.reminder', { at: when(entry.deadlines.reminderAt) })),
      h('li', {}, t('inbound.automaticReject', { at: when(entry.deadlines.automaticRejectAt) })),
    ),
  );
}

/**
 * Submissions picked up from FIT-Connect destinations: their state, why one waits (no routing, no mapping) or
 * was rejected, the submission it became here, and FIT-Connect's own deadlines beside the waiting ones.
 */
export async function renderInbound(main, { title }) {
  const { data } = await api('GET', '/inbound');
  const waiting = data.inbound.filter((e) => e.state === 'waiting').length;
  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, title),
    h('p', { id: 'inbound-waiting' }, t('inbound.waitingCount', { count: waiting })),
    table(
      t('inbound.caption'),
      [
        t('inbound.fitConnectIds'),
        t('column.region'),
        t('column.state'),
        t('column.why'),
        t('column.submission'),
        t('inbound.firstSeen'),
        t('inbound.deadlines'),
      ],
      data.inbound.map((e) =>
        h(
          'tr',
          {},
          h(
            'td',
            {},
            h('span', { class: 'kid' }, e.fitConnect.submissionId),
            h('br', {}),
            t('inbound.case', { id: e.fitConnect.caseId }),
          ),
          h('td', {}, e.regionKey ?? '–'),
          h('td', {}, t(`inbound.state.${e.state}`)),
          h('td', {}, e.reason ?? '–'),
          h('td', {}, e.submissionId ? h('span', { class: 'kid' }, e.submissionId) : '–'),
          h('td', {}, when(e.firstSeenAt)),
          deadlinesCell(e),
        ),
      ),
      { id: 'inbound-table' },
    ),
  );
}
