// The pages' GraphQL client: plain fetch against /graphql, the same operations any
// other client sends. The session travels in the HttpOnly cookie that
// /owner-session sets; the X-GraphQL-CSRF header is what lets the server accept that
// cookie (SPEC 9's CSRF rule), so every request here sends it.

const CSRF_HEADER = { 'X-GraphQL-CSRF': '1' };

export class ApiError extends Error {
  constructor(message, code = null) {
    super(message);
    this.code = code;
  }
}

const UNREACHABLE = 'The server could not be reached. Check your connection and try again.';

async function send(body, headers) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/graphql-response+json, application/json', ...CSRF_HEADER, ...headers },
      body,
    });
  } catch {
    throw new ApiError(UNREACHABLE);
  }
  let result;
  try {
    result = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status}. Try again in a moment.`);
  }
  return result;
}

// The field's value, or an ApiError with the first error's words. A root field may
// be null beside errors (SPEC 12: root fields are nullable), so both are looked at.
function fieldOf(result, name) {
  const value = result && result.data ? result.data[name] : undefined;
  if (value !== undefined && value !== null) return value;
  const error = (result && result.errors && result.errors[0]) || null;
  if (error) {
    const code = (error.extensions && error.extensions.code) || null;
    throw new ApiError(error.message || 'Something went wrong. Try again.', code);
  }
  return value === undefined ? null : value;
}

/** Runs one operation and returns `data[name]` (null only when the API says null). */
export async function graphql(name, query, variables = {}, { token } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const result = await send(JSON.stringify({ query, variables }), headers);
  return fieldOf(result, name);
}

/** A GraphQL multipart request (one file, at `variables.input.<key>`). */
export async function upload(name, query, variables, key, file) {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify({ 0: [`variables.input.${key}`] }));
  form.append('0', file, file.name);
  const result = await send(form, {});
  return fieldOf(result, name);
}

/** Keeps a session token in the HttpOnly cookie, so that it stays out of scripts. */
export async function keepSession(token) {
  await sessionRequest('POST', JSON.stringify({ token }));
}

/** Clears the session cookie (after `logout` has ended the session itself). */
export async function forgetSession() {
  await sessionRequest('DELETE', null);
}

async function sessionRequest(method, body) {
  let response;
  try {
    response = await fetch('/owner-session', {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', ...CSRF_HEADER },
      body,
    });
  } catch {
    throw new ApiError(UNREACHABLE);
  }
  if (!response.ok) {
    let message = 'You could not be signed in here. Try again.';
    try {
      message = (await response.json()).error || message;
    } catch {
      // keep the general words
    }
    throw new ApiError(message);
  }
}

export const USER_ERRORS = 'userErrors { field message code }';
