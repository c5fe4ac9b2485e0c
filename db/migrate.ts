import { assertEnv } from "../app/lib/env.server";
import { connect } from "./client.server";

// `npm run db:migrate`: applies committed migrations to DATABASE_URL or the PGlite folder.
assertEnv();
const handle = await connect();
console.log(`Migrations applied (${handle.driver}: ${handle.location})`);
await handle.close();
