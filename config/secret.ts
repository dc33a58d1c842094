import { inspect } from 'node:util';

/**
 * A configuration secret. It never prints: not via JSON.stringify, util.inspect,
 * template strings or pino. Call `.reveal()` at the single place that needs the value.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }
  reveal(): string {
    return this.#value;
  }
  get isSet(): boolean {
    return this.#value.length > 0;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}
