import { api, ProblemError } from '../api.js';
import { announce, confirmDialog, field, formatTime, h, replaceChildren, scrollBox, table } from '../dom.js';
import { language, t } from '../i18n.js';
import {
  actorText,
  consideredText,
  explanationText,
  fieldErrorText,
  noteText,
  pointerText,
  problemText,
} from '../texts.js';

const ruleFields = ['service', 'region', 'destinations', 'validFrom', 'validUntil'];

const fieldId = (index, name) => `rule-${index}-${name}`;

/** A plain date fits a date picker; a date-time with offset (allowed in routing.yaml) stays a text field. */
const isPlainDate = (value) => !value || /^\d{4}-\d{2}-\d{2}$/.test(value);

/** The name below a key ("Stadt Leipzig" under 147130000000); empty while the key names nothing known. */
const nameOf = (key, names) => names?.[key] ?? '';

/** `/document/rules/3/destinations/0` → the input of rule 3's destinations; other pointers have no field. */
function fieldForPointer(pointer) {
  const match = /^\/document\/rules\/(\d+)\/(\w+)/.exec(pointer);
  if (!match || !ruleFields.includes(match[2])) return undefined;
  return document.getElementById(fieldId(Number(match[1]), match[2]));
}

const describeRule = (rule) =>
  `${rule.service} × ${rule.region} → ${(rule.destinations ?? []).join(', ')}` +
  (rule.validFrom ? ` ${t('routing.from', { date: rule.validFrom })}` : '') +
  (rule.validUntil ? ` ${t('routing.until', { date: rule.validUntil })}` : '');

