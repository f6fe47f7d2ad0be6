// A small DOM builder: text goes in as text nodes, never as HTML, so data from the API cannot inject markup.

/**
 * h('button', { type: 'button', onclick: fn }, 'Text', child) → element.
 * Attributes: `on*` functions become listeners, `false`/`null`/`undefined` are left out, `true` is an empty attribute.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'value' && 'value' in element) element.value = String(value);
    else if (name === 'checked' && 'checked' in element) element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** Tells screen readers (and everyone, in the status area) what just happened. */
export function announce(message) {
  const status = document.getElementById('status');
  status.textContent = '';
  // a new text node in a later task is announced even when the text repeats
  setTimeout(() => {
    status.textContent = message;
  }, 50);
}

let fieldCounter = 0;

/**
 * A table with a caption, column headers with scope and one row per item, in a box of its own that scrolls
 * sideways when the table is wider than the screen (the page itself never does).
 */
export function table(caption, headers, rows, attributes = {}) {
  return scrollBox(
    h(
      'table',
      attributes,
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((text) => h('th', { scope: 'col' }, text)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

/**
 * Wraps a table in a scrolling region: named by the table's caption and reachable with the keyboard, so
 * that someone without a mouse can scroll it too (WCAG 2.1.1).
 */
export function scrollBox(tableElement) {
  const caption = tableElement.querySelector('caption');
  if (caption) caption.id ||= `caption-${++fieldCounter}`;
  return h(
    'div',
    { class: 'table-scroll', role: 'region', tabindex: '0', 'aria-labelledby': caption?.id },
    tableElement,
  );
}

/** A labelled form field; returns the wrapper and the control. `hint` is linked with aria-describedby. */
export function field(label, control, hint) {
  control.id ||= `field-${++fieldCounter}`;
  const hintId = hint ? `${control.id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
  );
}

/**
 * A modal confirmation (native <dialog>: focus is kept inside and Escape closes it). Resolves true on confirm.
 * `validate` runs on confirm; when it returns false the dialog stays open (it shows the reason in `body`).
 */
export function confirmDialog({ title, body, confirmLabel, cancelLabel, danger = false, validate = () => true }) {
  return new Promise((resolve) => {
    const headingId = `dialog-${++fieldCounter}`;
    const dialog = h(
      'dialog',
      { 'aria-labelledby': headingId },
      h('h2', { id: headingId }, title),
      body,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => validate() && close(true) },
          confirmLabel,
        ),
        h('button', { type: 'button', onclick: () => close(false) }, cancelLabel),
      ),
    );
    const opener = document.activeElement;
    let done = false;
    function close(result) {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      if (opener instanceof HTMLElement) opener.focus();
      resolve(result);
    }
    dialog.addEventListener('cancel', () => close(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function formatTime(iso, language) {
  if (!iso) return '–';
  return new Date(iso).toLocaleString(language === 'en' ? 'en-GB' : 'de-DE', { timeZone: 'Europe/Berlin' });
}
