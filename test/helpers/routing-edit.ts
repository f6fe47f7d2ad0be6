import type { Routing } from '../../src/config/routing-schema.js';
import { adminCall, adminTokens } from './http.js';

/** Changes the stored routing through the admin API as an editor does: read it, change it, PUT it with If-Match. */
export async function editRouting(base: string, change: (routing: Routing) => void, note: string): Promise<void> {
  const current = await adminCall(base, 'GET', '/routing', adminTokens.editor);
  const document = structuredClone(current.body.document as Routing);
  change(document);
  const saved = await adminCall(
    base,
    'PUT',
    '/routing',
    adminTokens.editor,
    { note, document },
    { 'if-match': current.headers.get('etag')! },
  );
  if (saved.status !== 200) throw new Error(`routing change refused (${saved.status}): ${JSON.stringify(saved.body)}`);
}

/** Points a push destination at a closed port with one attempt only, so each message to it is dead-lettered at once. */
export function breakDestination(routing: Routing, id: string): void {
  const destination = routing.destinations.find((d) => d.id === id);
  if (!destination) throw new Error(`no destination ${id}`);
  destination.adapter = { ...destination.adapter, url: 'http://127.0.0.1:9/nowhere' } as typeof destination.adapter;
  destination.retry = { initialDelaySeconds: 0.01, maxDelaySeconds: 0.01, maxAttempts: 1 };
}
