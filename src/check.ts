/**
 * The `check` use case: asks Pipedrive who the credentials belong to. Its answer is one CONNECTION_STATUS, a failure
 * included (bad credentials, a refused OAuth refresh, an unreachable API), with a message a person can act on.
 */
import { Observable, catchError, concatMap, map, of } from 'rxjs';
import { connectionStatusMessage, type AirbyteMessage } from './protocol.js';
import type { Session } from './session.js';

/** A check is interactive: two retries, waits of at most 5 s (the CLI and the Node API both use these). */
export const CHECK_REQUESTS = { timeoutMs: 30_000, maxRetries: 2, maxDelayMs: 5_000 } as const;

/** Who the credentials belong to (`GET /v1/users/me`, 2 API tokens); errors as the request path raises them. */
export function whoAmI(session: Session): Observable<{ name?: string; company?: string }> {
  return session.roots().pipe(
    concatMap((root) => session.requester.request({ name: 'check', tokenCost: 2 }, { method: 'GET', url: `${root('v1')}/users/me` })),
    map((me) => {
      const data = (me.data as { data?: { name?: unknown; company_name?: unknown } } | null)?.data;
      return {
        ...(typeof data?.name === 'string' ? { name: data.name } : {}),
        ...(typeof data?.company_name === 'string' ? { company: data.company_name } : {}),
      };
    }),
  );
}

export function check(session: Session): Observable<AirbyteMessage[]> {
  return whoAmI(session).pipe(
    map(({ name, company }) => {
      const who = name !== undefined ? ` as ${name}${company !== undefined ? ` (${company})` : ''}` : '';
      session.log.info(`Connected to Pipedrive${who}`);
      return [connectionStatusMessage(true)];
    }),
    catchError((err: unknown) => of([connectionStatusMessage(false, session.describe(err).message)])),
  );
}
