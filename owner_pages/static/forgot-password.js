// /forgot-password: `requestPasswordReset`. The API answers alike whether or not
// the login matched anybody, and so does this page.
import { ApiError, USER_ERRORS, graphql } from './api.js';
import { busy, clearErrors, showErrors, showFormError, show } from './forms.js';

const REQUEST_RESET = `mutation RequestPasswordReset($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { ok ${USER_ERRORS} }
}`;

const form = document.getElementById('forgot-form');
const sent = document.getElementById('sent');

form.addEventListener('submit', (event) => {
  event.preventDefault();
  show(sent, false);
  const login = form.login.value.trim();
  if (!login) {
    showErrors(form, [{ field: ['login'], message: 'Enter your username or your primary email address.' }]);
    return;
  }
  busy(form, async () => {
    try {
      const payload = await graphql('requestPasswordReset', REQUEST_RESET, { input: { login } });
      if (payload.userErrors.length) {
        showErrors(form, payload.userErrors);
        return;
      }
      clearErrors(form);
      sent.textContent =
        'If this is the username or primary email of an owner account, a link to choose a new password ' +
        'is on its way to the primary email address. It works once, for a short time. ' +
        'No email? Check the spelling, or ask your builder which address they have for you.';
      show(sent);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showFormError(form, error.message);
    }
  });
});
