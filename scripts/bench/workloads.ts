/**
 * The workloads, the same on every client: big and reference-size files up
 * and down, trees of small files up and down, many clients at once, and
 * connect + authenticate + list + disconnect.
 *
 * @module
 */

import {
  checkFile,
  checkTree,
  copyTree,
  removeQuietly,
  type SetAside,
  type TreeManifest,
} from "./fixtures.ts";
import type { Plan } from "./measure.ts";
import type { Tool } from "./tools.ts";

/** The workload names, in the order they run. */
export const WORKLOAD_IDS = [
  "put-ref",
  "get-ref",
  "put-big",
  "get-big",
  "put-tree",
  "get-tree",
  "put-concurrent",
  "connect",
] as const;

/** A workload name. */
export type WorkloadId = typeof WORKLOAD_IDS[number];

/** The unit a workload's rate is given in. */
export type Unit = "MB/s" | "files/s" | "connects/s";

/** Sizes of the workloads. */
export interface Sizes {
  /** The big file, MiB (1024; `--size`). */
  bigMiB: number;
  /** The reference file for the memory check, MiB (64). */
  refMiB: number;
  /** Files in a tree (1000). */
  treeFiles: number;
  /** Bytes of each tree file (4096). */
  treeFileBytes: number;
  /** Clients at once (16). */
  clients: number;
  /** MiB each of them puts (64). */
  clientMiB: number;
  /** Connections one after the other (20). */
  connects: number;
}

/** A file made once in the working folder. */
export interface FileFixture {
  /** Its name in the working folder. */
  name: string;
  /** Its size. */
  bytes: number;
  /** Its SHA-256. */
  sha256: string;
}

/** The source data, made once in the working folder. */
export interface Fixtures {
  /** The working folder. */
  work: string;
  /** The reference-size file. */
  ref: FileFixture;
  /** The big file. */
  big: FileFixture;
  /** The file each concurrent client puts. */
  client: FileFixture;
  /** The tree of small files (its folder name). */
  tree: { name: string; manifest: TreeManifest };
  /** Where the trees of each round go, not deleted until the run ends. */
  setAside: SetAside;
}

/** A workload: what it moves and how each client does it. */
export interface Workload {
  /** Its name. */
  id: WorkloadId;
  /** A human title such as "put 1 file of 1024 MiB". */
  title: string;
  /** The rate unit. */
  unit: Unit;
  /** Bytes, files or connections moved per run, for the rate. */
  amount: number;
  /**
   * The plan for one client.
   *
   * @returns The plan, or `undefined` when the client cannot do this.
   */
  plan(tool: Tool): Plan | undefined;
}

const MIB = 1024 * 1024;

function putFile(id: WorkloadId, file: FileFixture, title: string): Workload {
  return {
    id,
    title,
    unit: "MB/s",
    amount: file.bytes,
    plan(tool): Plan {
      const remote = `${tool.name}-${id}.bin`;
      return {
        prepare: async () => {},
        commands: [tool.putFile(file.name, remote)],
        concurrent: false,
        verify: () => checkFile(`${tool.remoteRoot}/${remote}`, file.sha256),
        cleanup: () => removeQuietly(`${tool.remoteRoot}/${remote}`),
      };
    },
  };
}

function getFile(id: WorkloadId, fixtures: Fixtures, file: FileFixture, title: string): Workload {
  return {
    id,
    title,
    unit: "MB/s",
    amount: file.bytes,
    plan(tool): Plan {
      const name = `${tool.name}-${id}.bin`;
      // A local name that does not exist remotely: `get a b` with both
      // existing on the server means "get a and b" to a multi-file client.
      const local = `back-${name}`;
      return {
        prepare: () => Deno.copyFile(`${fixtures.work}/${file.name}`, `${tool.remoteRoot}/${name}`),
        commands: [tool.getFile(name, local)],
        concurrent: false,
        verify: () => checkFile(`${fixtures.work}/${local}`, file.sha256),
        cleanup: async () => {
          await removeQuietly(`${tool.remoteRoot}/${name}`);
          await removeQuietly(`${fixtures.work}/${local}`);
        },
      };
    },
  };
}

/**
 * Builds the workloads for the given sizes.
 *
 * @param sizes How big.
 * @param fixtures The source data.
 * @returns Every workload, in {@linkcode WORKLOAD_IDS} order.
 */
export function workloads(sizes: Sizes, fixtures: Fixtures): Workload[] {
  const { tree } = fixtures;
  const files = `${sizes.treeFiles} files of ${sizes.treeFileBytes / 1024} KiB`;
  return [
    putFile("put-ref", fixtures.ref, `put 1 file of ${sizes.refMiB} MiB`),
    getFile("get-ref", fixtures, fixtures.ref, `get 1 file of ${sizes.refMiB} MiB`),
    putFile("put-big", fixtures.big, `put 1 file of ${sizes.bigMiB} MiB`),
    getFile("get-big", fixtures, fixtures.big, `get 1 file of ${sizes.bigMiB} MiB`),
    {
      id: "put-tree",
      title: `put -r ${files}`,
      unit: "files/s",
      amount: sizes.treeFiles,
      plan(tool): Plan {
        const remote = `${tool.name}-put-tree`;
        return {
          prepare: async () => {},
          commands: [tool.putTree(tree.name, remote)],
          concurrent: false,
          verify: () => checkTree(`${tool.remoteRoot}/${remote}`, tree.manifest),
          cleanup: () => fixtures.setAside.move(`${tool.remoteRoot}/${remote}`),
        };
      },
    },
    {
      id: "get-tree",
      title: `get -r ${files}`,
      unit: "files/s",
      amount: sizes.treeFiles,
      plan(tool): Plan {
        const name = `${tool.name}-get-tree`;
        const local = `back-${name}`;
        return {
          prepare: () => copyTree(`${fixtures.work}/${tree.name}`, `${tool.remoteRoot}/${name}`),
          commands: [tool.getTree(name, local)],
          concurrent: false,
          verify: () => checkTree(`${fixtures.work}/${local}`, tree.manifest),
          cleanup: async () => {
            await fixtures.setAside.move(`${tool.remoteRoot}/${name}`);
            await fixtures.setAside.move(`${fixtures.work}/${local}`);
          },
        };
      },
    },
    {
      id: "put-concurrent",
      title: `${sizes.clients} clients at once, each put 1 file of ${sizes.clientMiB} MiB`,
      unit: "MB/s",
      amount: sizes.clients * sizes.clientMiB * MIB,
      plan(tool): Plan {
        const names = Array.from({ length: sizes.clients }, (_, i) => `${tool.name}-c${i}.bin`);
        return {
          prepare: async () => {},
          commands: names.map((name) => tool.putFile(fixtures.client.name, name)),
          concurrent: true,
          verify: async () => {
            for (const name of names) {
              await checkFile(`${tool.remoteRoot}/${name}`, fixtures.client.sha256);
            }
          },
          cleanup: async () => {
            for (const name of names) await removeQuietly(`${tool.remoteRoot}/${name}`);
          },
        };
      },
    },
    {
      id: "connect",
      title: `connect + authenticate + list + disconnect, ${sizes.connects} times`,
      unit: "connects/s",
      amount: sizes.connects,
      plan(tool): Plan | undefined {
        const list = tool.list("");
        if (list === undefined) return undefined;
        return {
          prepare: async () => {},
          commands: Array.from({ length: sizes.connects }, () => list),
          concurrent: false,
          verify: async () => {},
          cleanup: async () => {},
        };
      },
    },
  ];
}
