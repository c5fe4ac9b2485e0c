import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getOptionalContext, originAllowed, refuseCsrf } from "~/modules/access/guard.server";
import { MIN_PASSWORD_LENGTH } from "~/modules/auth/password.server";
import { SIGNUP_COUNTRIES, signUp } from "~/modules/merchants/signup.server";

export const meta: MetaFunction = () => [{ title: "Create your merchant account · Merchant Console" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getOptionalContext(request)) throw redirect("/");
  return json(
    {
      countries: Object.entries(SIGNUP_COUNTRIES).map(([code, c]) => ({ code, ...c })),
      minPassword: MIN_PASSWORD_LENGTH,
    },
    { headers: { "Cache-Control": "no-store" } }
  );
}

type ActionData = { error: { message: string; field?: string }; values: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  // No session yet, so no CSRF token: the Origin check stops another site from
  // creating an account in a visitor's browser.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  let form: Record<string, FormDataEntryValue>;
  try {
    form = Object.fromEntries(await request.formData());
  } catch {
    return json<ActionData>({ error: { message: "Fill in the form to create your account." }, values: {} }, { status: 400 });
  }
  const input = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, typeof v === "string" ? v : ""]));
  const result = await signUp(request, {
    businessName: input.businessName ?? "",
    ownerName: input.ownerName ?? "",
    email: input.email ?? "",
    password: input.password ?? "",
    country: (input.country ?? "") as never,
    timeZone: input.timeZone || undefined,
    locale: input.locale === "fa" ? "fa" : "en",
  });
  const { password: _omit, ...values } = input;
  switch (result.kind) {
    case "created":
      return redirect("/onboarding", { headers: { "Set-Cookie": result.session.cookie } });
    case "invalid":
      return json<ActionData>(
        { error: { message: result.message, field: result.field }, values },
        { status: result.field === "email" && /exists/.test(result.message) ? 409 : 400 }
      );
    case "rate_limited":
      return json<ActionData>(
        { error: { message: result.message }, values },
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } }
      );
  }
}

function FieldError({ id, data, field }: { id: string; data?: ActionData; field: string }) {
  if (data?.error.field !== field) return null;
  return (
    <span className="field-error" id={id} role="alert">
      {data.error.message}
    </span>
  );
}

export default function Signup() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
  const v = result?.values ?? {};
  const invalid = (field: string) => (result?.error.field === field ? true : undefined);
  const describedBy = (field: string, hint?: string) =>
    [result?.error.field === field ? `${field}-error` : null, hint].filter(Boolean).join(" ") || undefined;
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="signup-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} /> Merchant Console
        </div>
        <h1 id="signup-title">Create your merchant account</h1>
        <p className="muted">
          Accept card payments online with a virtual terminal. After this step, finish a short checklist (business details, bank account,
          provider, first terminal) and your account is activated.
        </p>
        {result?.error && !result.error.field ? (
          <p className="error-box error" role="alert">
            {result.error.message}
          </p>
        ) : null}
        <Form method="post" replace noValidate>
          <div className="field">
            <label htmlFor="businessName">Business name</label>
            <input
              id="businessName"
              name="businessName"
              required
              defaultValue={v.businessName}
              autoComplete="organization"
              aria-invalid={invalid("businessName")}
              aria-describedby={describedBy("businessName")}
            />
            <FieldError id="businessName-error" data={result} field="businessName" />
          </div>
          <div className="field">
            <label htmlFor="ownerName">Your name</label>
            <input
              id="ownerName"
              name="ownerName"
              required
              defaultValue={v.ownerName}
              autoComplete="name"
              aria-invalid={invalid("ownerName")}
              aria-describedby={describedBy("ownerName")}
            />
            <FieldError id="ownerName-error" data={result} field="ownerName" />
          </div>
          <div className="field">
            <label htmlFor="email">Email</label>
            <input
              id="email"
              name="email"
              type="email"
              required
              defaultValue={v.email}
              autoComplete="username"
              aria-invalid={invalid("email")}
              aria-describedby={describedBy("email")}
            />
            <FieldError id="email-error" data={result} field="email" />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              required
              minLength={data.minPassword}
              autoComplete="new-password"
              aria-invalid={invalid("password")}
              aria-describedby={describedBy("password", "password-hint")}
            />
            <span className="hint" id="password-hint">
              At least {data.minPassword} characters. A passphrase of a few words works well.
            </span>
            <FieldError id="password-error" data={result} field="password" />
          </div>
          <div className="field">
            <label htmlFor="country">Country</label>
            <select
              id="country"
              name="country"
              defaultValue={v.country ?? "IR"}
              aria-invalid={invalid("country")}
              aria-describedby={describedBy("country", "country-hint")}
            >
              {data.countries.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name} ({c.currency})
                </option>
              ))}
            </select>
            <span className="hint" id="country-hint">
              Sets your currency, time zone, weekend and public holidays for payouts. You can adjust the schedule later.
            </span>
            <FieldError id="country-error" data={result} field="country" />
          </div>
          <div className="field">
            <label htmlFor="timeZone">Time zone (optional)</label>
            <input
              id="timeZone"
              name="timeZone"
              defaultValue={v.timeZone}
              placeholder="The country's usual one, e.g. Asia/Tehran"
              aria-invalid={invalid("timeZone")}
              aria-describedby={describedBy("timeZone")}
            />
            <FieldError id="timeZone-error" data={result} field="timeZone" />
          </div>
          <div className="field">
            <label htmlFor="locale">Console language</label>
            <select id="locale" name="locale" defaultValue={v.locale ?? "en"}>
              <option value="en">English</option>
              <option value="fa">فارسی (Persian)</option>
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Creating your account…" : "Create account"}
          </button>
        </Form>
        <p>
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </section>
    </main>
  );
}
