// The versions of the systems oncebus is measured against, read from their installed package.json: what
// ran, not what package.json asked for, so the report never names a version by hand.
import { readFileSync } from 'node:fs';

export const ANCHOR_PACKAGES = ['graphile-worker', 'pg-boss', 'plainjob', 'amqplib', '@node-ts/bus-core', '@dbos-inc/dbos-sdk'] as const;

export type AnchorPackage = (typeof ANCHOR_PACKAGES)[number];

/** Package name → its installed version, or 'not installed'. */
export type AnchorVersions = Readonly<Record<AnchorPackage, string>>;

/** Reads each anchor's version from `<root>node_modules/<name>/package.json` (root ends with a slash). */
export function installedVersions(root: string): AnchorVersions {
  const versions = {} as Record<AnchorPackage, string>;
  for (const name of ANCHOR_PACKAGES) {
    try {
      versions[name] = String((JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      versions[name] = 'not installed';
    }
  }
  return versions;
}

/** "graphile-worker 0.18.0, pg-boss 12.38.1, …" for the report's header. */
export const describeVersions = (versions: AnchorVersions): string => ANCHOR_PACKAGES.map((name) => `${name} ${versions[name]}`).join(', ');
