// node-postgres's own parameter serializer (its package exports lib/*), typed for the pipeline.
declare module 'pg/lib/utils.js' {
  const utils: { prepareValue(value: unknown): unknown };
  export default utils;
}