/** The rules as a table (editable for editors), the diff, saving with a note, history with rollback, dry run. */
export async function renderRouting(main, { me, title }) {
  const [{ data: current, etag }, { data: history }] = await Promise.all([
    api('GET', '/routing'),
    api('GET', '/routing/versions'),
  ]);
  const names = current.names ?? { services: {}, regions: {} };
  const editable = me.role === 'editor';
  const rules = structuredClone(current.document.rules);
  const document_ = () => ({
    destinations: current.document.destinations,
    // an emptied date field means no limit: the member is left out
    rules: rules.map(({ validFrom, validUntil, ...rule }) => ({
      ...rule,
      ...(validFrom ? { validFrom } : {}),
      ...(validUntil ? { validUntil } : {}),
    })),
  });

  const rulesBody = h('tbody');
  const generalErrors = h('ul', { id: 'routing-errors', class: 'error' });
  const diffArea = h('div', { id: 'routing-diff', 'aria-live': 'polite' });
  const note = h('input', {
    type: 'text',
    id: 'routing-note',
    name: 'note',
    required: true,
    maxlength: '500',
    autocomplete: 'off',
  });
  const noteError = h('p', { id: 'routing-note-error', class: 'error' });
  const saveButton = h(
    'button',
    { type: 'submit', class: 'primary', id: 'routing-save', disabled: true },
    t('routing.save'),
  );
  let state = { valid: true, changed: false };

  function clearErrors() {
    for (const element of main.querySelectorAll('[aria-invalid="true"]')) {
      element.removeAttribute('aria-invalid');
      element.setAttribute('aria-describedby', element.dataset.hint ?? '');
    }
    for (const element of main.querySelectorAll('.field-error')) element.textContent = '';
    generalErrors.replaceChildren();
  }

  /** Shows the server's problem pointers next to the fields they name; the rest as a list above. */
  function showErrors(errors) {
    clearErrors();
    for (const error of errors) {
      const input = fieldForPointer(error.pointer);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        const message = document.getElementById(`${input.id}-error`);
        if (message.textContent) message.append('; ');
        message.append(fieldErrorText(error));
        input.setAttribute('aria-describedby', `${input.id}-error`);
      } else {
        generalErrors.append(h('li', {}, `${pointerText(error.pointer)}: `, fieldErrorText(error)));
      }
    }
  }

  function renderDiff(diff, version) {
    const items = diffItems(diff);
    replaceChildren(
      diffArea,
      h('h3', {}, t('routing.diffTitle', { version })),
      items.length === 0
        ? h('p', {}, t('routing.noChanges'))
        : h(
            'ul',
            { class: 'diff' },
            items.map((text) => h('li', {}, text)),
          ),
    );
    return items.length > 0;
  }

  let validating = 0;
  async function validate() {
    const round = ++validating;
    const { data } = await api('POST', '/routing/validate', { document: document_() });
    if (round !== validating) return;
    showErrors(data.errors);
    state = { valid: data.valid, changed: data.valid ? renderDiff(data.diff, current.version) : false };
    if (!data.valid) replaceChildren(diffArea);
    saveButton.disabled = !(state.valid && state.changed);
  }

  let timer;
  const validateSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void validate().catch((e) => announce(e.message)), 300);
  };

  function ruleRow(rule, index) {
    const named = (key, byKey) => [key, h('span', { class: 'name' }, nameOf(key, byKey))];
    if (!editable) {
      return h(
        'tr',
        {},
        h('td', {}, named(rule.service, names.services)),
        h('td', {}, named(rule.region, names.regions)),
        h('td', { class: 'destinations' }, rule.destinations.join(', ')),
        h('td', {}, rule.validFrom ?? '–'),
        h('td', {}, rule.validUntil ?? '–'),
      );
    }
    /** One input per field; `byKey` shows the key's name below it, kept up to date while typing. */
    const cell = (name, value, update, { tag = 'input', type = 'text', byKey, ...attributes } = {}) => {
      const id = fieldId(index, name);
      // the type before the value: a date input takes only a date
      const input = h(tag, {
        ...(tag === 'input' ? { type } : {}),
        id,
        value: value ?? '',
        autocomplete: 'off',
        'aria-describedby': `${id}-error`,
        ...attributes,
      });
      input.dataset.hint = `${id}-error`;
      const nameLine = byKey ? h('span', { class: 'name', id: `${id}-name` }, nameOf(value, byKey)) : null;
      input.addEventListener('input', () => {
        update(input.value.trim());
        if (nameLine) nameLine.textContent = nameOf(input.value.trim(), byKey);
        validateSoon();
      });
      return h(
        'td',
        {},
        h('label', { for: id, class: 'visually-hidden' }, t(`routing.field.${name}`, { n: index + 1 })),
        input,
        nameLine,
        h('span', { id: `${id}-error`, class: 'field-error error' }),
      );
    };
    // a date picker where the value is a plain date; its "change" fires when a date is picked or cleared
    const dateCell = (name, value, update) =>
      cell(
        name,
        value,
        update,
        isPlainDate(value) ? { type: 'date' } : { size: '25', placeholder: t('routing.datePlaceholder') },
      );
    return h(
      'tr',
      {},
      cell('service', rule.service, (v) => (rule.service = v), {
        inputmode: 'numeric',
        size: '15',
        byKey: names.services,
      }),
      cell('region', rule.region, (v) => (rule.region = v), { inputmode: 'numeric', size: '13', byKey: names.regions }),
      // a text area wraps a long list instead of cutting it off; commas separate, line breaks are allowed too
      cell(
        'destinations',
        rule.destinations.join(', '),
        (v) =>
          (rule.destinations = v
            .split(/[,\n]/)
            .map((s) => s.trim())
            .filter(Boolean)),
        {
          tag: 'textarea',
          rows: String(Math.max(1, Math.ceil(rule.destinations.join(', ').length / 28))),
          cols: '28',
          class: 'destinations',
          title: t('routing.destinationsHint'),
        },
      ),
      dateCell('validFrom', rule.validFrom, (v) => (rule.validFrom = v)),
      dateCell('validUntil', rule.validUntil, (v) => (rule.validUntil = v)),
      h(
        'td',
        {},
        h('button', { type: 'button', onclick: () => removeRule(index) }, t('routing.removeRule', { n: index + 1 })),
      ),
    );
  }

  function renderRules() {
    replaceChildren(rulesBody, rules.map(ruleRow));
  }
  function removeRule(index) {
    rules.splice(index, 1);
    renderRules();
    announce(t('routing.ruleRemoved', { n: index + 1 }));
    document.getElementById('add-rule')?.focus();
    validateSoon();
  }
  function addRule() {
    rules.push({ service: '', region: '', destinations: [] });
    renderRules();
    document.getElementById(fieldId(rules.length - 1, 'service'))?.focus();
    validateSoon();
  }
  renderRules();

  const headers = [
    t('routing.field.serviceHeader'),
    t('routing.field.regionHeader'),
    t('routing.field.destinationsHeader'),
    t('routing.field.validFromHeader'),
    t('routing.field.validUntilHeader'),
  ];
  const rulesTable = scrollBox(
    h(
      'table',
      { id: 'routing-rules' },
      h('caption', {}, t('routing.rulesCaption', { version: current.version })),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [...headers, ...(editable ? [t('column.action')] : [])].map((text) => h('th', { scope: 'col' }, text)),
        ),
      ),
      rulesBody,
    ),
  );

  const saveForm = h(
    'form',
    {
      id: 'routing-save-form',
      onsubmit: async (event) => {
        event.preventDefault();
        noteError.textContent = '';
        note.removeAttribute('aria-invalid');
        if (note.value.trim().length < 3) {
          noteError.textContent = t('routing.noteRequired');
          note.setAttribute('aria-invalid', 'true');
          note.focus();
          return;
        }
        try {
          const { data } = await api(
            'PUT',
            '/routing',
            { note: note.value.trim(), document: document_() },
            { 'if-match': etag },
          );
          announce(t('routing.saved', { version: data.version }));
          await renderRouting(main, { me, title });
          main.querySelector('#routing-history')?.focus();
        } catch (error) {
          if (error instanceof ProblemError && error.problem.errors)
            showErrors(
              error.problem.errors.map((e) => ({
                ...e,
                pointer: e.pointer.startsWith('/document') ? e.pointer : `/document${e.pointer}`,
              })),
            );
          generalErrors.prepend(h('li', {}, problemText(error)));
          announce(generalErrors.firstChild.textContent);
        }
      },
    },
    h('h3', {}, t('routing.saveTitle')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'routing-note' }, t('routing.note')),
      note,
      h('p', { class: 'hint', id: 'routing-note-hint' }, t('routing.noteHint')),
      noteError,
    ),
    saveButton,
  );
  note.setAttribute('aria-describedby', 'routing-note-hint routing-note-error');

  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, title),
    h(
      'section',
      { 'aria-labelledby': 'rules-heading' },
      h('h2', { id: 'rules-heading' }, t('routing.rules')),
      editable ? h('p', {}, t('routing.editHint')) : h('p', { id: 'read-only-hint' }, t('routing.readOnly')),
      generalErrors,
      rulesTable,
      editable ? h('button', { type: 'button', id: 'add-rule', onclick: addRule }, t('routing.addRule')) : null,
      editable ? diffArea : null,
      editable ? saveForm : null,
    ),
    historySection(history.versions, current.version, editable, etag, async () => {
      await renderRouting(main, { me, title });
    }),
    dryRunSection(names),
  );
}

