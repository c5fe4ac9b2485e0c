import type { TestProject } from "vitest/node";
import { startServer } from "./server";

/** One server for the run; its URL reaches the test files through `inject("baseURL")`. */
export default async function setup(project: TestProject) {
  const external = process.env.E2E_BASE_URL;
  if (external) {
    project.provide("baseURL", external);
    return;
  }
  const server = await startServer({ seedPayments: Number(process.env.E2E_SEED_PAYMENTS ?? 6000) });
  project.provide("baseURL", server.url);
  return async () => {
    await server.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
  }
}
