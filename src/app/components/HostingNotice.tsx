/**
 * Whether the page runs cross-origin isolated (multi-threaded scoring) and is kept for offline use,
 * and, when not, what the host must do (src/app/isolation.ts, docs/hosting.md).
 */
import { useSyncExternalStore } from 'react';
import { hostingStatus, type HostingStatus } from '../isolation';

export function HostingNotice() {
  const status = useSyncExternalStore(hostingStatus.subscribe, hostingStatus.get);
  return (
    <p className="muted small" data-testid="hosting-status">
      <span data-testid="isolation-status">{isolationText(status)}</span> <span data-testid="offline-status">{offlineText(status)}</span>
    </p>
  );
}

function isolationText({ isolated, threads, serviceWorker }: HostingStatus): string {
  if (isolated) return `Cross-origin isolated: scoring runs multi-threaded (${threads} thread${threads === 1 ? '' : 's'}).`;
  const why = serviceWorker.kind === 'unavailable' ? ` The service worker that would isolate it is unavailable: ${serviceWorker.reason}.` : '';
  return (
    `Not cross-origin isolated: scoring runs on one thread.${why} To fix it, serve the app over HTTPS (or from localhost) so that its ` +
    'service worker can isolate the page, or have the host send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp.'
  );
}

function offlineText({ serviceWorker, offline }: HostingStatus): string {
  switch (serviceWorker.kind) {
    case 'development':
      return '';
    case 'unavailable':
      return 'Not kept for offline use.';
    case 'starting':
      return 'Keeping the app for offline use…';
    case 'active':
      if (!offline) return 'Keeping the app for offline use…';
      if (offline.cached === offline.total) return `Works offline: all ${offline.total} files of the app are kept in this browser.`;
      return `Offline use incomplete: ${offline.cached} of ${offline.total} files kept${offline.failure ? ` (${offline.failure})` : ''}; reload with the network on to finish.`;
  }
}
