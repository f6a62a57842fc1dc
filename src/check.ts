/**
 * The `check` use case: asks Pipedrive who the credentials belong to. Its answer is one CONNECTION_STATUS, a failure
 * included (bad credentials, a refused OAuth refresh, an unreachable API), with a message a person can act on.
 */
import { Observable, catchError, concatMap, map, of } from 'rxjs';
import { connectionStatusMessage, type AirbyteMessage } from './protocol.js';
import type { Session } from './session.js';

export function check(session: Session): Observable<AirbyteMessage[]> {
  return session.roots().pipe(
    concatMap((root) => session.requester.request({ name: 'check', tokenCost: 2 }, { method: 'GET', url: `${root('v1')}/users/me` })),
    map((me) => {
      const data = (me.data as { data?: { name?: unknown; company_name?: unknown } } | null)?.data;
      const who = data && typeof data.name === 'string' ? ` as ${data.name}${typeof data.company_name === 'string' ? ` (${data.company_name})` : ''}` : '';
      session.log.info(`Connected to Pipedrive${who}`);
      return [connectionStatusMessage(true)];
    }),
    catchError((err: unknown) => of([connectionStatusMessage(false, session.describe(err).message)])),
  );
}
