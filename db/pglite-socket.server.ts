/**
 * The embedded database (PGlite) as a PostgreSQL server on a local socket, so that
 * code that speaks the wire protocol through its own driver (graphile-worker uses
 * node-postgres) runs unchanged on PGlite: one code path for both databases.
 *
 * PGlite is ONE backend session. pglite-socket 0.2 serialises single protocol
 * messages, but the app's own queries (drizzle on the same PGlite instance) could
 * then run in the middle of a socket client's transaction (or its half-sent
 * Parse/Bind/Execute), and a socket client's message in the middle of one of the
 * app's transactions. The queue below closes that: a socket client OWNS the session
 * from its first message until PostgreSQL answers ReadyForQuery "idle" (its statement
 * or transaction is over), and while it owns it, it also holds PGlite's transaction
 * lock, which the app's queries and transactions take. A client that disconnects
 * mid-transaction is rolled back.
 */
import type { PGlite } from "@electric-sql/pglite";

interface Item {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (n: number) => void;
  reject: (e: unknown) => void;
}

interface PGliteInternals {
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
  execProtocolRawStream(message: Uint8Array, opts: { onRawData: (d: Uint8Array) => void }): Promise<void>;
  isInTransaction(): boolean;
}

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, "utf8");
  const msg = Buffer.alloc(5 + body.length);
  msg[0] = 0x51; // 'Q'
  msg.writeInt32BE(4 + body.length, 1);
  body.copy(msg, 5);
  return new Uint8Array(msg);
}

/** Session-owning replacement for pglite-socket's QueryQueueManager (same method names). */
export class SessionQueue {
  private queue: Item[] = [];
  private processing = false;
  private owner: number | null = null;
  private releaseLock: (() => void) | null = null;
  private readonly pg: PGliteInternals;

  constructor(pg: PGlite) {
    this.pg = pg as unknown as PGliteInternals;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((q) => {
      if (q.handlerId !== handlerId) return true;
      q.reject(new Error("Handler disconnected"));
      return false;
    });
  }

  /** The owner went away: end whatever it left open, then let the others in. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    await this.pg._runExclusiveQuery(async () => {
      const discard = { onRawData: () => {} };
      await this.pg.execProtocolRawStream(SYNC, discard);
      if (this.pg.isInTransaction()) await this.pg.execProtocolRawStream(simpleQuery("ROLLBACK"), discard);
    });
    this.release();
    void this.process();
  }

  private acquire(handlerId: number): Promise<void> {
    return new Promise<void>((acquired) => {
      void this.pg._runExclusiveTransaction(
        () =>
          new Promise<void>((release) => {
            this.owner = handlerId;
            this.releaseLock = release;
            acquired();
          }),
      );
    });
  }

  private release(): void {
    this.owner = null;
    const r = this.releaseLock;
    this.releaseLock = null;
    r?.();
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const index = this.owner === null ? (this.queue.length > 0 ? 0 : -1) : this.queue.findIndex((q) => q.handlerId === this.owner);
        if (index < 0) break;
        const item = this.queue.splice(index, 1)[0]!;
        if (this.owner === null) await this.acquire(item.handlerId);
        let bytes = 0;
        let tail = new Uint8Array(0);
        try {
          await this.pg._runExclusiveQuery(() =>
            this.pg.execProtocolRawStream(item.message, {
              onRawData: (d) => {
                bytes += d.length;
                if (d.length >= 6) tail = d.slice(d.length - 6);
                else if (d.length > 0) {
                  const joined = new Uint8Array(tail.length + d.length);
                  joined.set(tail);
                  joined.set(d, tail.length);
                  tail = joined.slice(Math.max(0, joined.length - 6));
                }
                item.onData(d);
              },
            }),
          );
        } catch (e) {
          item.reject(e);
          continue;
        }
        // ReadyForQuery ('Z', length 5, status 'I'): the client's statement or transaction is over.
        if (tail.length === 6 && tail[0] === 0x5a && tail[4] === 5 && tail[5] === 0x49) this.release();
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }
}

export interface PgliteSocket {
  connectionString: string;
  stop(): Promise<void>;
}

/** Serves `pg` on a unix socket in a private directory; the connection string for node-postgres. */
export async function servePgliteSocket(pg: PGlite, opts: { maxConnections?: number; dir?: string } = {}): Promise<PgliteSocket> {
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "mc-pglite-"));
  const socketPath = path.join(dir, ".s.PGSQL.5432");
  fs.rmSync(socketPath, { force: true });
  const server = new PGLiteSocketServer({ db: pg, path: socketPath, maxConnections: opts.maxConnections ?? 16 });
  // Replace the library's per-message queue by the session-owning one (see above).
  (server as unknown as { queryQueue: SessionQueue }).queryQueue = new SessionQueue(pg);
  await server.start();
  return {
    connectionString: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(dir)}`,
    async stop() {
      // graphile-worker's runner.stop() ends its pool without waiting for it: give its clients
      // a moment to say goodbye, or closing the server under them makes each one log
      // "Connection terminated unexpectedly" (a busy machine makes that moment longer).
      const end = Date.now() + 3000;
      while (server.getStats().activeConnections > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await server.stop();
      if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
