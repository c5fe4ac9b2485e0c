/**
 * A list's Views menu: the reader's saved views and the team's shared ones (each a link that
 * opens the list with its filters and columns), a form that saves the list as it is now
 * under a name (shared with the team for roles that may share), and the way to the page
 * where views are renamed, shared, unshared and deleted. Plain links and a plain form:
 * it works without scripts.
 */
import { Form, Link, useLocation } from "@remix-run/react";
import { useId } from "react";
import { CsrfInput } from "~/components/csrf";
import { Field } from "~/components/form";
import { VIEW_NAME_MAX, viewQueryOf, type SavedViewList } from "~/lib/saved-views";
import { useT } from "~/lib/i18n/react";

export interface ViewsMenuData {
  views: { id: string; name: string; href: string; query: string; shared: boolean; mine: boolean; ownerName: string | null }[];
  canShare: boolean;
}

export function ViewsMenu({ list, data }: { list: SavedViewList; data: ViewsMenuData }) {
  const t = useT();
  const { search } = useLocation();
  const id = useId();
  const current = viewQueryOf(search);
  return (
    <details className="menu views-menu" data-testid="views-menu">
      <summary>
        {t("views.menu")}
        {data.views.length ? <span className="count-pill">{data.views.length}</span> : null}
      </summary>
      <div className="menu-panel">
        {data.views.length ? (
          <ul className="views-list">
            {data.views.map((v) => (
              <li key={v.id}>
                <Link to={v.href} aria-current={v.query === current ? "true" : undefined} title={v.shared && !v.mine && v.ownerName ? t("views.sharedBy", { name: v.ownerName }) : undefined}>
                  {v.name}
                </Link>
                {v.shared ? <span className="badge badge-neutral">{t("views.shared")}</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("views.noneHere")}</p>
        )}
        <Form method="post" action="/views" className="views-save">
          <CsrfInput />
          <input type="hidden" name="intent" value="save" />
          <input type="hidden" name="list" value={list} />
          <input type="hidden" name="query" value={current} />
          {/* A refused name is said on the Saved views page, which shows this form again to fix it. */}
          <Field id={`${id}-name`} name="name" label={t("views.name")} hint={t("views.nameHint")} required maxLength={VIEW_NAME_MAX} autoComplete="off" />
          {data.canShare ? (
            <label className="check">
              <input type="checkbox" name="shared" value="1" /> {t("views.shareWithTeam")}
            </label>
          ) : null}
          <button type="submit" className="btn btn-primary">
            {t("views.saveCurrent")}
          </button>
        </Form>
        <Link to={`/views?list=${list}`} className="views-manage">
          {t("views.manage")}
        </Link>
      </div>
    </details>
  );
}
