import { api, ProblemError } from '../api.js';
import { announce, confirmDialog, field, formatTime, h, replaceChildren, table } from '../dom.js';
import { language, t } from '../i18n.js';

const ruleFields = ['service', 'region', 'destinations', 'validFrom', 'validUntil'];

const fieldId = (index, name) => `rule-${index}-${name}`;

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
  const [{ data: current, etag }, { data: history }] = await Promise.all([api('GET', '/routing'), api('GET', '/routing/versions')]);
  const editable = me.role === 'editor';
  const rules = structuredClone(current.document.rules);
  const document_ = () => ({
    destinations: current.document.destinations,
    // an emptied date field means no limit: the member is left out
    rules: rules.map(({ validFrom, validUntil, ...rule }) => ({ ...rule, ...(validFrom ? { validFrom } : {}), ...(validUntil ? { validUntil } : {}) })),
  });

  const rulesBody = h('tbody');
  const generalErrors = h('ul', { id: 'routing-errors', class: 'error' });
  const diffArea = h('div', { id: 'routing-diff', 'aria-live': 'polite' });
  const note = h('input', { type: 'text', id: 'routing-note', name: 'note', required: true, maxlength: '500', autocomplete: 'off' });
  const noteError = h('p', { id: 'routing-note-error', class: 'error' });
  const saveButton = h('button', { type: 'submit', class: 'primary', id: 'routing-save', disabled: true }, t('routing.save'));
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
        message.textContent = message.textContent ? `${message.textContent}; ${error.detail}` : error.detail;
        input.setAttribute('aria-describedby', `${input.id}-error`);
      } else {
        generalErrors.append(h('li', {}, `${error.pointer.replace(/^\/document/, '') || '/'}: ${error.detail}`));
      }
    }
  }

  function renderDiff(diff, version) {
    const items = diffItems(diff);
    replaceChildren(
      diffArea,
      h('h3', {}, t('routing.diffTitle', { version })),
      items.length === 0 ? h('p', {}, t('routing.noChanges')) : h('ul', { class: 'diff' }, items.map((text) => h('li', {}, text))),
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
    if (!editable) {
      return h('tr', {}, h('td', {}, rule.service), h('td', {}, rule.region), h('td', {}, rule.destinations.join(', ')), h('td', {}, rule.validFrom ?? '–'), h('td', {}, rule.validUntil ?? '–'));
    }
    const cell = (name, value, update, attributes = {}) => {
      const id = fieldId(index, name);
      const input = h('input', { type: 'text', id, value: value ?? '', autocomplete: 'off', 'aria-describedby': `${id}-error`, ...attributes });
      input.dataset.hint = `${id}-error`;
      input.addEventListener('input', () => {
        update(input.value.trim());
        validateSoon();
      });
      return h('td', {}, h('label', { for: id, class: 'visually-hidden' }, t(`routing.field.${name}`, { n: index + 1 })), input, h('span', { id: `${id}-error`, class: 'field-error error' }));
    };
    return h(
      'tr',
      {},
      cell('service', rule.service, (v) => (rule.service = v), { inputmode: 'numeric', size: '15' }),
      cell('region', rule.region, (v) => (rule.region = v), { inputmode: 'numeric', size: '13' }),
      cell('destinations', rule.destinations.join(', '), (v) => (rule.destinations = v.split(',').map((s) => s.trim()).filter(Boolean))),
      cell('validFrom', rule.validFrom, (v) => (rule.validFrom = v), { size: '11', placeholder: t('routing.datePlaceholder') }),
      cell('validUntil', rule.validUntil, (v) => (rule.validUntil = v), { size: '11', placeholder: t('routing.datePlaceholder') }),
      h('td', {}, h('button', { type: 'button', onclick: () => removeRule(index) }, t('routing.removeRule', { n: index + 1 }))),
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

  const headers = [t('routing.field.serviceHeader'), t('routing.field.regionHeader'), t('routing.field.destinationsHeader'), t('routing.field.validFromHeader'), t('routing.field.validUntilHeader')];
  const rulesTable = h(
    'table',
    { id: 'routing-rules' },
    h('caption', {}, t('routing.rulesCaption', { version: current.version })),
    h('thead', {}, h('tr', {}, [...headers, ...(editable ? [t('column.action')] : [])].map((text) => h('th', { scope: 'col' }, text)))),
    rulesBody,
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
          const { data } = await api('PUT', '/routing', { note: note.value.trim(), document: document_() }, { 'if-match': etag });
          announce(t('routing.saved', { version: data.version }));
          await renderRouting(main, { me, title });
          main.querySelector('#routing-history')?.focus();
        } catch (error) {
          if (error instanceof ProblemError && error.problem.errors) showErrors(error.problem.errors.map((e) => ({ ...e, pointer: e.pointer.startsWith('/document') ? e.pointer : `/document${e.pointer}` })));
          generalErrors.prepend(h('li', {}, error.message));
          announce(error.message);
        }
      },
    },
    h('h3', {}, t('routing.saveTitle')),
    h('div', { class: 'field' }, h('label', { for: 'routing-note' }, t('routing.note')), note, h('p', { class: 'hint', id: 'routing-note-hint' }, t('routing.noteHint')), noteError),
    saveButton,
  );
  note.setAttribute('aria-describedby', 'routing-note-hint routing-note-error');

  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, title),
    h('section', { 'aria-labelledby': 'rules-heading' },
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
    dryRunSection(),
  );
}

