import { api } from '../api.js';
import { announce, confirmDialog, field, formatTime, h, replaceChildren, table } from '../dom.js';
import { language, t, tn } from '../i18n.js';
import { actorText, problemText } from '../texts.js';

/** The gateway's keys: which is active; activate and retire with a confirmation (editors without a region limit). */
export async function renderKeys(main, { me, title }) {
  const { data } = await api('GET', '/keys');
  const outcome = h('div', { id: 'key-outcome', 'aria-live': 'polite' });

  async function act(key, action) {
    const note = h('input', { type: 'text', id: 'key-note', required: true, autocomplete: 'off' });
    const force = h('input', { type: 'checkbox', id: 'key-force' });
    const body = h(
      'div',
      {},
      h('p', {}, t(`keys.${action}Explain`, { kid: key.kid, open: tn('keys.openSigned', key.openMessages) })),
      field(t('keys.note'), note, t('keys.noteHint')),
      action === 'retire' && key.openMessages > 0
        ? h('div', { class: 'check' }, force, h('label', { for: 'key-force' }, tn('keys.force', key.openMessages)))
        : null,
    );
    const confirmed = await confirmDialog({
      title: t(`keys.${action}Title`, { kid: key.kid }),
      body,
      confirmLabel: t(`keys.${action}`),
      cancelLabel: t('cancel'),
      danger: action === 'retire',
    });
    if (!confirmed) return;
    try {
      await api('POST', `/keys/${encodeURIComponent(key.kid)}/${action}`, {
        note: note.value.trim(),
        ...(action === 'retire' ? { force: force.checked } : {}),
      });
      announce(t(`keys.${action}Done`, { kid: key.kid }));
      await renderKeys(main, { me, title });
      replaceChildren(document.getElementById('key-outcome'), h('p', {}, t(`keys.${action}Done`, { kid: key.kid })));
    } catch (error) {
      replaceChildren(outcome, h('p', { class: 'error', role: 'alert' }, problemText(error)));
    }
  }

  /** A key without an action says why: no right to change keys, the active one, or retired for good. */
  const actions = (key) => {
    if (!me.canManageKeys) return h('span', { class: 'no-action' }, t('keys.noAction.rights'));
    if (key.state === 'retired') return h('span', { class: 'no-action' }, t('keys.noAction.retired'));
    if (key.state === 'active') return h('span', { class: 'no-action' }, t('keys.noAction.active'));
    return h(
      'div',
      { class: 'actions' },
      key.state === 'published'
        ? h(
            'button',
            { type: 'button', onclick: () => void act(key, 'activate') },
            t('keys.activateLabel', { kid: key.kid }),
          )
        : null,
      key.state !== 'active'
        ? h(
            'button',
            { type: 'button', class: 'danger', onclick: () => void act(key, 'retire') },
            t('keys.retireLabel', { kid: key.kid }),
          )
        : null,
    );
  };

  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, title),
    h('p', {}, me.canManageKeys ? t('keys.intro') : t('keys.readOnly')),
    h('p', {}, h('a', { href: '/.well-known/jwks.json' }, t('keys.jwks'))),
    table(
      t('keys.caption'),
      [
        t('column.kid'),
        t('column.purpose'),
        t('column.keyState'),
        t('column.fingerprint'),
        t('column.openMessages'),
        t('column.changed'),
        t('column.action'),
      ],
      data.keys.map((k) =>
        h(
          'tr',
          {},
          h('td', { class: 'kid' }, k.kid),
          h('td', {}, t(`purpose.${k.purpose}`)),
          h('td', { class: `key-${k.state}` }, t(`keyState.${k.state}`)),
          h(
            'td',
            {},
            h('abbr', { title: k.fingerprint ?? '' }, k.fingerprint ? `${k.fingerprint.slice(0, 16)}…` : '–'),
          ),
          h('td', { class: 'number' }, k.openMessages),
          h('td', {}, `${formatTime(k.changedAt, language())}, ${actorText(k.changedBy)}`),
          h('td', {}, actions(k)),
        ),
      ),
      { id: 'keys-table' },
    ),
    outcome,
  );
}
