import type { TriggerInfo, TriggerLogDto } from '../../../../shared/contract/queue.ts';
import type { Store } from '../../records/store.ts';

/**
 * The trigger log: every change event the server accepted, by delivery id (unique, so a replayed
 * delivery is recognised atomically: the second insert of an id changes nothing), with what it
 * queued. Kept in the data directory's database; the oldest entries beyond MAX_ENTRIES go.
 */

export const MAX_ENTRIES = 10_000;

interface Row {
  id: number;
  delivery_id: string;
  source: TriggerInfo['source'];
  received_at: string;
  summary: string;
  outcome: string;
  queued: string;
}

export class TriggerLog {
  constructor(
    private readonly db: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** record a delivery; false when this delivery id was received before (a replay) */
  claim(deliveryId: string, source: TriggerInfo['source'], summary: string): { fresh: true; id: number } | { fresh: false; receivedAt: string } {
    const info = this.db
      .prepare(`INSERT INTO triggers (delivery_id, source, received_at, summary, outcome, queued) VALUES (?, ?, ?, ?, 'received', '[]') ON CONFLICT (delivery_id) DO NOTHING`)
      .run(deliveryId, source, this.now().toISOString(), summary);
    if (info.changes === 0) {
      const at = this.db.prepare('SELECT received_at FROM triggers WHERE delivery_id = ?').pluck().get(deliveryId) as string;
      return { fresh: false, receivedAt: at };
    }
    this.db.prepare('DELETE FROM triggers WHERE id <= ?').run(Number(info.lastInsertRowid) - MAX_ENTRIES);
    return { fresh: true, id: Number(info.lastInsertRowid) };
  }

  settle(id: number, outcome: string, queued: string[]): void {
    this.db.prepare('UPDATE triggers SET outcome = ?, queued = ? WHERE id = ?').run(outcome, JSON.stringify(queued), id);
  }

  list(limit = 50): TriggerLogDto[] {
    const rows = this.db.prepare('SELECT * FROM triggers ORDER BY id DESC LIMIT ?').all(limit) as Row[];
    return rows.map((r) => ({ id: r.id, deliveryId: r.delivery_id, source: r.source, receivedAt: r.received_at, summary: r.summary, outcome: r.outcome, queued: JSON.parse(r.queued) as string[] }));
  }
}
