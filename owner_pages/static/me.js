// /me: the signed-in owner's profile, on the same queries and mutations a
// third-party app would use. Every save answers with the contact as it now is,
// which is drawn again, so what the page shows is what the server holds.
import { ApiError, USER_ERRORS, forgetSession, graphql, upload } from './api.js';
import { busy, clearErrors, showErrors, showFormError, show } from './forms.js';

const PROFILE = `fragment Profile on Contact {
  id firstName lastName displayName phone cellPhone primaryEmail additionalEmails smsOptIn
  address { street city state postalCode }
  profileImage { small: url(size: SMALL) medium: url(size: MEDIUM) }
  pendingPrimaryEmail { email expiresAt }
  viewerCan { editInfo editAdditionalEmails setProfileImage lockedReason }
  jobs { id name address { street city state postalCode } owners { id displayName } }
}`;

const ME = `query MyProfile {
  me { __typename ... on OwnerUser { username builderAccount { name } contact { ...Profile } } }
}
${PROFILE}`;

const contactMutation = (name, inputType) => `mutation ${name[0].toUpperCase()}${name.slice(1)}($input: ${inputType}!) {
  ${name}(input: $input) { contact { ...Profile } ${USER_ERRORS} }
}
${PROFILE}`;

const UPDATE_INFO = contactMutation('updateContactInfo', 'UpdateContactInfoInput');
const SET_EMAILS = contactMutation('setAdditionalEmails', 'SetAdditionalEmailsInput');
const SET_IMAGE = contactMutation('setProfileImage', 'SetProfileImageInput');
const REMOVE_IMAGE = contactMutation('removeProfileImage', 'RemoveProfileImageInput');
const SET_SMS = contactMutation('updateNotificationPreferences', 'UpdateNotificationPreferencesInput');
const CHANGE_PASSWORD = `mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { ok ${USER_ERRORS} }
}`;
const CANCEL_EMAIL_CHANGE = `mutation CancelEmailChange {
  cancelEmailChange { contact { ...Profile } ${USER_ERRORS} }
}
${PROFILE}`;
const LOGOUT = 'mutation SignOut { logout { ok } }';

const INFO_FIELDS = ['firstName', 'lastName', 'primaryEmail', 'phone', 'cellPhone'];
const ADDRESS_FIELDS = ['street', 'city', 'state', 'postalCode'];
const MAX_ADDITIONAL_EMAILS = 5;

const $ = (id) => document.getElementById(id);
let contact = null;

function signedOut() {
  window.location.replace('/sign-in');
}

/** Runs a contact mutation for `form`; draws the contact it returns (after the
 * form is no longer busy, so that the drawing decides which buttons are enabled). */
async function save(form, run, statusId, done) {
  const status = $(statusId);
  status.textContent = '';
  let payload = null;
  await busy(form, async () => {
    try {
      payload = await run();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'UNAUTHENTICATED') signedOut();
      else showFormError(form, error.message);
    }
  });
  if (!payload) return;
  if (payload.userErrors.length) {
    showErrors(form, payload.userErrors);
    return;
  }
  clearErrors(form);
  if (payload.contact) render(payload.contact);
  status.textContent = done(payload);
}

// -- drawing ------------------------------------------------------------------

function render(next) {
  contact = next;
  $('display-name').textContent = contact.displayName;
  renderInfo();
  renderEmails(contact.additionalEmails);
  renderPicture();
  $('smsOptIn').checked = contact.smsOptIn;
  renderJobs();
}

function renderInfo() {
  const form = $('info-form');
  for (const name of INFO_FIELDS) form.elements.namedItem(name).value = contact[name] || '';
  for (const name of ADDRESS_FIELDS) $(name).value = (contact.address && contact.address[name]) || '';
  const editable = contact.viewerCan.editInfo;
  for (const element of form.elements) element.disabled = !editable;
  renderPendingEmail();
  const locked = $('locked');
  locked.textContent = editable ? '' : contact.viewerCan.lockedReason || 'Your contact information cannot be changed now.';
  show(locked, !editable);
}