/** A routing diff (routing/diff.ts) as sentences, one per added, removed or changed rule or destination. */
function diffItems(diff) {
  return [
    ...diff.rules.added.map((r) => t('diff.ruleAdded', { rule: describeRule(r) })),
    ...diff.rules.removed.map((r) => t('diff.ruleRemoved', { rule: describeRule(r) })),
    ...diff.rules.changed.map((c) =>
      t('diff.ruleChanged', { before: describeRule(c.before), after: describeRule(c.after) }),
    ),
    ...diff.destinations.added.map((id) => t('diff.destinationAdded', { id })),
    ...diff.destinations.removed.map((id) => t('diff.destinationRemoved', { id })),
    ...diff.destinations.changed.map((id) => t('diff.destinationChanged', { id })),
  ];
}

function historySection(versions, currentVersion, editable, etag, rerender) {
  const rows = [...versions]
    .sort((a, b) => b.version - a.version)
    .map((v) =>
      h(
        'tr',
        {},
        h('td', { class: 'number' }, v.version),
        h('td', {}, formatTime(v.createdAt, language())),
        h('td', {}, actorText(v.author)),
        h('td', {}, noteText(v.note)),
        h('td', {}, versionDiff(v.version)),
        editable
          ? h(
              'td',
              {},
              v.version === currentVersion
                ? t('routing.current')
                : h(
                    'button',
                    { type: 'button', onclick: () => rollback(v.version) },
                    t('routing.rollback', { version: v.version }),
                  ),
            )
          : null,
      ),
    );
  /** Shows what rolling back would change against the version in force, then asks for the note. */
  async function rollback(version) {
    let preview;
    try {
      const { data: target } = await api('GET', `/routing/versions/${version}`);
      ({ data: preview } = await api('POST', '/routing/validate', { document: target.document }));
    } catch (error) {
      alertIn(document.getElementById('routing-history'), error.message);
      return;
    }
    const items = preview.valid ? diffItems(preview.diff) : [];
    const note = h('input', {
      type: 'text',
      id: 'rollback-note',
      required: true,
      maxlength: '500',
      autocomplete: 'off',
      'aria-describedby': 'rollback-note-hint rollback-note-error',
    });
    const noteError = h('p', { id: 'rollback-note-error', class: 'error' });
    const body = h(
      'div',
      {},
      preview.valid
        ? h(
            'div',
            { id: 'rollback-diff' },
            h('p', {}, t('routing.rollbackDiff', { version, current: currentVersion })),
            items.length === 0
              ? h('p', {}, t('routing.noChanges'))
              : h(
                  'ul',
                  { class: 'diff' },
                  items.map((text) => h('li', {}, text)),
                ),
          )
        : h(
            'div',
            { id: 'rollback-diff' },
            h('p', { class: 'error' }, t('routing.rollbackInvalid', { version })),
            h(
              'ul',
              {},
              preview.errors.map((e) => h('li', {}, `${e.pointer.replace(/^\/document/, '') || '/'}: ${e.detail}`)),
            ),
          ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'rollback-note' }, t('routing.note')),
        note,
        h('p', { class: 'hint', id: 'rollback-note-hint' }, t('routing.noteHint')),
        noteError,
      ),
    );
    const confirmed = await confirmDialog({
      title: t('routing.rollbackTitle', { version }),
      body,
      confirmLabel: t('routing.rollbackConfirm'),
      cancelLabel: t('cancel'),
      validate: () => {
        if (note.value.trim().length >= 3) return true;
        noteError.textContent = t('routing.noteRequired');
        note.setAttribute('aria-invalid', 'true');
        note.focus();
        return false;
      },
    });
    if (!confirmed) return;
    try {
      const { data } = await api(
        'POST',
        `/routing/rollback/${version}`,
        { note: note.value.trim() },
        { 'if-match': etag },
      );
      announce(t('routing.saved', { version: data.version }));
      await rerender();
    } catch (error) {
      const message =
        error instanceof ProblemError && error.status === 412 ? t('routing.rollbackStale') : error.message;
      announce(message);
      alertIn(document.getElementById('routing-history'), message);
    }
  }
  const headers = [
    t('column.version'),
    t('column.when'),
    t('column.who'),
    t('column.why'),
    t('column.changes'),
    ...(editable ? [t('column.action')] : []),
  ];
  return h(
    'section',
    { 'aria-labelledby': 'history-heading', id: 'routing-history', tabindex: '-1' },
    h('h2', { id: 'history-heading' }, t('routing.history')),
    table(t('routing.historyCaption'), headers, rows, { id: 'routing-versions' }),
  );
}

