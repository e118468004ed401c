// /reset-password?token=…: `resetPassword` with the emailed token; the session it
// returns goes into the cookie, then /me.
import { USER_ERRORS, graphql } from './api.js';
import { show, tokenFromAddress, wirePasswordSwitches } from './forms.js';
import { submitForSession } from './session-form.js';

const RESET_PASSWORD = `mutation ResetPassword($input: ResetPasswordInput!) {
  resetPassword(input: $input) { token viewer { __typename } ${USER_ERRORS} }
}`;

const token = tokenFromAddress();
const form = document.getElementById('reset-form');

function showDead() {
  show(form, false);
  show(document.getElementById('dead'));
  document.getElementById('dead-heading').focus();
}

submitForSession(
  form,
  () => graphql('resetPassword', RESET_PASSWORD, { input: { token, newPassword: form.newPassword.value } }),
  { onDeadToken: showDead },
);

wirePasswordSwitches();
if (!token) showDead();
