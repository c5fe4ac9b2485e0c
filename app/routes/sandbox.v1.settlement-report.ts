import type { LoaderFunctionArgs } from "@remix-run/node";
import { sandboxSettlementHttp } from "~/web/sandbox/http.server";

// GET /sandbox/v1/settlement-report?from=...&to=...
export const loader = ({ request }: LoaderFunctionArgs) => sandboxSettlementHttp(request);
