/** Payment-link facts both the browser and the server need (form limits, the fields a link may ask for). */
export const CUSTOMER_FIELDS = ["name", "phone", "email", "note"] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];
export const LINK_DESCRIPTION_MAX = 200;
export const REDIRECT_URL_MAX = 500;
