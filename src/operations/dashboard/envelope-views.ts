import type { CodecRegistry } from '../../codecs/codec-registry.js';
import type { FailedMessageStore, FailedMessageSummary } from '../errors/failed-message-store.js';
import { type EnvelopeView, envelopeView, MAX_VIEWED_RAW_BYTES } from './views.js';

/** How many failed messages' views are kept (the pages open at once, in practice). */
const KEPT = 32;

/**
 * The views of failed messages' bytes, each decoded once: a message page polls every few seconds, and its
 * bytes (which may be large) change only when it fails again, under a new hash. Bytes past
 * MAX_VIEWED_RAW_BYTES are never read for a view.
 */
export class EnvelopeViews {
  private readonly kept = new Map<string, EnvelopeView>();

  constructor(
    private readonly store: FailedMessageStore,
    private readonly codecs: CodecRegistry,
  ) {}

  async of(summary: FailedMessageSummary): Promise<EnvelopeView> {
    const key = `${summary.id}:${summary.rawHash}`;
    let view = this.kept.get(key);
    if (view === undefined) {
      const raw = summary.rawBytes > MAX_VIEWED_RAW_BYTES ? null : await this.store.raw(summary.id);
      view = envelopeView(raw, summary.rawBytes, this.codecs);
      if (this.kept.size >= KEPT) this.kept.delete(this.kept.keys().next().value!);
    } else this.kept.delete(key); // moved to the end: the most recently viewed
    this.kept.set(key, view);
    return view;
  }
}
