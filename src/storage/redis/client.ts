/**
 * The part of an ioredis client that qml calls, declared here instead of imported from
 * ioredis: ioredis's declarations reference Node's (`/// <reference types="node" />`), so
 * importing them would put Node's type tree into qml's public types, where `deno doc --lint`
 * and JSR cannot resolve it. ioredis itself is loaded only inside `connection.ts`, which
 * assigns the real `Redis` / `Cluster` to these types, so `deno check` fails if they drift.
 *
 * @module
 */

/**
 * A connection to one Redis node or to a Redis Cluster: an ioredis `Redis` or `Cluster`
 * seen through the commands qml uses. For any other command, cast it to the ioredis type
 * (`storage.redis as Redis`).
 */
export interface RedisClient {
  /** ioredis's connection state: `"wait"` before `connect`, `"ready"`, …, `"end"` once closed. */
  readonly status: string;
  /** Whether this is a Cluster client (then it is a {@link RedisClusterClient}). */
  readonly isCluster: boolean;
  /** Open the connection (the client is created with `lazyConnect`). */
  connect(): Promise<void>;
  /** Send QUIT and close once Redis has answered the commands sent before it. */
  quit(): Promise<unknown>;
  /** Close at once, dropping pending commands; no reconnect follows. */
  disconnect(): void;
  /** Listen for a client event (`"ready"`, `"error"`, `"end"`, `"message"`, …). */
  on(event: string, listener: (...args: any[]) => void): unknown;
  /** Listen for the next occurrence of a client event. */
  once(event: string, listener: (...args: any[]) => void): unknown;
  /** Register a Lua script as a method named `name` (run by EVALSHA, EVAL on NOSCRIPT). */
  defineCommand(name: string, definition: { lua: string }): void;
  /** HVALS: the values of a hash. */
  hvals(key: string): Promise<string[]>;
  /** TIME: the server clock as `[seconds, microseconds]`. */
  time(): Promise<(number | string)[]>;
  /** CONFIG GET `parameter`: `[name, value]`. */
  config(subcommand: "GET", parameter: string): Promise<unknown>;
  /** SUBSCRIBE to channels; messages arrive as `"message"` events. */
  subscribe(...channels: string[]): Promise<unknown>;
}

/** A Redis Cluster client ({@link RedisClient} with `isCluster` true). */
export interface RedisClusterClient extends RedisClient {
  /** The connections to the cluster's nodes of `role`. */
  nodes(role: "master"): RedisClient[];
}
