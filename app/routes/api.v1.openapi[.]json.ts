import { openApiDocument } from "~/web/payments/openapi";
import { apiJson } from "~/web/edge/api.server";

// GET /api/v1/openapi.json: the API's description (public, no key needed).
export const loader = () => apiJson(200, openApiDocument(), { "Cache-Control": "public, max-age=300" });
