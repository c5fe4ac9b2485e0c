/** A fee statement's lines as a file: /statements/<id>/lines.csv or lines.xlsx. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { statementLinesFile } from "~/web/accounting/statements.server";

export const loader = ({ request, params }: LoaderFunctionArgs) => statementLinesFile(request, params.statementId ?? "", params.file ?? "");
