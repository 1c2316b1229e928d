import type { EventName, EventPayload } from '../../shared/api/contract';

export type AnyEvent = { [K in EventName]: { name: K; payload: EventPayload<K> } }[EventName];
export type EventListener = (event: AnyEvent) => void;

/** Fan-out of main → renderer events; each transport subscribes once. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const listener of this.listeners) listener({ name, payload } as AnyEvent);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
