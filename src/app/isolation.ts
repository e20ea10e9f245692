/**
 * Cross-origin isolation and offline use on any static host, through the app's service worker
 * (workers/service-worker/sw.ts). Built app only: the dev server sends the isolation headers itself.
 * - Host sends COOP/COEP: the page is isolated from the start; the worker is registered for offline use.
 * - Host sends none: the first visit registers the worker and reloads once; from then on the worker
 *   adds the headers and the page is isolated.
 * - No service worker (plain http on another machine, private windows of some browsers, blocked):
 *   the page runs single-threaded and says what the host must do (HostingNotice).
 */
import { workerThreads } from '../../workers/threads';
import type { CacheRestRequest, OfflineStatus } from '../../workers/service-worker/protocol';

/** Set before the one reload into isolation, so that a browser that will not isolate is not reloaded forever. */
const RELOADED_KEY = 'xling-lab-isolation-reload';

export type ServiceWorkerState =
  | { kind: 'development' }
  | { kind: 'starting' }
  | { kind: 'active' }
  | { kind: 'unavailable'; reason: string };

export interface HostingStatus {
  isolated: boolean;
  /** Threads each scoring pool and WASM runtime may use (workers/threads.ts). */
  threads: number;
  serviceWorker: ServiceWorkerState;
  /** Null until the service worker has answered. */
  offline: OfflineStatus | null;
}

let status: HostingStatus = {
  isolated: self.crossOriginIsolated,
  threads: workerThreads(),
  serviceWorker: import.meta.env.PROD ? { kind: 'starting' } : { kind: 'development' },
  offline: null,
};
const listeners = new Set<() => void>();

function update(patch: Partial<HostingStatus>): void {
  status = { ...status, ...patch };
  for (const listener of listeners) listener();
}

export const hostingStatus = {
  get: (): HostingStatus => status,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/**
 * Registers the service worker; 'reloading' when the page reloads into isolation (render nothing
 * then). Never throws: what went wrong is kept in the status the page shows.
 */
export async function startServiceWorker(): Promise<'reloading' | 'started'> {
  if (!import.meta.env.PROD) return 'started';
  if (!('serviceWorker' in navigator)) {
    update({ serviceWorker: { kind: 'unavailable', reason: self.isSecureContext ? 'this browser has no service workers here (a private window?)' : 'the page is not served over HTTPS (or from localhost)' } });
    return 'started';
  }
  let registration: ServiceWorkerRegistration;
  try {
    // Beside index.html: its scope is the app's folder, whatever sub-path the host gives it.
    registration = await navigator.serviceWorker.register(new URL('sw.js', location.href));
  } catch (error) {
    update({ serviceWorker: { kind: 'unavailable', reason: `the service worker could not be registered (${error instanceof Error ? error.message : String(error)})` } });
    return 'started';
  }
  const failure = await activation(registration);
  if (failure) {
    update({ serviceWorker: { kind: 'unavailable', reason: failure } });
    return 'started';
  }
  if (!self.crossOriginIsolated && sessionStorage.getItem(RELOADED_KEY) === null) {
    sessionStorage.setItem(RELOADED_KEY, '1');
    location.reload();
    return 'reloading';
  }
  // Kept while the page is still not isolated: a later reload does not try again.
  if (self.crossOriginIsolated) sessionStorage.removeItem(RELOADED_KEY);
  update({ serviceWorker: { kind: 'active' } });
  askForOfflineCopy(registration);
  return 'started';
}

/** How long the page waits for the service worker before it starts without it. */
const ACTIVATION_LIMIT_MS = 30_000;

/**
 * Null once the service worker is active; else why not. A worker whose install fails (a file of the
 * build missing on the host) never becomes active: waiting for `ready` alone would never end.
 */
function activation(registration: ServiceWorkerRegistration): Promise<string | null> {
  return new Promise((resolve) => {
    void navigator.serviceWorker.ready.then(() => resolve(null));
    const installing = registration.installing ?? registration.waiting;
    installing?.addEventListener('statechange', () => {
      if (installing.state === 'redundant' && !registration.active) {
        resolve('the service worker could not keep a copy of the app (is every file of the build on the host?)');
      }
    });
    setTimeout(() => resolve(`the service worker did not start within ${ACTIVATION_LIMIT_MS / 1000} s (a slow network?): reload the page to try again`), ACTIVATION_LIMIT_MS);
  });
}

/** The large files are cached after the page runs, so the first start does not wait for them. */
function askForOfflineCopy(registration: ServiceWorkerRegistration): void {
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<OfflineStatus>) => {
    if (event.data?.type === 'offline-status') update({ offline: event.data });
  });
  const request: CacheRestRequest = { type: 'cache-rest' };
  registration.active?.postMessage(request);
}
