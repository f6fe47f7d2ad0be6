import { api } from '../api.js';
import { h, replaceChildren, table } from '../dom.js';
import { t } from '../i18n.js';

/** A date and time in the page's language. */
function when(iso) {
  return new Date(iso).toLocaleString(document.documentElement.lang || undefined);
}

/**
 * Replies the portal has not fetched within `replyPickupDays` (issue 24), for the operator to follow up with the
 * portal: ids, kinds and times only — the gateway holds their content as ciphertext and never shows it.
 */
export async function renderReplies(main, { title }) {
  const { data } = await api('GET', '/replies/undelivered');
  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, title),
    h(
      'p',
      { id: 'replies-undelivered' },
      t('replies.undeliveredCount', { count: data.replies.length, days: data.pickupDays }),
    ),
    table(
      t('replies.caption', { days: data.pickupDays }),
      [
        t('replies.reply'),
        t('column.submission'),
        t('replies.portal'),
        t('column.destination'),
        t('replies.kind'),
        t('replies.received'),
      ],
      data.replies.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, h('span', { class: 'kid' }, r.replyId)),
          h('td', {}, h('span', { class: 'kid' }, r.submissionId)),
          h('td', {}, r.portalId),
          h('td', {}, r.destinationId),
          h('td', {}, t(`replies.kind.${r.kind}`)),
          h('td', {}, when(r.receivedAt)),
        ),
      ),
      { id: 'replies-table' },
    ),
  );
}
