import { connect } from "./client.server";

// `npm run db:migrate`: applies committed migrations to DATABASE_URL or the PGlite folder.
const handle = await connect();
console.log(`Migrations applied (${handle.driver}: ${handle.location})`);
await handle.close();
