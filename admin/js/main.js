import { api, ProblemError, session } from './api.js';
import { announce, field, h, replaceChildren } from './dom.js';
import { loadLanguage, preferredLanguage, t } from './i18n.js';
import { problemText } from './texts.js';
import { renderOverview } from './pages/overview.js';
import { renderRouting } from './pages/routing.js';
import { renderDeliveries } from './pages/deliveries.js';
import { renderDestinations } from './pages/destinations.js';
import { renderServices } from './pages/services.js';
import { renderInbound } from './pages/inbound.js';
import { renderReplies } from './pages/replies.js';
import { renderKeys } from './pages/keys.js';
import { renderAudit } from './pages/audit.js';

const pages = [
  { path: 'overview', title: 'nav.overview', render: renderOverview },
  { path: 'routing', title: 'nav.routing', render: renderRouting },
  { path: 'deliveries', title: 'nav.deliveries', render: renderDeliveries },
  { path: 'destinations', title: 'nav.destinations', render: renderDestinations },
  { path: 'services', title: 'nav.services', render: renderServices },
  { path: 'inbound', title: 'nav.inbound', render: renderInbound },
  { path: 'replies', title: 'nav.replies', render: renderReplies },
  { path: 'keys', title: 'nav.keys', render: renderKeys },
  { path: 'audit', title: 'nav.audit', render: renderAudit },
];

const main = document.getElementById('main');
let me;

function currentPage() {
  const path = location.hash.replace(/^#\/?/, '');
  return pages.find((p) => p.path === path) ?? pages[0];
}

function renderChrome() {
  document.getElementById('skip-link').textContent = t('skip');
  document.getElementById('language-label').textContent = t('language');
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav.label'));
  nav.hidden = !me;
  const page = currentPage();
  replaceChildren(
    nav,
    h(
      'ul',
      {},
      pages.map((p) =>
        h('li', {}, h('a', { href: `#/${p.path}`, 'aria-current': p === page ? 'page' : false }, t(p.title))),
      ),
    ),
  );
  const signOut = document.getElementById('sign-out');
  signOut.textContent = t('signOut');
  signOut.hidden = !me;
  document.getElementById('signed-in-as').textContent = me
    ? t('signedInAs', { name: me.name, role: t(`role.${me.role}`) })
    : '';
}

/** Renders the page the hash names and moves focus to its heading, as a page load would. */
async function show({ focus } = { focus: true }) {
  renderChrome();
  if (!me) {
    renderSignIn();
    return;
  }
  const page = currentPage();
  document.title = `${t(page.title)} – Amtsbote`;
  // Each page renders into a view of its own: when the user moves on before a slow page has loaded, that
  // page's late answer lands in its detached view instead of replacing the page now shown.
  const view = h('div', { class: 'view' });
  replaceChildren(main, view);
  replaceChildren(view, h('h1', { tabindex: '-1' }, t(page.title)), h('p', {}, t('loading')));
  try {
    await page.render(view, { me, title: t(page.title) });
  } catch (error) {
    if (error instanceof ProblemError && error.status === 401) {
      signOut();
      return;
    }
    replaceChildren(
      view,
      h('h1', { tabindex: '-1' }, t(page.title)),
      h('p', { class: 'error', role: 'alert' }, problemText(error)),
    );
  }
  if (focus && view.isConnected) view.querySelector('h1')?.focus();
}

function renderSignIn() {
  document.title = `${t('signIn.title')} – Amtsbote`;
  const token = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: true });
  const error = h('p', { id: 'sign-in-error', class: 'error', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: async (event) => {
        event.preventDefault();
        session.signIn(token.value.trim());
        try {
          me = (await api('GET', '/me')).data;
          announce(t('signIn.done', { name: me.name }));
          // Setting the hash fires hashchange, whose show() renders the page: a second show() here rendered the
          // navigation twice, and a link focused in between was replaced (a keyboard user's Enter went nowhere).
          if (!location.hash) location.hash = '#/overview';
          else await show();
        } catch (e) {
          session.signOut();
          error.textContent = e instanceof ProblemError && e.status === 401 ? t('signIn.failed') : e.message;
          token.setAttribute('aria-invalid', 'true');
          token.setAttribute('aria-describedby', 'token-hint sign-in-error');
          token.focus();
        }
      },
    },
    field(t('signIn.token'), token, t('signIn.hint')),
    error,
    h('button', { type: 'submit', class: 'primary' }, t('signIn.submit')),
  );
  replaceChildren(main, h('h1', { tabindex: '-1' }, t('signIn.title')), form);
}

function signOut() {
  session.signOut();
  me = undefined;
  announce(t('signedOut'));
  void show();
}

async function start() {
  await loadLanguage(preferredLanguage());
  const select = document.getElementById('language');
  select.value = preferredLanguage();
  select.addEventListener('change', async () => {
    await loadLanguage(select.value);
    await show({ focus: false });
  });
  document.getElementById('sign-out').addEventListener('click', signOut);
  window.addEventListener('hashchange', () => void show());
  if (session.token()) {
    try {
      me = (await api('GET', '/me')).data;
    } catch {
      session.signOut();
    }
  }
  await show({ focus: false });
}

void start();
