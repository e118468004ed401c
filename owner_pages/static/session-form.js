// The submit of a form whose mutation answers with a session (acceptInvite, login,
// resetPassword): refusals go under their fields, a dead link is the page's to
// show, a builder's session is the page's to handle, and an owner's session goes
// into the cookie before the owner lands on /me.
import { ApiError, keepSession } from './api.js';
import { busy, showErrors, showFormError } from './forms.js';

/**
 * `run()` sends the mutation and returns its payload ({token, viewer, userErrors}).
 * `onDeadToken()` is called for INVALID_TOKEN, `onOtherViewer(payload)` for a
 * session that is not an owner's.
 */
export function submitForSession(form, run, { onDeadToken = null, onOtherViewer = null } = {}) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form, async () => {
      try {
        const payload = await run();
        if (onDeadToken && payload.userErrors.some((error) => error.code === 'INVALID_TOKEN')) {
          onDeadToken();
          return;
        }
        if (payload.userErrors.length) {
          showErrors(form, payload.userErrors);
          return;
        }
        if (payload.viewer.__typename !== 'OwnerUser' && onOtherViewer) {
          await onOtherViewer(payload);
          return;
        }
        await keepSession(payload.token);
        window.location.assign('/me');
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        showFormError(form, error.message);
      }
    });
  });
}