// A new primary email waits for the link mailed to it (docs/email-change.md).
function renderPendingEmail() {
  const pending = contact.pendingPrimaryEmail;
  show($('pending-email'), Boolean(pending));
  if (!pending) return;
  const until = new Date(pending.expiresAt).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
  $('pending-email-text').textContent =
    `Waiting for confirmation: ${pending.email}. Open the link we emailed to it (it works until ${until}); ` +
    `until then ${contact.primaryEmail} stays your primary email.`;
}

function renderEmails(emails) {
  const list = $('email-list');
  list.replaceChildren(...emails.map((email, index) => emailRow(email, index)));
  $('add-email').hidden = emails.length >= MAX_ADDITIONAL_EMAILS;
}

function emailRow(email, index) {
  const item = document.createElement('li');
  item.className = 'field email-row';
  const id = `email-${index}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = `Additional email ${index + 1}`;
  const line = document.createElement('div');
  line.className = 'inline';
  const input = document.createElement('input');
  Object.assign(input, { id, name: `emails.${index}`, type: 'email', value: email, autocomplete: 'email' });
  input.setAttribute('autocapitalize', 'none');
  input.setAttribute('spellcheck', 'false');
  input.setAttribute('aria-describedby', `emails-hint ${id}-error`);
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'secondary';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `Remove additional email ${index + 1}`);
  remove.addEventListener('click', () => {
    const values = emailValues().filter((_, position) => position !== index);
    renderEmails(values);
    $('emails-status').textContent = 'Removed from the list: save to keep the change.';
    (document.querySelector('#email-list input') || $('add-email')).focus();
  });
  line.append(input, remove);
  const error = document.createElement('p');
  error.id = `${id}-error`;
  error.className = 'field-error';
  error.hidden = true;
  item.append(label, line, error);
  return item;
}

function emailValues() {
  return [...document.querySelectorAll('#email-list input')].map((input) => input.value.trim());
}

function renderPicture() {
  const image = contact.profileImage;
  const avatar = $('avatar');
  const picture = $('picture');
  if (image) {
    avatar.src = image.small;
    picture.src = image.medium;
    picture.alt = 'Your profile picture';
  } else {
    picture.removeAttribute('src');
  }
  show(avatar, Boolean(image));
  show(picture, Boolean(image));
  $('picture-caption').textContent = image ? 'Your current picture.' : 'No picture yet.';
  show($('remove-picture'), Boolean(image));
  $('image').value = '';
  $('upload-picture').disabled = true;
}

function address(value) {
  if (!value) return '';
  const line = [value.street, value.city, [value.state, value.postalCode].filter(Boolean).join(' ')];
  return line.filter(Boolean).join(', ');
}

function renderJobs() {
  const list = $('jobs');
  const items = contact.jobs.map((job) => {
    const item = document.createElement('li');
    const name = document.createElement('h3');
    name.textContent = job.name;
    item.append(name);
    if (job.address) {
      const where = document.createElement('p');
      where.textContent = address(job.address);
      item.append(where);
    }
    const others = job.owners.filter((owner) => owner.id !== contact.id).map((owner) => owner.displayName);
    const owners = document.createElement('p');
    owners.className = 'hint';
    owners.textContent = others.length ? `Co-owners: ${others.join(', ')}` : 'You are the only owner of this job.';
    item.append(owners);
    return item;
  });
  list.replaceChildren(...items);
  show($('no-jobs'), items.length === 0);
}

// -- forms --------------------------------------------------------------------

$('info-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const input = { contactId: contact.id };
  for (const name of INFO_FIELDS) {
    const value = form.elements.namedItem(name).value.trim();
    if (value !== (contact[name] || '')) input[name] = value || null;
  }
  const typed = Object.fromEntries(ADDRESS_FIELDS.map((name) => [name, $(name).value.trim()]));
  if (ADDRESS_FIELDS.some((name) => typed[name] !== ((contact.address && contact.address[name]) || ''))) {
    input.address = Object.fromEntries(ADDRESS_FIELDS.map((name) => [name, typed[name] || null]));
  }
  if (Object.keys(input).length === 1) {
    clearErrors(form);
    $('info-status').textContent = 'Nothing changed.';
    return;
  }
  save(form, () => graphql('updateContactInfo', UPDATE_INFO, { input }), 'info-status', (payload) => {
    const pending = input.primaryEmail && payload.contact && payload.contact.pendingPrimaryEmail;
    return pending ? `Saved. We emailed a link to ${pending.email}: your primary email changes once you open it.` : 'Saved.';
  });
});

$('cancel-email-change').addEventListener('click', () => {
  save($('info-form'), () => graphql('cancelEmailChange', CANCEL_EMAIL_CHANGE), 'info-status',
    () => 'The change of primary email is cancelled.');
});

$('add-email').addEventListener('click', () => {
  const values = emailValues();
  renderEmails([...values, '']);
  const inputs = document.querySelectorAll('#email-list input');
  inputs[inputs.length - 1].focus();
});

$('emails-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const emails = emailValues().filter(Boolean);
  renderEmails(emails); // the rows now match the list sent, so error paths find their row
  const input = { contactId: contact.id, emails };
  save(form, () => graphql('setAdditionalEmails', SET_EMAILS, { input }), 'emails-status', () => 'Saved.');
});

$('image').addEventListener('change', (event) => {
  const file = event.currentTarget.files[0];
  clearErrors($('picture-form'));
  $('picture-status').textContent = '';
  $('upload-picture').disabled = !file;
  if (!file) return;
  const reader = new FileReader();
  reader.addEventListener('load', () => {
    const picture = $('picture');
    picture.src = reader.result;
    picture.alt = 'Preview of your new picture';
    show(picture);
    $('picture-caption').textContent = 'Preview: upload it to save it.';
  });
  reader.readAsDataURL(file);
});

$('picture-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const file = $('image').files[0];
  if (!file) return;
  const variables = { input: { image: null } };
  save(event.currentTarget, () => upload('setProfileImage', SET_IMAGE, variables, 'image', file), 'picture-status',
    () => 'Picture saved.');
});

$('remove-picture').addEventListener('click', () => {
  save($('picture-form'), () => graphql('removeProfileImage', REMOVE_IMAGE, { input: {} }), 'picture-status',
    () => 'Picture removed.');
});

$('sms-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = { smsOptIn: $('smsOptIn').checked };
  save(event.currentTarget, () => graphql('updateNotificationPreferences', SET_SMS, { input }), 'sms-status',
    (payload) => (payload.contact && payload.contact.smsOptIn ? 'Saved: you get texts.' : 'Saved: no texts.'));
});

$('password-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const input = { currentPassword: form.currentPassword.value, newPassword: form.newPassword.value };
  save(form, () => graphql('changePassword', CHANGE_PASSWORD, { input }), 'password-status', () => {
    form.currentPassword.value = '';
    form.newPassword.value = '';
    return 'Password changed. You stay signed in here; your other devices are signed out.';
  });
});

for (const button of document.querySelectorAll('[data-sign-out]')) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await graphql('logout', LOGOUT);
    } catch {
      // The session may have ended already; the cookie goes all the same.
    }
    try {
      await forgetSession();
    } finally {
      window.location.assign('/sign-in?signed-out');
    }
  });
}

// -- start --------------------------------------------------------------------

async function start() {
  let me;
  try {
    me = await graphql('me', ME);
  } catch (error) {
    $('loading').textContent = error.message;
    return;
  }
  if (!me) {
    signedOut();
    return;
  }
  show($('loading'), false);
  if (me.__typename !== 'OwnerUser') {
    show($('builder'));
    return;
  }
  $('username').textContent = me.username;
  $('builder-name').textContent = me.builderAccount.name;
  document.querySelector('#password-form [name="username"]').value = me.username;
  show($('profile'));
  render(me.contact);
}

start();
