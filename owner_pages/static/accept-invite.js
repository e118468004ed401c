// /accept-invite?token=…: inviteDetails (which does not use the link up, so mail
// scanners and link previews burn nothing), then acceptInvite with the owner's own
// username and password; the session it returns goes into the cookie, then /me.
import { USER_ERRORS, graphql } from './api.js';
import { show, tokenFromAddress, wirePasswordSwitches } from './forms.js';
import { submitForSession } from './session-form.js';

const INVITE_DETAILS = `query InviteDetails($token: String!) {
  inviteDetails(token: $token) { valid builderName firstName expiresAt }
}`;

const ACCEPT_INVITE = `mutation AcceptInvite($input: AcceptInviteInput!) {
  acceptInvite(input: $input) { token viewer { __typename } ${USER_ERRORS} }
}`;

const token = tokenFromAddress();
const form = document.getElementById('accept-form');
const loading = document.getElementById('loading');

function showDead() {
  show(loading, false);
  show(form, false);
  show(document.getElementById('dead'));
  document.getElementById('heading').textContent = 'Accept your invite';
  document.getElementById('dead-heading').focus();
}

function formatDate(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
}

async function start() {
  if (!token) {
    showDead();
    return;
  }
  let details;
  try {
    details = await graphql('inviteDetails', INVITE_DETAILS, { token });
  } catch (error) {
    loading.textContent = error.message;
    return;
  }
  if (!details || !details.valid) {
    showDead();
    return;
  }
  const name = details.firstName ? `Welcome, ${details.firstName}` : 'Welcome';
  document.getElementById('heading').textContent = name;
  document.getElementById('greeting').textContent =
    `${details.builderName} invited you to OwnerHub, where you follow your home's jobs and keep your ` +
    `contact details up to date. Choose the username and password you will sign in with. ` +
    `This link works once, until ${formatDate(details.expiresAt)}.`;
  show(loading, false);
  show(form);
  document.getElementById('username').focus();
}

submitForSession(
  form,
  () => graphql('acceptInvite', ACCEPT_INVITE, {
    input: { token, username: form.username.value, password: form.password.value },
  }),
  { onDeadToken: showDead },
);

wirePasswordSwitches();
start();