/** What a version changed against the one before, fetched when opened (the API keeps each version's diff). */
function versionDiff(version) {
  const body = h('div', { class: 'version-diff' });
  const details = h(
    'details',
    { id: `version-${version}-diff` },
    h('summary', {}, t('routing.showDiff', { version })),
    body,
  );
  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    replaceChildren(body, h('p', {}, t('loading')));
    try {
      const { data } = await api('GET', `/routing/versions/${version}`);
      const items = data.diff ? diffItems(data.diff) : [];
      replaceChildren(
        body,
        !data.diff
          ? h('p', {}, t('routing.firstVersion'))
          : items.length === 0
            ? h('p', {}, t('routing.noChanges'))
            : h(
                'ul',
                { class: 'diff', 'aria-label': t('routing.diffCaption', { version: version - 1 }) },
                items.map((text) => h('li', {}, text)),
              ),
      );
    } catch (error) {
      loaded = false;
      replaceChildren(body, h('p', { class: 'error', role: 'alert' }, problemText(error)));
    }
  });
  return details;
}

function alertIn(container, message) {
  container.querySelector('.error[role="alert"]')?.remove();
  container.append(h('p', { class: 'error', role: 'alert' }, message));
}

/** A dry-run pointer (`/serviceKey`) as the label of the field it names. */
const dryRunFieldLabel = (pointer) =>
  ({ '/serviceKey': t('dryRun.service'), '/regionKey': t('dryRun.region'), '/at': t('dryRun.date') })[pointer] ??
  pointerText(pointer);

