import { api } from '../api.js';
import { h, replaceChildren, table } from '../dom.js';
import { t } from '../i18n.js';

/** Imported from FIM (id and version) or modelled by hand. */
function sourceCell(source) {
  return source.kind === 'fim'
    ? h('td', {}, t('services.fim', { id: source.id, version: source.version ?? '–' }))
    : h('td', {}, t('services.handMade'));
}

function regionsCell(regions) {
  if (regions.length === 0) return h('td', {}, t('services.noRegion'));
  return h(
    'td',
    {},
    h(
      'ul',
      { class: 'plain' },
      regions.map((r) =>
        h(
          'li',
          {},
          h('span', { class: 'kid' }, r.region),
          ': ',
          r.destinations.map((d) => (d.deferred ? t('services.deferred', { id: d.id }) : d.id)).join(', '),
        ),
      ),
    ),
  );
}

/** The catalogue: every service with key, name, source, standard and the destinations per region. */
export async function renderServices(main, { title }) {
  const { data } = await api('GET', '/services');
  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, title),
    table(
      t('services.caption'),
      [t('column.service'), t('column.name'), t('column.source'), t('column.standard'), t('column.regions')],
      data.services.map((s) =>
        h(
          'tr',
          {},
          h('td', {}, h('span', { class: 'kid' }, s.key)),
          h('td', {}, s.name),
          sourceCell(s.source),
          h('td', {}, s.standard ? `${s.standard.name} ${s.standard.versions.join(', ')}` : '–'),
          regionsCell(s.regions),
        ),
      ),
      { id: 'services-table' },
    ),
  );
}
