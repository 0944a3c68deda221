// A small typed event emitter for the key's events: listeners by name, or '*' for all of them.
// A listener that throws does not disturb the key: the error is reported as uncaught, as
// EventTarget does, after the other listeners ran.
import type { KeyEvent, KeyEventMap, KeyEventName, KeyEventOf } from './types.js';

export type KeyEventListener<E extends KeyEventName | '*'> = (event: E extends KeyEventName ? KeyEventOf<E> : KeyEvent) => void;

type AnyListener = (event: KeyEvent) => void;

export class KeyEvents {
  private readonly listeners = new Map<KeyEventName | '*', Set<AnyListener>>();

  constructor(private readonly now: () => number) {}

  on<E extends KeyEventName | '*'>(name: E, listener: KeyEventListener<E>): void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as AnyListener);
  }

  off<E extends KeyEventName | '*'>(name: E, listener: KeyEventListener<E>): void {
    this.listeners.get(name)?.delete(listener as AnyListener);
  }

  /** Whether anyone listens (events are not even built otherwise). */
  get watched(): boolean {
    for (const set of this.listeners.values()) if (set.size > 0) return true;
    return false;
  }

  emit<E extends KeyEventName>(type: E, members: KeyEventMap[E]): void {
    if (!this.watched) return;
    const event = { type, time: new Date(this.now()).toISOString(), ...members } as KeyEvent;
    for (const set of [this.listeners.get(type), this.listeners.get('*')]) {
      for (const listener of [...(set ?? [])]) {
        try {
          listener(event);
        } catch (e) {
          queueMicrotask(() => {
            throw e;
          });
        }
      }
    }
  }
}
