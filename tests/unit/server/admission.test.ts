/**
 * Admission control (app/server/admission.ts): the API's writes of a process run at most
 * API_MAX_IN_FLIGHT at once; the rest wait in arrival order, and every one of them runs
 * and is answered (none dropped, none refused), whether the ones before it succeeded or threw.
 */
import { Readable } from "node:stream";
import type express from "express";
import type { ServerBuild } from "@remix-run/node";
import { Admission } from "../../../app/server/admission";
import { apiRoutes } from "../../../app/server/api-routes";

/** A task that runs until released, recording when it started. */
function gated(started: number[], i: number) {
  let release!: (v: number) => void;
  let fail!: (e: Error) => void;
  const done = new Promise<number>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return { task: () => (started.push(i), done), release: () => release(i), fail: (e: Error) => fail(e) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("admission control", () => {
  it("runs at most `limit` at once, the others in arrival order, and answers every one", async () => {
    const gate = new Admission(2);
    const started: number[] = [];
    const tasks = Array.from({ length: 6 }, (_, i) => gated(started, i));
    const results = tasks.map((t) => gate.run(t.task));
    await tick();
    expect(started).toEqual([0, 1]);
    expect([gate.active, gate.queued]).toEqual([2, 4]);
    // The second finishes first: the first waiting (2) takes its place, not a later one.
    tasks[1]!.release();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    // A task that throws frees its place too, and its caller gets the error.
    tasks[0]!.fail(new Error("provider down"));
    await expect(results[0]).rejects.toThrow("provider down");
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    // A newcomer waits behind the ones already waiting.
    const late = gated(started, 6);
    const lateResult = gate.run(late.task);
    for (const i of [2, 3, 4, 5]) {
      tasks[i]!.release();
      await tick();
    }
    late.release();
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await Promise.all([...results.slice(1), lateResult])).toEqual([1, 2, 3, 4, 5, 6]);
    expect([gate.active, gate.queued]).toEqual([0, 0]);
  });

  it("limit 0 runs everything at once", async () => {
    const gate = new Admission(0);
    const started: number[] = [];
    const tasks = Array.from({ length: 5 }, (_, i) => gated(started, i));
    const results = tasks.map((t) => gate.run(t.task));
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    tasks.forEach((t) => t.release());
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("the API's writes behind the admission", () => {
  it("POSTs wait their turn in order and are all answered; GETs never wait", async () => {
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const action = async ({ request }: { request: Request }) => {
      running++;
      most = Math.max(most, running);
      order.push(new URL(request.url).searchParams.get("n")!);
      await new Promise<void>((r) => releases.push(r));
      running--;
      return new Response("paid", { status: 201 });
    };
    const loader = () => new Response("list");
    const build = {
      routes: { "routes/api.v1.payments": { id: "routes/api.v1.payments", parentId: "root", path: "api/v1/payments", module: { loader, action } } },
      entry: { module: {} },
    } as unknown as ServerBuild;
    const answered: string[] = [];
    const { handler } = apiRoutes(build, {
      createRequest: (req) => new Request(`http://localhost${req.originalUrl}`, { method: req.method }),
      loadContext: () => ({ databaseUnavailable: false }),
      send: async (res, response) => void answered.push(`${(res as unknown as { n: string }).n} ${response.status} ${await response.text()}`),
      sendText: (_req, res, response, text) => void answered.push(`${(res as unknown as { n: string }).n} ${response.status} ${text}`),
      compress: (_req, _res, next) => next(),
      unavailable: () => new Response(null, { status: 503 }),
      scoped: (fn) => fn(),
      admission: new Admission(2),
    });
    const call = (method: string, n: string) =>
      // A request without a body: its stream ends at once.
      handler(Object.assign(Readable.from([]), { method, originalUrl: `/api/v1/payments?n=${n}`, headers: {} }) as unknown as express.Request, { n } as unknown as express.Response, (e?: unknown) => {
        throw e ?? new Error(`${n} went on to Remix`);
      });
    for (const n of ["a", "b", "c", "d", "e"]) call("POST", n);
    await tick();
    expect(order).toEqual(["a", "b"]);
    call("GET", "list");
    await tick();
    expect(answered).toEqual(["list 200 list"]);
    while (answered.length < 6) {
      releases.shift()?.();
      await tick();
      await tick();
    }
    expect(order).toEqual(["a", "b", "c", "d", "e"]);
    expect(most).toBe(2);
    expect(answered.slice(1).sort()).toEqual(["a 201 paid", "b 201 paid", "c 201 paid", "d 201 paid", "e 201 paid"]);
  });
});
