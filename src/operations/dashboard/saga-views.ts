import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { SqlStore } from '../../stores/sql/operations.js';
import { listSagaInstances, sagaInstance, sagaTypeCounts } from '../sagas/saga-instances.js';
import { MAX_SHOWN_STATE_BYTES, sagaStateView, shownSagaRow } from '../sagas/saga-state-view.js';
import type { SagasAnswer, SagaView } from './api-types.js';

// What the Sagas page's API answers: the endpoints' saga instances, masked and bounded as the CLI shows them.

const NAME_CHARS = 1024;

interface SagaFilter {
  readonly type?: string;
  /** As given ('1h'), and in ms. */
  readonly stuck?: string;
  readonly stuckMs?: number;
  readonly limit: number;
}

/** The instances matching `filter`, and the count per type; a store that cannot be read answers why. */
export async function sagasOf(store: SqlStore, where: string, filter: SagaFilter): Promise<NonNullable<SagasAnswer['sagas']>> {
  const asked = { where, type: filter.type ?? null, stuck: filter.stuck ?? null, limit: filter.limit };
  try {
    const startedBefore = filter.stuckMs === undefined ? undefined : Date.now() - filter.stuckMs;
    const [types, found] = await Promise.all([sagaTypeCounts(store), listSagaInstances(store, { sagaType: filter.type, startedBefore, limit: filter.limit })]);
    return {
      ...asked,
      types: types.map((t) => ({ ...t, sagaType: maskSecrets(t.sagaType, NAME_CHARS) })),
      total: found.total,
      instances: found.instances.map(shownSagaRow),
      error: null,
    };
  } catch (error) {
    return { ...asked, types: [], total: 0, instances: [], error: maskSecrets(error instanceof Error ? error.message : String(error)) };
  }
}

/** One instance with its state as shown, or undefined. */
export async function sagaInstanceView(store: SqlStore, instanceId: string): Promise<SagaView | undefined> {
  const found = await sagaInstance(store, instanceId, MAX_SHOWN_STATE_BYTES);
  if (!found) return undefined;
  const { state: _bytes, ...row } = found;
  return { ...shownSagaRow(row), state: sagaStateView(found) };
}