/** A routing diff (routing/diff.ts) as sentences, one per added, removed or changed rule or destination. */
function diffItems(diff) {
  return [
    ...diff.rules.added.map((r) => t('diff.ruleAdded', { rule: describeRule(r) })),
    ...diff.rules.removed.map((r) => t('diff.ruleRemoved', { rule: describeRule(r) })),
    ...diff.rules.changed.map((c) => t('diff.ruleChanged', { before: describeRule(c.before), after: describeRule(c.after) })),
    ...diff.destinations.added.map((id) => t('diff.destinationAdded', { id })),
    ...diff.destinations.removed.map((id) => t('diff.destinationRemoved', { id })),
    ...diff.destinations.changed.map((id) => t('diff.destinationChanged', { id })),
  ];
}

function historySection(versions, currentVersion, editable, etag, rerender) {
  const rows = [...versions].sort((a, b) => b.version - a.version).map((v) =>
    h(
      'tr',
      {},
      h('td', { class: 'number' }, v.version),
      h('td', {}, formatTime(v.createdAt, language())),
      h('td', {}, v.author),
      h('td', {}, v.note),
      editable
        ? h('td', {}, v.version === currentVersion ? t('routing.current') : h('button', { type: 'button', onclick: () => rollback(v.version) }, t('routing.rollback', { version: v.version })))
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
    const note = h('input', { type: 'text', id: 'rollback-note', required: true, maxlength: '500', autocomplete: 'off', 'aria-describedby': 'rollback-note-hint rollback-note-error' });
    const noteError = h('p', { id: 'rollback-note-error', class: 'error' });
    const body = h(
      'div',
      {},
      preview.valid
        ? h('div', { id: 'rollback-diff' }, h('p', {}, t('routing.rollbackDiff', { version, current: currentVersion })), items.length === 0 ? h('p', {}, t('routing.noChanges')) : h('ul', { class: 'diff' }, items.map((text) => h('li', {}, text))))
        : h('div', { id: 'rollback-diff' }, h('p', { class: 'error' }, t('routing.rollbackInvalid', { version })), h('ul', {}, preview.errors.map((e) => h('li', {}, `${e.pointer.replace(/^\/document/, '') || '/'}: ${e.detail}`)))),
      h('div', { class: 'field' }, h('label', { for: 'rollback-note' }, t('routing.note')), note, h('p', { class: 'hint', id: 'rollback-note-hint' }, t('routing.noteHint')), noteError),
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
      const { data } = await api('POST', `/routing/rollback/${version}`, { note: note.value.trim() }, { 'if-match': etag });
      announce(t('routing.saved', { version: data.version }));
      await rerender();
    } catch (error) {
      const message = error instanceof ProblemError && error.status === 412 ? t('routing.rollbackStale') : error.message;
      announce(message);
      alertIn(document.getElementById('routing-history'), message);
    }
  }
  const headers = [t('column.version'), t('column.when'), t('column.who'), t('column.why'), ...(editable ? [t('column.action')] : [])];
  return h('section', { 'aria-labelledby': 'history-heading', id: 'routing-history', tabindex: '-1' }, h('h2', { id: 'history-heading' }, t('routing.history')), table(t('routing.historyCaption'), headers, rows, { id: 'routing-versions' }));
}

function alertIn(container, message) {
  container.querySelector('.error[role="alert"]')?.remove();
  container.append(h('p', { class: 'error', role: 'alert' }, message));
}

function dryRunSection() {
  const service = h('input', { type: 'text', id: 'dry-service', inputmode: 'numeric', required: true, autocomplete: 'off' });
  const region = h('input', { type: 'text', id: 'dry-region', inputmode: 'numeric', required: true, autocomplete: 'off' });
  const date = h('input', { type: 'date', id: 'dry-date' });
  const result = h('div', { id: 'dry-run-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      id: 'dry-run-form',
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const { data } = await api('POST', '/routing/dry-run', { serviceKey: service.value.trim(), regionKey: region.value.trim(), ...(date.value ? { at: date.value } : {}) });
          replaceChildren(
            result,
            h('h3', {}, t('dryRun.result')),
            data.destinations.length === 0 ? h('p', {}, t('dryRun.none')) : h('ul', {}, data.destinations.map((d) => h('li', {}, `${d.name} (${d.id}, ${d.adapter})`))),
            h('p', {}, data.explanation.summary),
            h('ul', {}, data.explanation.considered.map((c) => h('li', {}, t('dryRun.considered', { index: c.index + 1, service: c.service, region: c.region, outcome: c.outcome })))),
          );
        } catch (error) {
          const details = error instanceof ProblemError && error.problem.errors ? error.problem.errors.map((e) => `${e.pointer}: ${e.detail}`) : [];
          replaceChildren(result, h('p', { class: 'error', role: 'alert' }, error.message), details.length ? h('ul', {}, details.map((d) => h('li', {}, d))) : null);
        }
      },
    },
    field(t('dryRun.service'), service, t('dryRun.serviceHint')),
    field(t('dryRun.region'), region, t('dryRun.regionHint')),
    field(t('dryRun.date'), date, t('dryRun.dateHint')),
    h('button', { type: 'submit' }, t('dryRun.submit')),
  );
  return h('section', { 'aria-labelledby': 'dry-run-heading' }, h('h2', { id: 'dry-run-heading' }, t('dryRun.title')), form, result);
}