/** Field errors of the dry run as an alert (a role of its own on the list would hide that it is a list). */
const errorList = (errors) =>
  h(
    'div',
    { role: 'alert' },
    h(
      'ul',
      { class: 'error' },
      errors.map((e) => h('li', {}, `${dryRunFieldLabel(e.pointer)}: `, fieldErrorText(e))),
    ),
  );

function dryRunSection(names) {
  const service = h('input', {
    type: 'text',
    id: 'dry-service',
    inputmode: 'numeric',
    required: true,
    autocomplete: 'off',
  });
  const region = h('input', {
    type: 'text',
    id: 'dry-region',
    inputmode: 'numeric',
    required: true,
    autocomplete: 'off',
  });
  const date = h('input', { type: 'date', id: 'dry-date' });
  const result = h('div', { id: 'dry-run-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      id: 'dry-run-form',
      onsubmit: async (event) => {
        event.preventDefault();
        // the keys' form is checked here, where the page can point at the field; the server checks again
        const local = [
          ...(/^[0-9]{14}$/.test(service.value.trim()) ? [] : [{ pointer: '/serviceKey', code: 'leika-key' }]),
          ...(/^[0-9]{12}$/.test(region.value.trim()) ? [] : [{ pointer: '/regionKey', code: 'ars' }]),
        ];
        if (local.length > 0) {
          replaceChildren(result, errorList(local));
          return;
        }
        try {
          const { data } = await api('POST', '/routing/dry-run', {
            serviceKey: service.value.trim(),
            regionKey: region.value.trim(),
            ...(date.value ? { at: date.value } : {}),
          });
          replaceChildren(
            result,
            h('h3', {}, t('dryRun.result')),
            data.destinations.length === 0
              ? h('p', {}, t('dryRun.none'))
              : h(
                  'ul',
                  {},
                  data.destinations.map((d) => h('li', {}, `${d.name} (${d.id}, ${d.adapter})`)),
                ),
            h('p', { id: 'dry-run-explanation' }, explanationText(data.explanation, names)),
            h(
              'ul',
              {},
              data.explanation.considered.map((c) => h('li', {}, consideredText(c, names))),
            ),
          );
        } catch (error) {
          const errors = error instanceof ProblemError && error.problem.errors ? error.problem.errors : [];
          // the problem's own text is English; with field errors the page says what is wrong in its language
          replaceChildren(
            result,
            errors.length > 0 ? errorList(errors) : h('p', { class: 'error', role: 'alert' }, problemText(error)),
          );
        }
      },
    },
    field(t('dryRun.service'), service, t('dryRun.serviceHint')),
    field(t('dryRun.region'), region, t('dryRun.regionHint')),
    field(t('dryRun.date'), date, t('dryRun.dateHint')),
    h('button', { type: 'submit' }, t('dryRun.submit')),
  );
  return h(
    'section',
    { 'aria-labelledby': 'dry-run-heading' },
    h('h2', { id: 'dry-run-heading' }, t('dryRun.title')),
    form,
    result,
  );
}
