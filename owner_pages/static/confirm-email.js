// /confirm-email?token=…: `confirmEmailChange` with the emailed token, on a click
// only (mail scanners open links; a GET must not use the token up). Confirming ends
// every session of the owner, so the session cookie is cleared too.
import { ApiError, USER_ERRORS, forgetSession, graphql } from './api.js';
import { busy, clearErrors, show, showFormError, tokenFromAddress } from './forms.js';

const CONFIRM_EMAIL_CHANGE = `mutation ConfirmEmailChange($input: ConfirmEmailChangeInput!) {
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
      const payload = await graphql('confirmEmailChange', CONFIRM_EMAIL_CHANGE, { input: { token } });
      if (payload.userErrors.some((error) => error.code === 'INVALID_TOKEN')) {
        showOutcome('dead');
        return;
      }
      if (payload.userErrors.length) {
        showFormError(form, payload.userErrors.map((error) => error.message).join(' '));
        return;
      }
      clearErrors(form);
      document.getElementById('new-email').textContent = payload.primaryEmail;
      try {
        await forgetSession();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error; // the session is over anyway
      }
      showOutcome('done');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showFormError(form, error.message);
    }
  });
});

if (!token) showOutcome('dead');
