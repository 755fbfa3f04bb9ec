import type { Route } from './routes.js';

/**
 * One page of the dashboard: build() makes what stays while the operator is on it (inputs keep their focus
 * and text), load() fetches its data at every refresh, render() makes what the data changes.
 */
export interface View<T> {
  readonly title: string;
  build(r: Route): Node;
  /** Brings what build() made in line with the address (the Back button, a link), when it is the same view. */
  sync?(r: Route): void;
  load(r: Route): Promise<T>;
  render(data: T, r: Route): Node;
}
