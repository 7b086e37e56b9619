// Every call to the REST API. When the server answers 401, the reader is asked for the token once; it is
// kept in sessionStorage (this tab only) and sent as `Authorization: Bearer`, never as a cookie, so no
// other site can make the browser send it.

const TOKEN_KEY = 'swiftmage.api_token';

export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

let asking = null;

/** Opens the token dialog (one at a time, however many calls were refused); resolves to the token or null. */
function askToken(refusal) {
  if (asking) return asking;
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  asking = new Promise((resolve) => {
    const finish = (value) => {
      form.removeEventListener('submit', submitted);
      cancel.removeEventListener('click', cancelled);
      dialog.removeEventListener('cancel', cancelled);
      if (dialog.open) dialog.close();
      asking = null;
      resolve(value);
    };
    const submitted = (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      input.value = '';
      finish(value);
    };
    const cancelled = (event) => {
      event.preventDefault();
      finish(null);
    };
    const cancel = document.getElementById('token-cancel');
    form.addEventListener('submit', submitted);
    cancel.addEventListener('click', cancelled);
    dialog.addEventListener('cancel', cancelled);
    dialog.querySelector('p').textContent = refusal === 'the bearer token is not valid'
      ? 'The token given was refused; enter the server\'s MAGE_API_TOKEN.'
      : 'This server needs its API token (MAGE_API_TOKEN). It is kept for this tab only.';
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/** `fetch` with the token; a 401 asks for it and tries once more with the new one. */
export async function authorizedFetch(path, options = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = new Headers(options.headers || {});
    const current = token();
    if (current) headers.set('Authorization', `Bearer ${current}`);
    const response = await fetch(path, {...options, headers, credentials: 'omit'});
    if (response.status !== 401 || attempt === 2) return response;
    const refusal = await errorMessage(response);
    sessionStorage.removeItem(TOKEN_KEY);
    if (!(await askToken(refusal))) throw new APIError(401, 'this server needs its API token');
  }
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.error || response.statusText;
  } catch {
    return response.statusText || `HTTP ${response.status}`;
  }
}

/** The JSON answer of `path`; an error answer throws `APIError` with the server's message. */
export async function api(path, {method = 'GET', body} = {}) {
  const options = {method, headers: {Accept: 'application/json'}};
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await authorizedFetch(path, options);
  if (!response.ok) throw new APIError(response.status, await errorMessage(response));
  return response.json();
}

/**
 * Follows a Server-Sent Events stream (`log`, `status`, `end`): with EventSource while no token is needed;
 * through fetch when one is (EventSource cannot send a header) or when EventSource was refused.
 * `onEvent(name, data)`; returns `{close()}`.
 */
export function followEvents(path, onEvent) {
  let closed = false;
  let reader = null;
  let source = null;
  const viaFetch = async () => {
    const response = await authorizedFetch(path, {headers: {Accept: 'text/event-stream'}});
    if (!response.ok) throw new APIError(response.status, await errorMessage(response));
    reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!closed) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true});
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length && !closed) onEvent(name, data.join('\n'));
        if (name === 'end') closed = true;
      }
    }
  };
  const fallBack = () => viaFetch().catch((error) => { if (!closed) onEvent('error', error.message); });
  if (token()) {
    fallBack();
  } else {
    source = new EventSource(path);
    for (const name of ['log', 'status', 'end']) {
      source.addEventListener(name, (event) => {
        if (name === 'end') source.close();
        if (!closed) onEvent(name, event.data);
        if (name === 'end') closed = true;
      });
    }
    source.addEventListener('error', () => {
      // CLOSED: the server refused the stream (401 under MAGE_API_AUTH=all, 404); fetch says why.
      if (source.readyState === EventSource.CLOSED && !closed) fallBack();
    });
  }
  return {
    close() {
      closed = true;
      if (source) source.close();
      if (reader) reader.cancel().catch(() => {});
    },
  };
}
