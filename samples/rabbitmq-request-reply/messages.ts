import { messageType } from '../../src/index.js';

@messageType('quotes.RequestQuote')
export class RequestQuote {
  constructor(
    public sku = '',
    public quantity = 0,
  ) {}
}

@messageType('quotes.QuoteGiven')
export class QuoteGiven {
  constructor(
    public sku = '',
    public price = 0,
  ) {}
}

export const RABBITMQ = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const PG = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';

/** rabbitmq://user:pass@host:port/<queue> for the broker at RABBITMQ_URL. */
export function queue(name: string): string {
  const u = new URL(RABBITMQ);
  return `rabbitmq://${u.username}:${u.password}@${u.host}/${name}`;
}
