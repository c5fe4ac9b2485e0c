import { sandboxTestCards } from "~/web/sandbox/http.server";

// GET /sandbox/v1/test-cards: the deterministic test cards and what each does.
export const loader = () => sandboxTestCards();
