/**
 * What every CLI command shares: the storage it opens (from `--storage`, then
 * `QML_STORAGE_URL`, then the default) and the way it prints.
 *
 * @module
 */
import { JobClient } from "../client.ts";
import { DEFAULT_STORAGE_URL, openStorage, type OpenStorageOptions } from "../storage/open.ts";
import type { Storage } from "../storage/storage.ts";
import type { Io } from "./io.ts";

/** The storage a command uses when neither `--storage` nor `QML_STORAGE_URL` says. */
export const DEFAULT_CLI_STORAGE_URL: string = DEFAULT_STORAGE_URL;

/** Options every command accepts. */
export interface GlobalOptions {
  /** Storage URL. */
  storage?: string;
  /** Print JSON instead of text. */
  json?: boolean;
}

/** The storage URL a command uses. */
export function storageUrl(options: GlobalOptions): string {
  return options.storage ?? Deno.env.get("QML_STORAGE_URL") ?? DEFAULT_CLI_STORAGE_URL;
}

/** Open the command's storage, run `fn` with it and a client, and always close it. */
export async function withStorage<T>(
  options: GlobalOptions,
  fn: (storage: Storage, client: JobClient) => Promise<T>,
  open: OpenStorageOptions = {},
): Promise<T> {
  const storage = await openStorage(storageUrl(options), open);
  try {
    return await fn(storage, new JobClient(storage));
  } finally {
    await storage.close();
  }
}

/** What a command needs besides its own options. */
export interface CommandContext {
  /** Where it prints. */
  io: Io;
  /** Resolves when the user asks the command to stop (SIGINT / SIGTERM). */
  stopSignal: Promise<string>;
}
