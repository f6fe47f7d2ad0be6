import { api, query } from '../api.js';
import { announce, field, formatTime, h, replaceChildren, table } from '../dom.js';
import { language, t, tn } from '../i18n.js';
import { lastErrorText, outcomeText } from '../texts.js';

const states = ['deferred', 'pending', 'delivered', 'accepted', 'rejected', 'dead-lettered', 'cancelled'];

/** Deliveries by filter with their attempts; dead letters with replay (dry run first, optional reroute). */
export async function renderDeliveries(main, { me, title }) {
  const { data: destinations } = await api('GET', '/destinations');
  const destinationIds = destinations.destinations.map((d) => d.id);
  const editable = me.role === 'editor';

  const select = (id, options, allLabel) =>
    h(
      'select',
      { id },
      h('option', { value: '' }, allLabel),
      options.map(([value, label]) => h('option', { value }, label)),
    );
  const stateSelect = select(
    'filter-state',
    states.map((s) => [s, t(`state.${s}`)]),
    t('filter.all'),
  );
  const destinationSelect = select(
    'filter-destination',
    destinationIds.map((id) => [id, id]),
    t('filter.all'),
  );
  const service = h('input', {
    type: 'text',
    id: 'filter-service',
    inputmode: 'numeric',
    autocomplete: 'off',
    pattern: '[0-9]{14}',
  });
  const since = h('input', { type: 'date', id: 'filter-since' });
  const results = h('div', { id: 'delivery-results' });
  const details = h('div', { id: 'delivery-details', tabindex: '-1' });
  const deadLetters = h('div', { id: 'dead-letters' });

  const filter = () => ({
    destination: destinationSelect.value,
    service: service.value.trim(),
    since: since.value ? new Date(`${since.value}T00:00:00`).toISOString() : '',
  });

  async function showDetails(id) {
    const { data } = await api('GET', `/deliveries/${encodeURIComponent(id)}`);
    replaceChildren(
      details,
      h('h3', {}, t('deliveries.attemptsOf', { id: data.id })),
      h(
        'p',
        {},
        t('deliveries.summary', {
          destination: data.destinationId,
          state: t(`state.${data.state}`),
          attempts: tn('count.attempts', data.attempts.length),
        }),
      ),
      transportIds(data),
      data.attempts.length === 0
        ? h('p', {}, t('deliveries.noAttempts'))
        : table(
            t('deliveries.attemptsCaption'),
            [
              t('column.when'),
              t('column.outcome'),
              t('column.httpStatus'),
              t('column.errorClass'),
              t('column.duration'),
            ],
            data.attempts.map((a) =>
              h(
                'tr',
                {},
                h('td', {}, formatTime(a.startedAt, language())),
                h('td', {}, outcomeText(a.outcome)),
                h('td', {}, a.httpStatus ?? '–'),
                h('td', {}, a.errorClass ?? '–'),
                h('td', { class: 'number' }, `${a.durationMs} ms`),
              ),
            ),
          ),
    );
    details.focus();
  }

  /**
   * The ids FIT-Connect's delivery service assigned, as the admin API gives them: what an operator quotes to
   * FITKO's support. Nothing for other transports, nor before the delivery service assigned them.
   */
  function transportIds(data) {
    if (!data.fitConnect) return null;
    const id = (label, value, key) =>
      h('div', {}, h('dt', {}, label), h('dd', { class: 'kid', id: `fitconnect-${key}` }, value));
    return h(
      'section',
      { 'aria-labelledby': 'fitconnect-ids-heading' },
      h('h4', { id: 'fitconnect-ids-heading' }, t('deliveries.fitConnect')),
      h('p', {}, t('deliveries.fitConnectHint')),
      h(
        'dl',
        { class: 'ids', id: 'fitconnect-ids' },
        id(t('deliveries.fitConnectSubmission'), data.fitConnect.submissionId, 'submission'),
        id(t('deliveries.fitConnectCase'), data.fitConnect.caseId, 'case'),
      ),
    );
  }

  const deliveryRows = (deliveries, withSelection) =>
    deliveries.map((d) =>
      h(
        'tr',
        {},
        withSelection
          ? h(
              'td',
              {},
              h('input', {
                type: 'checkbox',
                id: `select-${d.id}`,
                value: d.id,
                'aria-label': t('deadLetters.select', { id: d.id }),
              }),
            )
          : null,
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => void showDetails(d.id) }, d.id)),
        h('td', { class: 'kid' }, d.submissionId),
        h('td', {}, d.reference ?? '–'),
        h('td', {}, d.destinationId),
        h('td', {}, d.serviceKey),
        h('td', {}, d.regionKey),
        h('td', { class: `state state-${d.state}` }, t(`state.${d.state}`)),
        h('td', { class: 'number' }, d.attempts),
        h('td', {}, formatTime(d.updatedAt, language())),
        h('td', {}, lastErrorText(d.lastError)),
      ),
    );
  const columns = [
    t('column.messageId'),
    t('column.submission'),
    t('column.reference'),
    t('column.destination'),
    t('column.service'),
    t('column.region'),
    t('column.state'),
    t('column.attempts'),
    t('column.updated'),
    t('column.lastError'),
  ];

  async function search() {
    const { data } = await api('GET', `/deliveries${query({ ...filter(), state: stateSelect.value })}`);
    replaceChildren(
      results,
      data.deliveries.length === 0
        ? h('p', {}, t('deliveries.none'))
        : table(tn('deliveries.caption', data.deliveries.length), columns, deliveryRows(data.deliveries, false), {
            id: 'deliveries-table',
          }),
    );
    announce(tn('deliveries.found', data.deliveries.length));
  }

  // Changing the filter changes what a plan made "for the filter" would replay.
  let invalidatePlan = () => {};
  for (const control of [destinationSelect, service, since]) control.addEventListener('input', () => invalidatePlan());

  async function loadDeadLetters() {
    const { data } = await api('GET', `/dead-letters${query(filter())}`);
    const note = h('input', { type: 'text', id: 'replay-note', autocomplete: 'off', required: true });
    const reroute = h('input', { type: 'checkbox', id: 'replay-reroute' });
    const outcome = h('div', { id: 'replay-outcome', 'aria-live': 'polite' });
    const runButton = h(
      'button',
      { type: 'button', id: 'replay-run', class: 'primary', disabled: true },
      t('deadLetters.run'),
    );
    // The plan of the last dry run: "Jetzt erneut zustellen" executes exactly it, by id. Whatever changes
    // what a dry run would show (the selection, the filter, the reroute switch) drops it.
    let plan;
    // Counts changes, so that a dry run answered after the selection changed is not taken for the new one.
    let round = 0;

    const selection = () =>
      [...deadLetters.querySelectorAll('tbody input[type="checkbox"]:checked')].map((c) => c.value);
    const request = (scope) => ({
      ...(scope === 'selected'
        ? { ids: selection() }
        : scope === 'all'
          ? { ids: data.deliveries.map((d) => d.id) }
          : { filter: Object.fromEntries(Object.entries(filter()).filter(([, v]) => v)) }),
      reroute: reroute.checked,
      note: note.value.trim(),
      dryRun: true,
    });

    function dropPlan() {
      round++;
      if (!plan) return;
      plan = undefined;
      runButton.disabled = true;
      replaceChildren(outcome, h('p', { id: 'replay-plan-outdated' }, t('deadLetters.planOutdated')));
    }

    async function dryRun(scope) {
      const mine = ++round;
      plan = undefined;
      runButton.disabled = true;
      if (scope === 'selected' && selection().length === 0) {
        replaceChildren(outcome, h('p', { class: 'error', role: 'alert' }, t('deadLetters.selectFirst')));
        return;
      }
      try {
        const { data: result } = await api('POST', '/dead-letters/replay', request(scope));
        if (mine !== round) return;
        plan = result;
        replaceChildren(
          outcome,
          h('h3', {}, result.reroute ? t('deadLetters.dryRunTitleReroute') : t('deadLetters.dryRunTitle')),
          h(
            'ul',
            {},
            result.entries.map((e) =>
              h(
                'li',
                {},
                e.skipped
                  ? t('deadLetters.entrySkipped', { id: e.messageId, reason: e.skipped })
                  : t('deadLetters.entry', { id: e.messageId, from: e.from, to: e.to ?? e.from }),
              ),
            ),
          ),
          h(
            'p',
            {},
            t('deadLetters.confirmHint'),
            ' ',
            t('deadLetters.planValidUntil', { time: formatTime(result.expiresAt, language()) }),
          ),
        );
        runButton.disabled = result.entries.every((e) => e.skipped);
      } catch (error) {
        replaceChildren(
          outcome,
          h('p', { class: 'error', role: 'alert' }, error.message),
          error.problem?.errors
            ? h(
                'ul',
                {},
                error.problem.errors.map((e) => h('li', {}, `${e.pointer}: ${e.detail}`)),
              )
            : null,
        );
      }
    }

    runButton.addEventListener('click', async () => {
      if (!plan) return;
      const planId = plan.planId;
      runButton.disabled = true;
      try {
        const { data: result } = await api('POST', '/dead-letters/replay', {
          planId,
          ...(note.value.trim() ? { note: note.value.trim() } : {}),
        });
        announce(tn('deadLetters.replayed', result.replayed));
        await loadDeadLetters();
        replaceChildren(
          document.getElementById('replay-outcome'),
          h('p', { role: 'alert' }, tn('deadLetters.replayed', result.replayed)),
        );
      } catch (error) {
        plan = undefined;
        const stale = error.problem?.type === 'https://amtsbote.dev/problems/replay-plan-stale';
        replaceChildren(
          outcome,
          h('p', { class: 'error', role: 'alert' }, stale ? t('deadLetters.planStale') : error.message),
        );
      }
    });

    replaceChildren(
      deadLetters,
      data.deliveries.length === 0
        ? h('p', {}, t('deadLetters.none'))
        : table(
            tn('deadLetters.caption', data.deliveries.length),
            [...(editable ? [t('column.select')] : []), ...columns],
            deliveryRows(data.deliveries, editable),
            { id: 'dead-letters-table' },
          ),
      editable && data.deliveries.length > 0
        ? h(
            'fieldset',
            { class: 'replay' },
            h('legend', {}, t('deadLetters.replay')),
            field(t('deadLetters.note'), note, t('deadLetters.noteHint')),
            h('div', { class: 'check' }, reroute, h('label', { for: 'replay-reroute' }, t('deadLetters.reroute'))),
            h(
              'div',
              { class: 'actions' },
              h(
                'button',
                { type: 'button', id: 'dry-run-selected', onclick: () => void dryRun('selected') },
                t('deadLetters.dryRunSelected'),
              ),
              h(
                'button',
                { type: 'button', id: 'dry-run-filter', onclick: () => void dryRun('filter') },
                t('deadLetters.dryRunFilter'),
              ),
              runButton,
            ),
            outcome,
          )
        : outcome,
    );
    reroute.addEventListener('change', dropPlan);
    deadLetters.querySelector('#dead-letters-table')?.addEventListener('change', dropPlan);
    invalidatePlan = dropPlan;
  }

  const form = h(
    'form',
    {
      id: 'delivery-filter',
      onsubmit: async (event) => {
        event.preventDefault();
        await Promise.all([search(), loadDeadLetters()]);
      },
    },
    h(
      'fieldset',
      {},
      h('legend', {}, t('filter.title')),
      field(t('column.state'), stateSelect),
      field(t('column.destination'), destinationSelect),
      field(t('column.service'), service, t('filter.serviceHint')),
      field(t('filter.since'), since),
      h('button', { type: 'submit', class: 'primary' }, t('filter.apply')),
    ),
  );

  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, title),
    form,
    h(
      'section',
      { 'aria-labelledby': 'deliveries-heading' },
      h('h2', { id: 'deliveries-heading' }, t('deliveries.title')),
      results,
      details,
    ),
    h(
      'section',
      { 'aria-labelledby': 'dead-letters-heading' },
      h('h2', { id: 'dead-letters-heading' }, t('deadLetters.title')),
      deadLetters,
    ),
  );
  await Promise.all([search(), loadDeadLetters()]);
}
