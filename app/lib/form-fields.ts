/**
 * Zod pieces for plain HTML forms whose input the domain judges (the cardholder's pages):
 * read the field as typed, bounded, and let the domain's refusal name what is wrong.
 * Nothing here imports a .server module, so a schema built from them may live at a
 * route's module level.
 */
import { z } from "zod";

/** A text field as typed, cut at `max` characters; a missing one is "". */
export const typed = (max: number) => z.preprocess((v) => (typeof v === "string" ? v.slice(0, max) : ""), z.string());

/** A tick box sent as "yes": true when ticked. */
export const ticked = () => z.preprocess((v) => v === "yes", z.boolean());
