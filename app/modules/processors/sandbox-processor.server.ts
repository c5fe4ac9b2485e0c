/**
 * The console's adapter for the sandbox provider. It calls the sandbox in-process
 * (the same functions its HTTP routes expose) but keeps the discipline of a network
 * client: every call has a deadline, and a call that misses it is an unknown outcome
 * (ProcessorTimeoutError), never a guessed failure.
 */
import {
  NO_RESPONSE,
  sandboxAuthorize,
  sandboxCapture,
  sandboxDescribeToken,
  sandboxInquire,
  sandboxInquireRefund,
  sandboxRefund,
  sandboxSettlementReport,
  sandboxTokenize,
  sandboxVoid,
} from "./sandbox/sandbox.server";
import { ProcessorTimeoutError, type Processor } from "./types";
import { env } from "~/lib/env.server";

export const processorConfig = {
  /** How long the console waits for the provider before treating the outcome as unknown. */
  deadlineMs: env.PROCESSOR_DEADLINE_MS,
  /**
   * How long a request the sandbox will never answer takes to time out. In reality that
   * is the deadline; tests shorten it without making the deadline itself tight.
   */
  silentTimeoutMs: null as number | null,
};

export function configureProcessor(c: Partial<typeof processorConfig>): void {
  Object.assign(processorConfig, c);
}

async function withDeadline<T>(operation: string, work: Promise<T | typeof NO_RESPONSE>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let silentTimer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof NO_RESPONSE>((resolve) => {
    timer = setTimeout(() => resolve(NO_RESPONSE), processorConfig.deadlineMs);
  });
  const silent = () =>
    processorConfig.silentTimeoutMs === null
      ? deadline
      : new Promise<typeof NO_RESPONSE>((resolve) => {
          silentTimer = setTimeout(() => resolve(NO_RESPONSE), processorConfig.silentTimeoutMs ?? 0);
        });
  try {
    // A request the provider received but never answers looks, from here, exactly like
    // a slow one: wait out the deadline either way.
    const answered = work.then((r): Promise<T | typeof NO_RESPONSE> | T => (r === NO_RESPONSE ? silent() : (r as T)));
    const first = await Promise.race([answered, deadline]);
    if (first === NO_RESPONSE) {
      // Keep an unhandled rejection of the abandoned call from crashing the process.
      work.catch(() => {});
      throw new ProcessorTimeoutError(operation);
    }
    return first as T;
  } finally {
    clearTimeout(timer);
    clearTimeout(silentTimer);
  }
}

export const sandboxProcessor: Processor = {
  id: "sandbox",
  tokenize: (card, opts) => withDeadline("tokenize", sandboxTokenize(card, new Date(), opts)),
  describeToken: (token) => withDeadline("describe token", sandboxDescribeToken(token)),
  authorize: (req) => withDeadline("authorize", sandboxAuthorize(req)),
  capture: (req) => withDeadline("capture", sandboxCapture(req)),
  void: (req) => withDeadline("void", sandboxVoid(req)),
  refund: (req) => withDeadline("refund", sandboxRefund(req)),
  inquire: (req) => withDeadline("inquire", sandboxInquire(req)),
  inquireRefund: (req) => withDeadline("inquire refund", sandboxInquireRefund(req)),
  settlementReport: (req) => withDeadline("settlement report", sandboxSettlementReport(req)),
};

const processors = new Map<string, Processor>([["sandbox", sandboxProcessor]]);

/** The provider a payment goes through (merchants.processor_id; the sandbox by default). */
export function processorFor(id: string | null | undefined): Processor {
  return processors.get(id ?? "sandbox") ?? sandboxProcessor;
}

/** Tests substitute a provider that fails in ways the sandbox cannot (a crash mid-call). */
export function registerProcessor(p: Processor): void {
  processors.set(p.id, p);
}
