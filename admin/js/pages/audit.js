import { api, query } from '../api.js';
import { formatTime, h, replaceChildren, table } from '../dom.js';
import { language, t } from '../i18n.js';
import { actorText, auditDetailText } from '../texts.js';

/** A known action in words; an action this page does not know yet as its code. */
function actionLabel(action) {
  const label = t(`action.${action}`);
  return label === `action.${action}` ? action : label;
}

/** The audit log: who did what when (routing changes, replays, key operations, failed sign-ins). */
export async function renderAudit(main, { title }) {
  const list = h('div', { id: 'audit-list' });
  let before;
  const rows = [];
  const more = h('button', { type: 'button', id: 'audit-more' }, t('audit.more'));

  async function load() {
    const { data } = await api('GET', `/audit${query({ limit: 50, before })}`);
    rows.push(
      ...data.entries.map((e) =>
        h(
          'tr',
          {},
          h('td', {}, formatTime(e.at, language())),
          h('td', {}, actorText(e.actor)),
          h('td', {}, actionLabel(e.action)),
          h('td', { class: 'detail' }, auditDetailText(e.action, e.detail)),
        ),
      ),
    );
    before = data.entries.at(-1)?.id;
    more.hidden = data.entries.length < 50;
    replaceChildren(
      list,
      rows.length === 0
        ? h('p', {}, t('audit.none'))
        : table(t('audit.caption'), [t('column.when'), t('column.who'), t('column.what'), t('column.detail')], rows, {
            id: 'audit-table',
          }),
    );
  }
  more.addEventListener('click', () => void load());
  replaceChildren(main, h('h1', { tabindex: '-1' }, title), list, more);
  await load();
}
