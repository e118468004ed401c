// /sign-in: `login`, then the session goes into the cookie and the owner to /me.
// A builder's session is ended at once (`logout` with its own token): these pages
// are the owner's, and builder staff work in their own app or GraphiQL.
import { USER_ERRORS, graphql } from './api.js';
import { clearErrors, show } from './forms.js';
import { submitForSession } from './session-form.js';

const LOGIN = `mutation SignIn($input: LoginInput!) {
  login(input: $input) { token viewer { __typename } ${USER_ERRORS} }
}`;
const LOGOUT = 'mutation SignOut { logout { ok } }';
const ME = 'query Viewer { me { __typename } }';

const form = document.getElementById('sign-in-form');

if (new URLSearchParams(window.location.search).has('signed-out')) {
  show(document.getElementById('signed-out'));
}

const builderNotice = document.getElementById('builder');
form.addEventListener('submit', () => show(builderNotice, false));

submitForSession(
  form,
  () => graphql('login', LOGIN, { input: { username: form.username.value, password: form.password.value } }),
  {
    async onOtherViewer(payload) {
      await graphql('logout', LOGOUT, {}, { token: payload.token });
      clearErrors(form);
      form.reset();
      show(builderNotice);
      document.getElementById('builder-heading').focus();
    },
  },
);

// Already signed in here: straight to the profile.
graphql('me', ME).then((me) => {
  if (me && me.__typename === 'OwnerUser') window.location.replace('/me');
}).catch(() => {});
