// /confirm-email?token=…: `confirmEmailChange` with the token mailed to the new
// address. It runs only when the owner presses the button, never on load, so that a
// mail scanner or link preview that opens the link uses nothing up. Confirming ends
// every session of the owner, so the cookie goes too.
import { ApiError, USER_ERRORS, forgetSession, graphql } from './api.js';
import { busy, showErrors, showFormError, show, tokenFromAddress } from './forms.js';

const CONFIRM = `mutation ConfirmEmailChange($input: ConfirmEmailChangeInput!) {
  confirmEmailChange(input: $input) { ok primaryEmail ${USER_ERRORS} }
}`;

const token = tokenFromAddress();
const form = document.getElementById('confirm-form');

function showOutcome(id) {
  show(form, false);
  show(document.getElementById(id));
  document.getElementById(`${id}-heading`).focus();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  busy(form, async () => {
    try {
      const payload = await graphql('confirmEmailChange', CONFIRM, { input: { token } });
      if (payload.userErrors.some((error) => error.code === 'INVALID_TOKEN')) {
        showOutcome('dead');
        return;
      }
      if (payload.userErrors.length) {
        showErrors(form, payload.userErrors);
        return;
      }
      await forgetSession().catch(() => {});
      document.getElementById('done-text').textContent =
        `Your primary email is now ${payload.primaryEmail}.`;
      showOutcome('done');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showFormError(form, error.message);
    }
  });
});

if (!token) showOutcome('dead');
