// Form helpers shared by the pages: errors shown next to their field (and tied to it
// with aria-describedby and aria-invalid), a form-level alert for the rest, busy
// buttons while a request runs, and the "show password" switches.

/** The input a userError's `field` path names: the element whose name is the path. */
function inputFor(form, path) {
  if (!path || path.length === 0) return null;
  for (let end = path.length; end > 0; end -= 1) {
    const element = form.querySelector(`[name="${CSS.escape(path.slice(0, end).join('.'))}"]`);
    if (element) return element;
  }
  return null;
}

function errorElementFor(input) {
  return input ? document.getElementById(`${input.id}-error`) : null;
}

export function clearErrors(form) {
  for (const element of form.querySelectorAll('.field-error')) {
    element.textContent = '';
    element.hidden = true;
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const formError = formErrorOf(form);
  if (formError) {
    formError.textContent = '';
    formError.hidden = true;
  }
}

function formErrorOf(form) {
  return form.querySelector('[role="alert"]');
}

/** Shows errors ({field, message}) by their fields; focuses the first one. */
export function showErrors(form, errors) {
  clearErrors(form);
  const general = [];
  let first = null;
  for (const error of errors) {
    const input = inputFor(form, error.field);
    const target = errorElementFor(input);
    if (!target) {
      general.push(error.message);
      continue;
    }
    target.textContent = target.hidden ? error.message : `${target.textContent} ${error.message}`;
    target.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    first = first || input;
  }
  if (general.length) showFormError(form, general.join(' '));
  if (first) first.focus();
}

export function showFormError(form, message) {
  const formError = formErrorOf(form);
  formError.textContent = message;
  formError.hidden = false;
  if (!form.querySelector('[aria-invalid="true"]')) {
    formError.tabIndex = -1;
    formError.focus();
  }
}

/** Runs `work` with the form's submit button disabled and marked busy. */
export async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  const states = buttons.map((button) => button.disabled);
  form.setAttribute('aria-busy', 'true');
  buttons.forEach((button) => { button.disabled = true; });
  try {
    return await work();
  } finally {
    form.removeAttribute('aria-busy');
    buttons.forEach((button, index) => { button.disabled = states[index]; });
  }
}

/** Checkboxes with `data-shows="<input id>"` switch that password input to plain text. */
export function wirePasswordSwitches(root = document) {
  for (const box of root.querySelectorAll('input[data-shows]')) {
    const input = document.getElementById(box.dataset.shows);
    box.addEventListener('change', () => { input.type = box.checked ? 'text' : 'password'; });
  }
}

export function tokenFromAddress() {
  return new URLSearchParams(window.location.search).get('token') || '';
}

export function show(element, visible = true) {
  element.hidden = !visible;
}
