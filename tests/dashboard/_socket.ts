/** A WebSocket client for tests: collects every message and waits for the ones it needs. */
import { waitUntil } from "../_helpers/poll.ts";

/** A connected test socket. */
export interface TestSocket {
  /** Every message received so far, parsed. */
  messages: any[];
  /** Close code, once closed. */
  closedWith: number | null;
  /** Send a JSON message. */
  send(msg: unknown): void;
  /** Wait for a message matching `pred` (after index `from`), return it. */
  next(pred: (m: any) => boolean, opts?: { timeoutMs?: number; from?: number }): Promise<any>;
  /** Close and wait until closed. */
  close(): Promise<void>;
}

/** Connect to `url` and resolve once open. */
export async function openSocket(url: string, protocols?: string[]): Promise<TestSocket> {
  const ws = new WebSocket(url, protocols);
  const closed = Promise.withResolvers<void>();
  const self: TestSocket = {
    messages: [],
    closedWith: null,
    send: (msg) => ws.send(JSON.stringify(msg)),
    async next(pred, opts = {}) {
      let found: any;
      await waitUntil(() => {
        found = self.messages.slice(opts.from ?? 0).find(pred);
        return found !== undefined;
      }, { timeoutMs: opts.timeoutMs ?? 5_000, what: "a matching socket message" });
      return found;
    },
    async close() {
      if (ws.readyState !== WebSocket.CLOSED) ws.close();
      await closed.promise;
    },
  };
  ws.onmessage = (e) => self.messages.push(JSON.parse(e.data));
  ws.onclose = (e) => {
    self.closedWith = e.code;
    closed.resolve();
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`could not connect to ${url}`));
  });
  return self;
}
