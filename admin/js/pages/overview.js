import { api } from '../api.js';
import { h, replaceChildren, table } from '../dom.js';
import { language, t, tn } from '../i18n.js';

export function formatAge(seconds) {
  if (seconds === undefined || seconds === null) return '–';
  if (seconds < 120) return tn('age.seconds', seconds);
  if (seconds < 7200) return tn('age.minutes', Math.round(seconds / 60));
  if (seconds < 172800) return tn('age.hours', Math.round(seconds / 3600));
  return tn('age.days', Math.round(seconds / 86400));
}

/** Submissions per status today, what waits, dead letters, open circuit breakers. */
export async function renderOverview(main, { title }) {
  const { data } = await api('GET', '/overview');
  const statuses = Object.entries(data.today.submissionsByStatus);
  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, title),
    h(
      'dl',
      { class: 'figures' },
      h('div', {}, h('dt', {}, t('overview.waiting')), h('dd', { id: 'figure-waiting' }, data.deliveriesWaiting)),
      h(
        'div',
        {},
        h('dt', {}, t('overview.oldest')),
        h('dd', { id: 'figure-oldest' }, formatAge(data.oldestWaitingSeconds)),
      ),
      h(
        'div',
        {},
        h('dt', {}, t('overview.deadLetters')),
        h('dd', { id: 'figure-dead-letters' }, h('a', { href: '#/deliveries' }, data.deadLetters)),
      ),
      h(
        'div',
        {},
        h('dt', {}, t('overview.openBreakers')),
        h('dd', { id: 'figure-breakers' }, data.openBreakers.length),
      ),
    ),
    h('h2', {}, t('overview.today')),
    statuses.length === 0
      ? h('p', {}, t('overview.noSubmissions'))
      : table(
          t('overview.todayCaption', {
            since: new Date(data.today.since).toLocaleDateString(language() === 'en' ? 'en-GB' : 'de-DE', {
              timeZone: 'Europe/Berlin',
            }),
          }),
          [t('column.status'), t('column.count')],
          statuses.map(([status, count]) =>
            h('tr', {}, h('td', {}, t(`state.${status}`)), h('td', { class: 'number' }, count)),
          ),
        ),
    h('h2', {}, t('overview.breakers')),
    data.openBreakers.length === 0
      ? h('p', {}, t('overview.noBreakers'))
      : h(
          'ul',
          {},
          data.openBreakers.map((b) => h('li', {}, `${b.destinationId}: ${t(`breaker.${b.state}`)}`)),
        ),
  );
}
