// Bearer token for daemons started with --token. Asked for once (on the first 401), kept in sessionStorage for the
// tab's lifetime, and sent on every request, the event stream included.
import { h } from './dom';

const KEY = 'bayesd.token';
let pending: Promise<void> | null = null;

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function setToken(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    /* storage disabled: the token lives until reload */
  }
  memoryToken = token;
}

let memoryToken: string | null = null;

export function authHeaders(): Record<string, string> {
  const token = getToken() ?? memoryToken;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Resolves once the user has entered a token. Concurrent 401s share one form. `rejected` tells that the token we
 * sent was refused (as opposed to none sent).
 */
export function requestToken(rejected: boolean): Promise<void> {
  if (!pending) {
    pending = showForm(rejected).finally(() => {
      pending = null;
    });
  }
  return pending;
}

function showForm(rejected: boolean): Promise<void> {
  return new Promise((resolve) => {
    const input = h('input', {
      type: 'password',
      name: 'token',
      autocomplete: 'current-password',
      placeholder: 'token',
      'aria-label': 'API token',
      required: true,
    });
    const form = h(
      'form',
      { class: 'token-form', 'data-testid': 'token-form' },
      h('h2', null, 'This daemon requires a token'),
      h(
        'p',
        null,
        rejected
          ? 'The token was rejected. Enter the token the daemon was started with (--token or BAYESD_TOKEN).'
          : 'Enter the token the daemon was started with (--token or BAYESD_TOKEN). It is kept for this tab only.',
      ),
      input,
      h('button', { type: 'submit' }, 'Continue'),
    );
    const overlay = h('div', { class: 'overlay' }, form);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      setToken(value);
      overlay.remove();
      resolve();
    });
    document.body.appendChild(overlay);
    input.focus();
  });
}
