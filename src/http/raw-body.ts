/** An error a framework answers with 413 (Fastify and Express both read `statusCode`). */
export class BodyTooLargeError extends Error {
  readonly statusCode = 413;
  readonly status = 413;
  readonly code = 'FST_ERR_CTP_BODY_TOO_LARGE';
  constructor(limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** Reads a request stream to its end, refusing (before buffering more) a body over `limit` bytes. */
export async function readRawBody(stream: AsyncIterable<unknown>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    size += bytes.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}
