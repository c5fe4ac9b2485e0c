-- Baseline: the schema as migrations 0000-0028 left it, in one file (issue 23).
--
-- Released migrations are never edited; they were squashed into this file instead. A new
-- database runs it. A database that applied 0000-0028 has its last migration recorded at
-- this baseline's time (meta/_journal.json gives it 0028's), so drizzle's migrator takes it
-- as applied and goes on with what follows. A database that stopped in between is refused
-- before anything runs (db/baseline.ts): it upgrades through release 0.1.0 first, whose
-- migrations take it to 0028.
--
-- Grouped by capability; within a group: tables with their keys, checks and indexes, then
-- the functions and the triggers that keep the group's rules. The tables are declared in
-- db/schema/*.ts too (drizzle-kit's snapshot); a later change is a new numbered migration.

-- Enumerations
CREATE TYPE audit_outcome AS ENUM ('success', 'failure', 'denied');--> statement-breakpoint
CREATE TYPE bank_account_kind AS ENUM ('sheba', 'iban', 'aba');--> statement-breakpoint
CREATE TYPE card_brand AS ENUM ('visa', 'mastercard', 'amex', 'discover', 'unionpay', 'shetab', 'unknown');--> statement-breakpoint
CREATE TYPE card_funding AS ENUM ('credit', 'debit', 'prepaid', 'unknown');--> statement-breakpoint
CREATE TYPE checkout_status AS ENUM ('open', 'paying', 'completed', 'abandoned');--> statement-breakpoint
CREATE TYPE idempotency_state AS ENUM ('in_progress', 'completed');--> statement-breakpoint
CREATE TYPE invoice_status AS ENUM ('draft', 'open', 'paid', 'uncollectible', 'void');--> statement-breakpoint
CREATE TYPE ledger_account AS ENUM ('card_network', 'merchant_balance', 'merchant_in_transit', 'bank_paid_out', 'platform_fees', 'adjustments');--> statement-breakpoint
CREATE TYPE ledger_category AS ENUM ('charge', 'refund', 'refund_failure', 'fee', 'payout', 'payout_failure', 'adjustment', 'payout_paid');--> statement-breakpoint
CREATE TYPE membership_status AS ENUM ('invited', 'active', 'disabled');--> statement-breakpoint
CREATE TYPE merchant_status AS ENUM ('pending', 'active', 'suspended');--> statement-breakpoint
CREATE TYPE payment_link_status AS ENUM ('active', 'deactivated');--> statement-breakpoint
CREATE TYPE payment_status AS ENUM ('pending', 'authorized', 'captured', 'declined', 'voided', 'failed');--> statement-breakpoint
CREATE TYPE payout_status AS ENUM ('pending', 'in_transit', 'paid', 'failed', 'canceled');--> statement-breakpoint
CREATE TYPE refund_reason AS ENUM ('requested_by_customer', 'duplicate', 'fraudulent', 'other');--> statement-breakpoint
CREATE TYPE refund_status AS ENUM ('pending', 'succeeded', 'failed', 'canceled');--> statement-breakpoint
CREATE TYPE role AS ENUM ('owner', 'admin', 'support', 'accountant', 'viewer');--> statement-breakpoint
CREATE TYPE subscription_status AS ENUM ('scheduled', 'trialing', 'active', 'past_due', 'paused', 'canceled', 'unpaid');--> statement-breakpoint
CREATE TYPE terminal_kind AS ENUM ('virtual', 'api', 'link');--> statement-breakpoint
CREATE TYPE terminal_status AS ENUM ('active', 'inactive');--> statement-breakpoint

-- ================================================================================================
-- Building blocks
-- Functions the rest uses: the rollup slot a transaction adds into, the guard of append-only
-- tables, and Jalali (Persian) dates in SQL.
-- ================================================================================================

-- Every rollup is kept the same way: by triggers on the rows it summarises, in the
-- writing transaction (sales_daily too, which the app used to write itself), and each
-- one can be rebuilt from those rows; rollup_discrepancies() compares them.
--
-- Slots: one merchant's concurrent payments would all update the same rollup rows
-- (today's totals, today's balance, ...) and queue on their row locks until each
-- commits. A transaction adds into the row of its slot instead (the backend's pid
-- modulo 8, so all rows one transaction touches share a slot and writers take their
-- locks in the same order), and readers sum the slots of a key.
CREATE FUNCTION rollup_slot() RETURNS smallint LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
  SELECT (pg_backend_pid() % 8)::smallint
$$;--> statement-breakpoint

-- The ledger and the audit trail are append-only: the database itself refuses
-- UPDATE and DELETE (corrections are new entries). TRUNCATE is refused as well.
CREATE FUNCTION refuse_mutation() RETURNS trigger LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;--> statement-breakpoint

-- Month * 100 + day of day n (0..365) of a Jalali year: 6 months of 31 days, 5 of 30, Esfand 29 or 30.
CREATE FUNCTION jalali_month_day(n integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
  SELECT (ARRAY[
    101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131,
    201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231,
    301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331,
    401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 419, 420, 421, 422, 423, 424, 425, 426, 427, 428, 429, 430, 431,
    501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 512, 513, 514, 515, 516, 517, 518, 519, 520, 521, 522, 523, 524, 525, 526, 527, 528, 529, 530, 531,
    601, 602, 603, 604, 605, 606, 607, 608, 609, 610, 611, 612, 613, 614, 615, 616, 617, 618, 619, 620, 621, 622, 623, 624, 625, 626, 627, 628, 629, 630, 631,
    701, 702, 703, 704, 705, 706, 707, 708, 709, 710, 711, 712, 713, 714, 715, 716, 717, 718, 719, 720, 721, 722, 723, 724, 725, 726, 727, 728, 729, 730, 801,
    802, 803, 804, 805, 806, 807, 808, 809, 810, 811, 812, 813, 814, 815, 816, 817, 818, 819, 820, 821, 822, 823, 824, 825, 826, 827, 828, 829, 830, 901, 902,
    903, 904, 905, 906, 907, 908, 909, 910, 911, 912, 913, 914, 915, 916, 917, 918, 919, 920, 921, 922, 923, 924, 925, 926, 927, 928, 929, 930, 1001, 1002, 1003,
    1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 1016, 1017, 1018, 1019, 1020, 1021, 1022, 1023, 1024, 1025, 1026, 1027, 1028, 1029, 1030, 1101, 1102, 1103, 1104,
    1105, 1106, 1107, 1108, 1109, 1110, 1111, 1112, 1113, 1114, 1115, 1116, 1117, 1118, 1119, 1120, 1121, 1122, 1123, 1124, 1125, 1126, 1127, 1128, 1129, 1130, 1201, 1202, 1203, 1204, 1205,
    1206, 1207, 1208, 1209, 1210, 1211, 1212, 1213, 1214, 1215, 1216, 1217, 1218, 1219, 1220, 1221, 1222, 1223, 1224, 1225, 1226, 1227, 1228, 1229, 1230])[n + 1]
$$;--> statement-breakpoint

CREATE FUNCTION jalali_date_text(d date) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
  SELECT lpad(((1 + (33 * (d - DATE '1970-01-01' + 12545268) + 3) / 12053) - 33000)::text, 4, '0')
    || '/' || lpad((jalali_month_day((d - DATE '1970-01-01' + 12545268) - (365 * ((1 + (33 * (d - DATE '1970-01-01' + 12545268) + 3) / 12053) - 1) + (8 * (1 + (33 * (d - DATE '1970-01-01' + 12545268) + 3) / 12053) + 21) / 33)) / 100)::text, 2, '0')
    || '/' || lpad((jalali_month_day((d - DATE '1970-01-01' + 12545268) - (365 * ((1 + (33 * (d - DATE '1970-01-01' + 12545268) + 3) / 12053) - 1) + (8 * (1 + (33 * (d - DATE '1970-01-01' + 12545268) + 3) / 12053) + 21) / 33)) % 100)::text, 2, '0')
$$;--> statement-breakpoint

-- ================================================================================================
-- Merchants
-- Payment processors, merchants, their bank accounts and holiday calendars (settlement skips
-- holidays).
-- ================================================================================================

CREATE TABLE processors (
    id text NOT NULL,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT processors_pkey PRIMARY KEY (id)
);--> statement-breakpoint
-- The built-in test provider every merchant starts on.
INSERT INTO processors (id, name, description) VALUES
  ('sandbox', 'Sandbox', 'Built-in test provider: deterministic test cards, no real money moves.')
ON CONFLICT (id) DO NOTHING;--> statement-breakpoint

CREATE TABLE merchants (
    id text NOT NULL,
    name text NOT NULL,
    legal_name text,
    status merchant_status NOT NULL DEFAULT 'pending',
    country text NOT NULL DEFAULT 'US',
    time_zone text NOT NULL,
    currency char(3) NOT NULL,
    default_locale text NOT NULL DEFAULT 'en',
    contact_email text,
    contact_phone text,
    business_type text,
    website text,
    processor_id text,
    settlement_cutoff time without time zone NOT NULL DEFAULT '00:00:00'::time without time zone,
    settlement_delay_days smallint NOT NULL DEFAULT 1,
    weekend_days smallint[] NOT NULL DEFAULT '{0,6}'::smallint[],
    holiday_calendar text NOT NULL DEFAULT 'US',
    minimum_payout bigint NOT NULL DEFAULT 0,
    fee_bps integer NOT NULL DEFAULT 0,
    fee_fixed bigint NOT NULL DEFAULT 0,
    support_refund_limit bigint NOT NULL DEFAULT 0,
    require_2fa boolean NOT NULL DEFAULT false,
    activated_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    statement_calendar text,
    dunning_retry_days smallint[] NOT NULL DEFAULT '{1,3,5,7}'::smallint[],
    dunning_final_state text NOT NULL DEFAULT 'canceled',
    CONSTRAINT merchants_country_iso CHECK (country ~ '^[A-Z]{2}$'),
    CONSTRAINT merchants_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT merchants_delay_range CHECK ((settlement_delay_days >= 0) AND (settlement_delay_days <= 30)),
    CONSTRAINT merchants_dunning_final_state CHECK (dunning_final_state IN ('canceled', 'unpaid')),
    CONSTRAINT merchants_fee_nonneg CHECK ((fee_bps >= 0) AND (fee_fixed >= 0)),
    CONSTRAINT merchants_minimum_payout_nonneg CHECK (minimum_payout >= 0),
    CONSTRAINT merchants_statement_calendar CHECK (statement_calendar IN ('gregorian', 'jalali')),
    CONSTRAINT merchants_support_limit_nonneg CHECK (support_refund_limit >= 0),
    CONSTRAINT merchants_pkey PRIMARY KEY (id),
    CONSTRAINT merchants_processor_id_processors_id_fk FOREIGN KEY (processor_id) REFERENCES processors(id)
);--> statement-breakpoint

CREATE TABLE merchant_bank_accounts (
    merchant_id text NOT NULL,
    id text NOT NULL,
    kind bank_account_kind NOT NULL,
    account_number text NOT NULL,
    routing_number text,
    holder_name text NOT NULL,
    bank_code text,
    bank_name text,
    currency char(3) NOT NULL,
    verified boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    created_by_user_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    deactivated_at timestamptz,
    CONSTRAINT merchant_bank_accounts_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT merchant_bank_accounts_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT merchant_bank_accounts_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE UNIQUE INDEX merchant_bank_accounts_one_active ON merchant_bank_accounts (merchant_id, currency) WHERE active;--> statement-breakpoint

CREATE TABLE holidays (
    calendar text NOT NULL,
    day date NOT NULL,
    name text NOT NULL,
    name_fa text,
    CONSTRAINT holidays_calendar_day_pk PRIMARY KEY (calendar, day)
);--> statement-breakpoint

CREATE TABLE merchant_holidays (
    merchant_id text NOT NULL,
    day date NOT NULL,
    name text NOT NULL,
    closed boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT merchant_holidays_merchant_id_day_pk PRIMARY KEY (merchant_id, day),
    CONSTRAINT merchant_holidays_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE INDEX merchant_holidays_day ON merchant_holidays (merchant_id, day);--> statement-breakpoint

-- ================================================================================================
-- People and access
-- Users, their memberships of merchants, sessions, second factors, invitations, login throttling
-- and notification switches.
-- ================================================================================================

CREATE TABLE users (
    id text NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    password_hash text,
    locale text,
    digits text,
    irr_display text,
    totp_secret text,
    totp_enabled_at timestamptz,
    totp_last_step bigint,
    failed_login_count integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    last_login_at timestamptz,
    password_changed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id)
);--> statement-breakpoint
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));--> statement-breakpoint

CREATE TABLE recovery_codes (
    user_id text NOT NULL,
    id text NOT NULL,
    code_hash text NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT recovery_codes_user_id_id_pk PRIMARY KEY (user_id, id),
    CONSTRAINT recovery_codes_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id)
);--> statement-breakpoint

CREATE TABLE memberships (
    merchant_id text NOT NULL,
    user_id text NOT NULL,
    role role NOT NULL,
    status membership_status NOT NULL DEFAULT 'active',
    invited_by_user_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT memberships_merchant_id_user_id_pk PRIMARY KEY (merchant_id, user_id),
    CONSTRAINT memberships_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id),
    CONSTRAINT memberships_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id)
);--> statement-breakpoint
CREATE INDEX memberships_user ON memberships (user_id);--> statement-breakpoint

CREATE TABLE sessions (
    id text NOT NULL,
    user_id text NOT NULL,
    merchant_id text,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    verified_at timestamptz,
    pending_second_factor boolean NOT NULL DEFAULT false,
    revoked_at timestamptz,
    ip text,
    user_agent text,
    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    CONSTRAINT sessions_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id)
);--> statement-breakpoint
CREATE INDEX sessions_user ON sessions (user_id);--> statement-breakpoint

CREATE TABLE invitations (
    merchant_id text NOT NULL,
    id text NOT NULL,
    email text NOT NULL,
    role role NOT NULL,
    token_hash text NOT NULL,
    invited_by_user_id text NOT NULL,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invitations_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT invitations_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE UNIQUE INDEX invitations_token ON invitations (merchant_id, token_hash);--> statement-breakpoint

CREATE TABLE rate_limits (
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    count integer NOT NULL DEFAULT 0,
    CONSTRAINT rate_limits_pkey PRIMARY KEY (key)
);--> statement-breakpoint

CREATE TABLE known_browsers (
    user_id text NOT NULL,
    token_hash text NOT NULL,
    user_agent text,
    ip text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT known_browsers_user_id_token_hash_pk PRIMARY KEY (user_id, token_hash),
    CONSTRAINT known_browsers_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id)
);--> statement-breakpoint

CREATE TABLE password_resets (
    id text NOT NULL,
    user_id text NOT NULL,
    token_hash text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    ip text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT password_resets_pkey PRIMARY KEY (id),
    CONSTRAINT password_resets_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id)
);--> statement-breakpoint
CREATE UNIQUE INDEX password_resets_token ON password_resets (token_hash);--> statement-breakpoint
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);--> statement-breakpoint

CREATE TABLE notification_settings (
    merchant_id text NOT NULL,
    user_id text NOT NULL,
    kind text NOT NULL,
    enabled boolean NOT NULL,
    threshold_pct integer,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_settings_merchant_id_user_id_kind_pk PRIMARY KEY (merchant_id, user_id, kind),
    CONSTRAINT notification_settings_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id),
    CONSTRAINT notification_settings_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id)
);--> statement-breakpoint

CREATE TABLE notification_cursors (
    merchant_id text NOT NULL,
    seq bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_cursors_pkey PRIMARY KEY (merchant_id),
    CONSTRAINT notification_cursors_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint

-- ================================================================================================
-- Outgoing mail and text messages
-- The outboxes: written in the caller's transaction, sent by jobs.
-- ================================================================================================

CREATE TABLE outbound_emails (
    id text NOT NULL,
    "to" text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    locale text,
    kind text,
    dedupe_key text,
    sent_at timestamptz,
    message_id text,
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    CONSTRAINT outbound_emails_pkey PRIMARY KEY (id)
);--> statement-breakpoint
CREATE INDEX outbound_emails_created ON outbound_emails (created_at);--> statement-breakpoint
CREATE UNIQUE INDEX outbound_emails_dedupe ON outbound_emails (dedupe_key);--> statement-breakpoint

CREATE TABLE outbound_email_attachments (
    mail_id text NOT NULL,
    n integer NOT NULL,
    filename text NOT NULL,
    content_type text NOT NULL,
    content bytea NOT NULL,
    size integer NOT NULL,
    CONSTRAINT outbound_email_attachments_mail_id_n_pk PRIMARY KEY (mail_id, n),
    CONSTRAINT outbound_email_attachments_mail_id_outbound_emails_id_fk FOREIGN KEY (mail_id) REFERENCES outbound_emails(id) ON DELETE CASCADE
);--> statement-breakpoint

CREATE TABLE outbound_sms (
    id text NOT NULL,
    merchant_id text NOT NULL,
    "to" text NOT NULL,
    body text NOT NULL,
    locale text,
    kind text,
    dedupe_key text,
    sent_at timestamptz,
    provider_message_id text,
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbound_sms_merchant_id_id_pk PRIMARY KEY (merchant_id, id)
);--> statement-breakpoint
CREATE UNIQUE INDEX outbound_sms_dedupe ON outbound_sms (merchant_id, dedupe_key);--> statement-breakpoint
CREATE INDEX outbound_sms_merchant_created ON outbound_sms (merchant_id, created_at);--> statement-breakpoint

-- ================================================================================================
-- Terminals and API keys
-- ================================================================================================

CREATE TABLE terminals (
    merchant_id text NOT NULL,
    id text NOT NULL,
    name text NOT NULL,
    location text,
    kind terminal_kind NOT NULL,
    status terminal_status NOT NULL DEFAULT 'active',
    api_key_prefix text,
    api_key_last4 text,
    api_key_created_at timestamptz,
    last_used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deactivated_at timestamptz,
    CONSTRAINT terminals_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT terminals_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE INDEX terminals_status ON terminals (merchant_id, status);--> statement-breakpoint

CREATE TABLE api_keys (
    key_hash text NOT NULL,
    merchant_id text NOT NULL,
    terminal_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CONSTRAINT api_keys_pkey PRIMARY KEY (key_hash)
);--> statement-breakpoint
CREATE INDEX api_keys_terminal ON api_keys (merchant_id, terminal_id);--> statement-breakpoint

-- ================================================================================================
-- Customers, payments and refunds
-- ================================================================================================

CREATE TABLE customers (
    merchant_id text NOT NULL,
    id text NOT NULL,
    name text NOT NULL,
    email text,
    phone text,
    reference text,
    notes text,
    source text NOT NULL DEFAULT 'console',
    idempotency_key text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_source CHECK (source IN ('console', 'api', 'hosted_page')),
    CONSTRAINT customers_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT customers_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE INDEX customers_created ON customers (merchant_id, created_at, id);--> statement-breakpoint
CREATE INDEX customers_email_lower ON customers (merchant_id, lower(email) text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX customers_idempotency ON customers (merchant_id, idempotency_key);--> statement-breakpoint
CREATE INDEX customers_name_lower ON customers (merchant_id, lower(name) text_pattern_ops);--> statement-breakpoint
CREATE INDEX customers_reference ON customers (merchant_id, reference);--> statement-breakpoint

CREATE TABLE payments (
    merchant_id text NOT NULL,
    id text NOT NULL,
    terminal_id text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    status payment_status NOT NULL,
    amount_refunded bigint NOT NULL DEFAULT 0,
    fee bigint NOT NULL DEFAULT 0,
    card_token text,
    card_brand card_brand NOT NULL DEFAULT 'unknown',
    card_funding card_funding NOT NULL DEFAULT 'unknown',
    card_bin text,
    card_last4 text,
    card_exp_month smallint,
    card_exp_year smallint,
    issuer_bank text NOT NULL DEFAULT '',
    processor_id text NOT NULL DEFAULT 'sandbox',
    provider_reference text,
    decline_code text,
    failure_message text,
    description text,
    customer_reference text,
    idempotency_key text,
    created_by_user_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    authorized_at timestamptz,
    captured_at timestamptz,
    voided_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    payment_link_id text,
    customer_id text,
    invoice_id text,
    CONSTRAINT payments_amount_positive CHECK (amount > 0),
    CONSTRAINT payments_bin_format CHECK ((card_bin IS NULL) OR (card_bin ~ '^[0-9]{6}$')),
    CONSTRAINT payments_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payments_fee_nonneg CHECK (fee >= 0),
    CONSTRAINT payments_last4_format CHECK ((card_last4 IS NULL) OR (card_last4 ~ '^[0-9]{4}$')),
    CONSTRAINT payments_refunded_range CHECK ((amount_refunded >= 0) AND (amount_refunded <= amount)),
    CONSTRAINT payments_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT payments_merchant_id_terminal_id_terminals_merchant_id_id_fk FOREIGN KEY (merchant_id, terminal_id) REFERENCES terminals(merchant_id, id)
);--> statement-breakpoint
CREATE INDEX payments_amount ON payments (merchant_id, amount);--> statement-breakpoint
CREATE INDEX payments_created ON payments (merchant_id, created_at, id);--> statement-breakpoint
CREATE INDEX payments_created_by ON payments (merchant_id, created_by_user_id, created_at) WHERE (created_by_user_id IS NOT NULL);--> statement-breakpoint
CREATE INDEX payments_customer ON payments (merchant_id, customer_id, created_at) WHERE (customer_id IS NOT NULL);--> statement-breakpoint
CREATE INDEX payments_customer_ref ON payments (merchant_id, customer_reference);--> statement-breakpoint
CREATE INDEX payments_customer_ref_lower ON payments (merchant_id, lower(customer_reference) text_pattern_ops);--> statement-breakpoint
CREATE INDEX payments_description_words ON payments USING gin (to_tsvector('simple'::regconfig, COALESCE(description, '')));--> statement-breakpoint
CREATE UNIQUE INDEX payments_idempotency ON payments (merchant_id, idempotency_key);--> statement-breakpoint
CREATE INDEX payments_invoice ON payments (merchant_id, invoice_id) WHERE (invoice_id IS NOT NULL);--> statement-breakpoint
CREATE INDEX payments_last4 ON payments (merchant_id, card_last4, created_at);--> statement-breakpoint
CREATE INDEX payments_link ON payments (merchant_id, payment_link_id, created_at) WHERE (payment_link_id IS NOT NULL);--> statement-breakpoint
CREATE INDEX payments_pending ON payments (merchant_id, created_at) WHERE (status = 'pending');--> statement-breakpoint
CREATE INDEX payments_provider_ref ON payments (merchant_id, provider_reference);--> statement-breakpoint
CREATE INDEX payments_status_created ON payments (merchant_id, status, created_at, id);--> statement-breakpoint
CREATE INDEX payments_terminal_created ON payments (merchant_id, terminal_id, created_at, id);--> statement-breakpoint

CREATE TABLE refunds (
    merchant_id text NOT NULL,
    id text NOT NULL,
    payment_id text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    reason refund_reason NOT NULL DEFAULT 'requested_by_customer',
    note text,
    status refund_status NOT NULL,
    provider_reference text,
    failure_code text,
    idempotency_key text,
    created_by_user_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT refunds_amount_positive CHECK (amount > 0),
    CONSTRAINT refunds_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT refunds_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT refunds_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id),
    CONSTRAINT refunds_merchant_id_payment_id_payments_merchant_id_id_fk FOREIGN KEY (merchant_id, payment_id) REFERENCES payments(merchant_id, id)
);--> statement-breakpoint
CREATE INDEX refunds_created ON refunds (merchant_id, created_at, id);--> statement-breakpoint
CREATE UNIQUE INDEX refunds_idempotency ON refunds (merchant_id, idempotency_key);--> statement-breakpoint
CREATE INDEX refunds_payment ON refunds (merchant_id, payment_id);--> statement-breakpoint

-- ================================================================================================
-- Ledger and payouts
-- Balanced, append-only postings (the balance check is the rollups' ledger_entries_derive) and
-- the payouts that carry them.
-- ================================================================================================

CREATE TABLE ledger_transactions (
    merchant_id text NOT NULL,
    id text NOT NULL,
    category ledger_category NOT NULL,
    currency char(3) NOT NULL,
    gross bigint NOT NULL,
    fee bigint NOT NULL,
    net bigint NOT NULL,
    source_type text NOT NULL,
    source_id text NOT NULL,
    payout_id text,
    description text,
    created_at timestamptz NOT NULL DEFAULT now(),
    available_on timestamptz NOT NULL,
    CONSTRAINT ledger_transactions_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT ledger_transactions_net CHECK (net = (gross - fee)),
    CONSTRAINT ledger_transactions_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT ledger_transactions_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE INDEX ledger_transactions_available ON ledger_transactions (merchant_id, currency, available_on);--> statement-breakpoint
CREATE INDEX ledger_transactions_created ON ledger_transactions (merchant_id, created_at, id);--> statement-breakpoint
CREATE INDEX ledger_transactions_source ON ledger_transactions (merchant_id, source_id);--> statement-breakpoint

CREATE TABLE ledger_entries (
    merchant_id text NOT NULL,
    transaction_id text NOT NULL,
    line integer NOT NULL,
    account ledger_account NOT NULL,
    currency char(3) NOT NULL,
    amount bigint NOT NULL,
    available_on timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_entries_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT ledger_entries_nonzero CHECK (amount <> 0),
    CONSTRAINT ledger_entries_merchant_id_transaction_id_line_pk PRIMARY KEY (merchant_id, transaction_id, line),
    CONSTRAINT ledger_entries_merchant_id_transaction_id_ledger_transactions_m FOREIGN KEY (merchant_id, transaction_id) REFERENCES ledger_transactions(merchant_id, id)
);--> statement-breakpoint
CREATE INDEX ledger_entries_account ON ledger_entries (merchant_id, account, currency, available_on) INCLUDE (amount);--> statement-breakpoint

CREATE TABLE payouts (
    merchant_id text NOT NULL,
    id text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    status payout_status NOT NULL DEFAULT 'pending',
    bank_account_id text,
    bank_account_mask text,
    bank_name text,
    cutoff_at timestamptz NOT NULL,
    expected_arrival_date date NOT NULL,
    item_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    paid_at timestamptz,
    failed_at timestamptz,
    canceled_at timestamptz,
    failure_code text,
    failure_message text,
    trace_number text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payouts_amount_positive CHECK (amount > 0),
    CONSTRAINT payouts_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payouts_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT payouts_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE INDEX payouts_arrival ON payouts (merchant_id, expected_arrival_date, id);--> statement-breakpoint
CREATE INDEX payouts_created ON payouts (merchant_id, created_at, id);--> statement-breakpoint
CREATE UNIQUE INDEX payouts_one_per_cutoff ON payouts (merchant_id, currency, cutoff_at);--> statement-breakpoint
CREATE INDEX payouts_status ON payouts (merchant_id, status);--> statement-breakpoint

CREATE TABLE payout_items (
    merchant_id text NOT NULL,
    ledger_transaction_id text NOT NULL,
    payout_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payout_items_merchant_id_ledger_transaction_id_pk PRIMARY KEY (merchant_id, ledger_transaction_id),
    CONSTRAINT payout_items_merchant_id_ledger_transaction_id_ledger_transacti FOREIGN KEY (merchant_id, ledger_transaction_id) REFERENCES ledger_transactions(merchant_id, id),
    CONSTRAINT payout_items_merchant_id_payout_id_payouts_merchant_id_id_fk FOREIGN KEY (merchant_id, payout_id) REFERENCES payouts(merchant_id, id)
);--> statement-breakpoint
CREATE INDEX payout_items_payout ON payout_items (merchant_id, payout_id, ledger_transaction_id);--> statement-breakpoint

CREATE TRIGGER ledger_entries_append_only BEFORE DELETE OR UPDATE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint
CREATE TRIGGER ledger_transactions_append_only BEFORE DELETE OR UPDATE ON ledger_transactions FOR EACH ROW EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint
CREATE TRIGGER payout_items_append_only BEFORE DELETE OR UPDATE ON payout_items FOR EACH ROW EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint

-- ================================================================================================
-- Rollups
-- Sums kept by triggers in the same transaction as the rows they summarise; each key is split
-- over up to eight slots (rollup_slot()) so concurrent writers do not queue on one row. The
-- rebuild functions recompute them from the rows.
-- ================================================================================================

CREATE TABLE sales_daily (
    merchant_id text NOT NULL,
    day date NOT NULL,
    terminal_id text NOT NULL,
    card_brand card_brand NOT NULL,
    issuer_bank text NOT NULL,
    card_funding card_funding NOT NULL,
    currency char(3) NOT NULL,
    attempt_count bigint NOT NULL DEFAULT 0,
    captured_count bigint NOT NULL DEFAULT 0,
    captured_amount bigint NOT NULL DEFAULT 0,
    declined_count bigint NOT NULL DEFAULT 0,
    fee_amount bigint NOT NULL DEFAULT 0,
    refund_count bigint NOT NULL DEFAULT 0,
    refunded_amount bigint NOT NULL DEFAULT 0,
    slot smallint NOT NULL DEFAULT 0,
    CONSTRAINT sales_daily_merchant_id_day_terminal_id_card_brand_issuer_bank_ PRIMARY KEY (merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency, slot)
);--> statement-breakpoint

CREATE TABLE sales_daily_totals (
    merchant_id text NOT NULL,
    day date NOT NULL,
    currency char(3) NOT NULL,
    attempt_count bigint NOT NULL DEFAULT 0,
    captured_count bigint NOT NULL DEFAULT 0,
    captured_amount bigint NOT NULL DEFAULT 0,
    declined_count bigint NOT NULL DEFAULT 0,
    fee_amount bigint NOT NULL DEFAULT 0,
    refund_count bigint NOT NULL DEFAULT 0,
    refunded_amount bigint NOT NULL DEFAULT 0,
    slot smallint NOT NULL DEFAULT 0,
    CONSTRAINT sales_daily_totals_merchant_id_currency_day_pk PRIMARY KEY (merchant_id, currency, day, slot)
);--> statement-breakpoint

CREATE TABLE sales_monthly (
    merchant_id text NOT NULL,
    month date NOT NULL,
    terminal_id text NOT NULL,
    card_brand card_brand NOT NULL,
    issuer_bank text NOT NULL,
    card_funding card_funding NOT NULL,
    currency char(3) NOT NULL,
    attempt_count bigint NOT NULL DEFAULT 0,
    captured_count bigint NOT NULL DEFAULT 0,
    captured_amount bigint NOT NULL DEFAULT 0,
    declined_count bigint NOT NULL DEFAULT 0,
    fee_amount bigint NOT NULL DEFAULT 0,
    refund_count bigint NOT NULL DEFAULT 0,
    refunded_amount bigint NOT NULL DEFAULT 0,
    slot smallint NOT NULL DEFAULT 0,
    CONSTRAINT sales_monthly_merchant_id_month_terminal_id_card_brand_issuer_b PRIMARY KEY (merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency, slot)
);--> statement-breakpoint
CREATE INDEX sales_monthly_bank ON sales_monthly (merchant_id, issuer_bank);--> statement-breakpoint

CREATE TABLE payments_daily (
    merchant_id text NOT NULL,
    day date NOT NULL,
    status payment_status NOT NULL,
    terminal_id text NOT NULL,
    currency char(3) NOT NULL,
    payment_count bigint NOT NULL DEFAULT 0,
    amount bigint NOT NULL DEFAULT 0,
    amount_refunded bigint NOT NULL DEFAULT 0,
    slot smallint NOT NULL DEFAULT 0,
    CONSTRAINT payments_daily_merchant_id_day_status_terminal_id_currency_pk PRIMARY KEY (merchant_id, day, status, terminal_id, currency, slot)
);--> statement-breakpoint

CREATE TABLE payments_monthly (
    merchant_id text NOT NULL,
    month date NOT NULL,
    status payment_status NOT NULL,
    terminal_id text NOT NULL,
    currency char(3) NOT NULL,
    payment_count bigint NOT NULL DEFAULT 0,
    amount bigint NOT NULL DEFAULT 0,
    amount_refunded bigint NOT NULL DEFAULT 0,
    slot smallint NOT NULL DEFAULT 0,
    CONSTRAINT payments_monthly_merchant_id_month_status_terminal_id_currency_ PRIMARY KEY (merchant_id, month, status, terminal_id, currency, slot)
);--> statement-breakpoint

CREATE TABLE ledger_balances_daily (
    merchant_id text NOT NULL,
    currency char(3) NOT NULL,
    account ledger_account NOT NULL,
    day date NOT NULL,
    amount bigint NOT NULL DEFAULT 0,
    slot smallint NOT NULL DEFAULT 0,
    CONSTRAINT ledger_balances_daily_merchant_id_currency_account_day_pk PRIMARY KEY (merchant_id, currency, account, day, slot) INCLUDE (amount)
);--> statement-breakpoint

CREATE TABLE payout_item_totals (
    merchant_id text NOT NULL,
    payout_id text NOT NULL,
    category ledger_category NOT NULL,
    item_count bigint NOT NULL DEFAULT 0,
    gross bigint NOT NULL DEFAULT 0,
    fee bigint NOT NULL DEFAULT 0,
    net bigint NOT NULL DEFAULT 0,
    CONSTRAINT payout_item_totals_merchant_id_payout_id_category_pk PRIMARY KEY (merchant_id, payout_id, category)
);--> statement-breakpoint

-- What sales_daily must hold, from the rows (payments, refunds) alone: the rebuilds and rollup_discrepancies() read it.
CREATE VIEW sales_daily_from_rows AS
  SELECT merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency,
    sum(attempt_count)::bigint AS attempt_count, sum(captured_count)::bigint AS captured_count, sum(captured_amount)::bigint AS captured_amount,
    sum(declined_count)::bigint AS declined_count, sum(fee_amount)::bigint AS fee_amount, sum(refund_count)::bigint AS refund_count,
    sum(refunded_amount)::bigint AS refunded_amount
  FROM (
    SELECT p.merchant_id, (p.created_at AT TIME ZONE m.time_zone)::date AS day, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
      1 AS attempt_count, 0 AS captured_count, 0::bigint AS captured_amount, (p.status IN ('declined', 'failed'))::int AS declined_count,
      0::bigint AS fee_amount, 0 AS refund_count, 0::bigint AS refunded_amount
    FROM payments p JOIN merchants m ON m.id = p.merchant_id
    UNION ALL
    SELECT p.merchant_id, (coalesce(p.captured_at, p.created_at) AT TIME ZONE m.time_zone)::date, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
      0, 1, p.amount, 0, p.fee, 0, 0
    FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE p.status = 'captured'
    UNION ALL
    SELECT r.merchant_id, (r.created_at AT TIME ZONE m.time_zone)::date, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
      0, 0, 0, 0, 0, 1, r.amount
    FROM refunds r JOIN payments p ON p.merchant_id = r.merchant_id AND p.id = r.payment_id JOIN merchants m ON m.id = r.merchant_id
    UNION ALL
    SELECT r.merchant_id, (r.updated_at AT TIME ZONE m.time_zone)::date, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
      0, 0, 0, 0, 0, -1, -r.amount
    FROM refunds r JOIN payments p ON p.merchant_id = r.merchant_id AND p.id = r.payment_id JOIN merchants m ON m.id = r.merchant_id
    WHERE r.status = 'failed'
  ) x
  GROUP BY 1, 2, 3, 4, 5, 6, 7--> statement-breakpoint

-- sales_daily and what derives from it, one delta (the rules of app/modules/ledger/rollup.ts).
CREATE FUNCTION sales_add(p payments, p_day date, attempts integer, captured integer, captured_amount bigint, declined integer, fee bigint, refunds integer, refunded bigint) RETURNS void LANGUAGE plpgsql
  AS $$
DECLARE
  d sales_daily;
BEGIN
  d := ROW(p.merchant_id, p_day, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
    attempts, captured, captured_amount, declined, fee, refunds, refunded, rollup_slot());
  INSERT INTO sales_daily AS t (merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency,
      attempt_count, captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount, slot)
    VALUES (d.merchant_id, d.day, d.terminal_id, d.card_brand, d.issuer_bank, d.card_funding, d.currency,
      d.attempt_count, d.captured_count, d.captured_amount, d.declined_count, d.fee_amount, d.refund_count, d.refunded_amount, d.slot)
    ON CONFLICT (merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency, slot) DO UPDATE SET
      attempt_count = t.attempt_count + excluded.attempt_count, captured_count = t.captured_count + excluded.captured_count,
      captured_amount = t.captured_amount + excluded.captured_amount, declined_count = t.declined_count + excluded.declined_count,
      fee_amount = t.fee_amount + excluded.fee_amount, refund_count = t.refund_count + excluded.refund_count,
      refunded_amount = t.refunded_amount + excluded.refunded_amount;
  PERFORM sales_rollup_add(d, 1);
END;
$$;--> statement-breakpoint

CREATE FUNCTION sales_rollup_add(r sales_daily, k integer) RETURNS void LANGUAGE plpgsql
  AS $$
BEGIN
  INSERT INTO sales_daily_totals AS t (merchant_id, day, currency, slot, attempt_count, captured_count, captured_amount,
      declined_count, fee_amount, refund_count, refunded_amount)
    VALUES (r.merchant_id, r.day, r.currency, r.slot, k * r.attempt_count, k * r.captured_count, k * r.captured_amount,
      k * r.declined_count, k * r.fee_amount, k * r.refund_count, k * r.refunded_amount)
    ON CONFLICT (merchant_id, currency, day, slot) DO UPDATE SET
      attempt_count = t.attempt_count + excluded.attempt_count, captured_count = t.captured_count + excluded.captured_count,
      captured_amount = t.captured_amount + excluded.captured_amount, declined_count = t.declined_count + excluded.declined_count,
      fee_amount = t.fee_amount + excluded.fee_amount, refund_count = t.refund_count + excluded.refund_count,
      refunded_amount = t.refunded_amount + excluded.refunded_amount;
  INSERT INTO sales_monthly AS t (merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency, slot,
      attempt_count, captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount)
    VALUES (r.merchant_id, date_trunc('month', r.day)::date, r.terminal_id, r.card_brand, r.issuer_bank, r.card_funding, r.currency, r.slot,
      k * r.attempt_count, k * r.captured_count, k * r.captured_amount, k * r.declined_count, k * r.fee_amount,
      k * r.refund_count, k * r.refunded_amount)
    ON CONFLICT (merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency, slot) DO UPDATE SET
      attempt_count = t.attempt_count + excluded.attempt_count, captured_count = t.captured_count + excluded.captured_count,
      captured_amount = t.captured_amount + excluded.captured_amount, declined_count = t.declined_count + excluded.declined_count,
      fee_amount = t.fee_amount + excluded.fee_amount, refund_count = t.refund_count + excluded.refund_count,
      refunded_amount = t.refunded_amount + excluded.refunded_amount;
END;
$$;--> statement-breakpoint

CREATE FUNCTION payments_status_add(r payments, tz text, k integer, amount bigint, refunded bigint) RETURNS void LANGUAGE plpgsql
  AS $$
DECLARE
  local_day date := (r.created_at AT TIME ZONE tz)::date;
  s smallint := rollup_slot();
BEGIN
  INSERT INTO payments_daily AS d (merchant_id, day, status, terminal_id, currency, slot, payment_count, amount, amount_refunded)
    VALUES (r.merchant_id, local_day, r.status, r.terminal_id, r.currency, s, k, amount, refunded)
    ON CONFLICT (merchant_id, day, status, terminal_id, currency, slot) DO UPDATE SET
      payment_count = d.payment_count + excluded.payment_count, amount = d.amount + excluded.amount,
      amount_refunded = d.amount_refunded + excluded.amount_refunded;
  INSERT INTO payments_monthly AS d (merchant_id, month, status, terminal_id, currency, slot, payment_count, amount, amount_refunded)
    VALUES (r.merchant_id, date_trunc('month', local_day)::date, r.status, r.terminal_id, r.currency, s, k, amount, refunded)
    ON CONFLICT (merchant_id, month, status, terminal_id, currency, slot) DO UPDATE SET
      payment_count = d.payment_count + excluded.payment_count, amount = d.amount + excluded.amount,
      amount_refunded = d.amount_refunded + excluded.amount_refunded;
END;
$$;--> statement-breakpoint

-- payments_daily's rows by month, kept by the same trigger function in the same transaction.
CREATE FUNCTION payments_rollup_add(r payments, k integer) RETURNS void LANGUAGE plpgsql
  AS $$
DECLARE
  local_day date;
BEGIN
  SELECT (r.created_at AT TIME ZONE m.time_zone)::date INTO local_day FROM merchants m WHERE m.id = r.merchant_id;
  INSERT INTO payments_daily AS d (merchant_id, day, status, terminal_id, currency, payment_count, amount, amount_refunded)
    VALUES (r.merchant_id, local_day, r.status, r.terminal_id, r.currency, k, k * r.amount, k * r.amount_refunded)
    ON CONFLICT (merchant_id, day, status, terminal_id, currency) DO UPDATE SET
      payment_count = d.payment_count + excluded.payment_count, amount = d.amount + excluded.amount,
      amount_refunded = d.amount_refunded + excluded.amount_refunded;
  INSERT INTO payments_monthly AS d (merchant_id, month, status, terminal_id, currency, payment_count, amount, amount_refunded)
    VALUES (r.merchant_id, date_trunc('month', local_day)::date, r.status, r.terminal_id, r.currency, k, k * r.amount, k * r.amount_refunded)
    ON CONFLICT (merchant_id, month, status, terminal_id, currency) DO UPDATE SET
      payment_count = d.payment_count + excluded.payment_count, amount = d.amount + excluded.amount,
      amount_refunded = d.amount_refunded + excluded.amount_refunded;
END;
$$;--> statement-breakpoint

-- A payment's contribution: to payments_daily/monthly by status (its local day of creation);
-- to sales_daily an attempt (and a decline) on its day of creation and, once captured, the
-- capture with its fee on its day of capture (of creation for a row captured without a
-- capture time). An update adds only what changed.
CREATE FUNCTION payments_derive() RETURNS trigger LANGUAGE plpgsql
  AS $$
DECLARE
  o payments;
  n payments;
  tz text;
  o_declined int := 0;
  n_declined int := 0;
  o_captured boolean := false;
  n_captured boolean := false;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    o := OLD;
    o_declined := (o.status IN ('declined', 'failed'))::int;
    o_captured := o.status = 'captured';
  END IF;
  IF TG_OP <> 'DELETE' THEN
    n := NEW;
    n_declined := (n.status IN ('declined', 'failed'))::int;
    n_captured := n.status = 'captured';
  END IF;
  IF TG_OP = 'UPDATE' AND (n.merchant_id, n.created_at, n.status, n.terminal_id, n.currency, n.amount, n.amount_refunded,
        n.fee, n.captured_at, n.card_brand, n.issuer_bank, n.card_funding)
      IS NOT DISTINCT FROM (o.merchant_id, o.created_at, o.status, o.terminal_id, o.currency, o.amount, o.amount_refunded,
        o.fee, o.captured_at, o.card_brand, o.issuer_bank, o.card_funding) THEN
    RETURN NULL;
  END IF;
  SELECT m.time_zone INTO tz FROM merchants m WHERE m.id = coalesce(n.merchant_id, o.merchant_id);

  -- payments_daily / payments_monthly
  IF TG_OP = 'UPDATE' AND (n.merchant_id, n.created_at, n.status, n.terminal_id, n.currency)
      IS NOT DISTINCT FROM (o.merchant_id, o.created_at, o.status, o.terminal_id, o.currency) THEN
    IF (n.amount, n.amount_refunded) IS DISTINCT FROM (o.amount, o.amount_refunded) THEN
      PERFORM payments_status_add(n, tz, 0, n.amount - o.amount, n.amount_refunded - o.amount_refunded);
    END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN PERFORM payments_status_add(o, tz, -1, -o.amount, -o.amount_refunded); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM payments_status_add(n, tz, 1, n.amount, n.amount_refunded); END IF;
  END IF;

  -- sales_daily: the attempt (and decline) on the day of creation
  IF TG_OP = 'UPDATE' AND (n.merchant_id, n.created_at, n.terminal_id, n.card_brand, n.issuer_bank, n.card_funding, n.currency)
      IS NOT DISTINCT FROM (o.merchant_id, o.created_at, o.terminal_id, o.card_brand, o.issuer_bank, o.card_funding, o.currency) THEN
    IF n_declined <> o_declined THEN
      PERFORM sales_add(n, (n.created_at AT TIME ZONE tz)::date, 0, 0, 0, n_declined - o_declined, 0, 0, 0);
    END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN PERFORM sales_add(o, (o.created_at AT TIME ZONE tz)::date, -1, 0, 0, -o_declined, 0, 0, 0); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM sales_add(n, (n.created_at AT TIME ZONE tz)::date, 1, 0, 0, n_declined, 0, 0, 0); END IF;
  END IF;

  -- sales_daily: the capture on the day of capture
  IF o_captured AND n_captured AND (n.merchant_id, n.captured_at, n.terminal_id, n.card_brand, n.issuer_bank, n.card_funding, n.currency)
      IS NOT DISTINCT FROM (o.merchant_id, o.captured_at, o.terminal_id, o.card_brand, o.issuer_bank, o.card_funding, o.currency) THEN
    IF (n.amount, n.fee) IS DISTINCT FROM (o.amount, o.fee) THEN
      PERFORM sales_add(n, (coalesce(n.captured_at, n.created_at) AT TIME ZONE tz)::date, 0, 0, n.amount - o.amount, 0, n.fee - o.fee, 0, 0);
    END IF;
  ELSE
    IF o_captured THEN PERFORM sales_add(o, (coalesce(o.captured_at, o.created_at) AT TIME ZONE tz)::date, 0, -1, -o.amount, 0, -o.fee, 0, 0); END IF;
    IF n_captured THEN PERFORM sales_add(n, (coalesce(n.captured_at, n.created_at) AT TIME ZONE tz)::date, 0, 1, n.amount, 0, n.fee, 0, 0); END IF;
  END IF;
  RETURN NULL;
END;
$$;--> statement-breakpoint

-- A refund counts on its day of creation (the money is reserved then); a failed refund
-- takes it back on the day it failed (its updated_at), like its refund_failure posting.
CREATE FUNCTION refunds_derive() RETURNS trigger LANGUAGE plpgsql
  AS $$
DECLARE
  o refunds;
  n refunds;
  p payments;
  tz text;
  o_failed boolean := false;
  n_failed boolean := false;
BEGIN
  IF TG_OP <> 'INSERT' THEN o := OLD; o_failed := o.status = 'failed'; END IF;
  IF TG_OP <> 'DELETE' THEN n := NEW; n_failed := n.status = 'failed'; END IF;
  IF TG_OP = 'UPDATE' AND (n.merchant_id, n.payment_id, n.created_at, n.amount) IS NOT DISTINCT FROM (o.merchant_id, o.payment_id, o.created_at, o.amount)
      AND n_failed = o_failed AND (NOT n_failed OR n.updated_at IS NOT DISTINCT FROM o.updated_at) THEN
    RETURN NULL;
  END IF;
  SELECT m.time_zone INTO tz FROM merchants m WHERE m.id = coalesce(n.merchant_id, o.merchant_id);
  IF TG_OP <> 'INSERT' THEN
    SELECT * INTO p FROM payments WHERE merchant_id = o.merchant_id AND id = o.payment_id;
    IF TG_OP = 'DELETE' OR (n.merchant_id, n.payment_id, n.created_at, n.amount) IS DISTINCT FROM (o.merchant_id, o.payment_id, o.created_at, o.amount) THEN
      PERFORM sales_add(p, (o.created_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, -1, -o.amount);
      IF o_failed THEN PERFORM sales_add(p, (o.updated_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, 1, o.amount); END IF;
      o_failed := false;
      IF TG_OP = 'UPDATE' THEN
        SELECT * INTO p FROM payments WHERE merchant_id = n.merchant_id AND id = n.payment_id;
        PERFORM sales_add(p, (n.created_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, 1, n.amount);
      END IF;
    ELSIF o_failed THEN
      PERFORM sales_add(p, (o.updated_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, 1, o.amount);
      o_failed := false;
    END IF;
    IF TG_OP = 'UPDATE' AND n_failed THEN PERFORM sales_add(p, (n.updated_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, -1, -n.amount); END IF;
  ELSE
    SELECT * INTO p FROM payments WHERE merchant_id = n.merchant_id AND id = n.payment_id;
    PERFORM sales_add(p, (n.created_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, 1, n.amount);
    IF n_failed THEN PERFORM sales_add(p, (n.updated_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, -1, -n.amount); END IF;
  END IF;
  RETURN NULL;
END;
$$;--> statement-breakpoint

-- A statement's postings, checked and added to ledger_balances_daily by one statement-level trigger
-- (was two). The balance check sums the statement's own postings per transaction and currency: the
-- postings already there summed to zero (every insert was checked; postings are append-only, no
-- update, delete or truncate), so the transaction's sum after the statement is zero exactly when its
-- new postings sum to zero. It no longer reads the transaction's postings back from ledger_entries.
CREATE FUNCTION ledger_entries_derive() RETURNS trigger LANGUAGE plpgsql
  AS $$
DECLARE
  bad record;
BEGIN
  SELECT merchant_id, transaction_id, currency, sum(amount) AS total INTO bad
  FROM new_rows
  GROUP BY merchant_id, transaction_id, currency
  HAVING sum(amount) <> 0
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % of merchant % does not balance in %: postings sum to %',
      bad.transaction_id, bad.merchant_id, bad.currency, bad.total
      USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO ledger_balances_daily AS b (merchant_id, currency, account, day, slot, amount)
    SELECT merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date, rollup_slot(), sum(amount)
    FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (merchant_id, currency, account, day, slot) DO UPDATE SET amount = b.amount + excluded.amount;
  RETURN NULL;
END;
$$;--> statement-breakpoint

-- What each payout carries per category (payout_items is insert-only).
CREATE FUNCTION payout_items_derive() RETURNS trigger LANGUAGE plpgsql
  AS $$
BEGIN
  INSERT INTO payout_item_totals AS p (merchant_id, payout_id, category, item_count, gross, fee, net)
    SELECT n.merchant_id, n.payout_id, lt.category, count(*), sum(lt.gross), sum(lt.fee), sum(lt.net)
    FROM new_rows n JOIN ledger_transactions lt ON lt.merchant_id = n.merchant_id AND lt.id = n.ledger_transaction_id
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (merchant_id, payout_id, category) DO UPDATE SET
      item_count = p.item_count + excluded.item_count, gross = p.gross + excluded.gross,
      fee = p.fee + excluded.fee, net = p.net + excluded.net;
  RETURN NULL;
END;
$$;--> statement-breakpoint

CREATE FUNCTION rebuild_sales_daily(p_merchant text DEFAULT NULL::text) RETURNS void LANGUAGE plpgsql
  AS $$
BEGIN
  DELETE FROM sales_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO sales_daily (merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency, attempt_count,
      captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount)
    SELECT * FROM sales_daily_from_rows WHERE p_merchant IS NULL OR merchant_id = p_merchant;
END;
$$;--> statement-breakpoint

CREATE FUNCTION rebuild_payments_monthly(p_merchant text DEFAULT NULL::text) RETURNS void LANGUAGE plpgsql
  AS $$
BEGIN
  DELETE FROM payments_monthly WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO payments_monthly (merchant_id, month, status, terminal_id, currency, payment_count, amount, amount_refunded)
    SELECT merchant_id, date_trunc('month', day)::date, status, terminal_id, currency, sum(payment_count), sum(amount), sum(amount_refunded)
    FROM payments_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY 1, 2, 3, 4, 5;
END;
$$;--> statement-breakpoint

-- Recomputes every derived rollup of one merchant (or all) from the rows themselves:
-- after a bulk load with triggers off, or to prove the triggers right.
CREATE FUNCTION rebuild_derived_rollups(p_merchant text DEFAULT NULL::text) RETURNS void LANGUAGE plpgsql
  AS $$
BEGIN
  DELETE FROM sales_daily_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO sales_daily_totals (merchant_id, day, currency, attempt_count, captured_count, captured_amount,
      declined_count, fee_amount, refund_count, refunded_amount)
    SELECT merchant_id, day, currency, sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count),
      sum(fee_amount), sum(refund_count), sum(refunded_amount)
    FROM sales_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY 1, 2, 3;

  DELETE FROM sales_monthly WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO sales_monthly (merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency,
      attempt_count, captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount)
    SELECT merchant_id, date_trunc('month', day)::date, terminal_id, card_brand, issuer_bank, card_funding, currency,
      sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount),
      sum(refund_count), sum(refunded_amount)
    FROM sales_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY 1, 2, 3, 4, 5, 6, 7;

  DELETE FROM ledger_balances_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO ledger_balances_daily (merchant_id, currency, account, day, amount)
    SELECT merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date, sum(amount)
    FROM ledger_entries WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY 1, 2, 3, 4;

  DELETE FROM payout_item_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO payout_item_totals (merchant_id, payout_id, category, item_count, gross, fee, net)
    SELECT i.merchant_id, i.payout_id, lt.category, count(*), sum(lt.gross), sum(lt.fee), sum(lt.net)
    FROM payout_items i JOIN ledger_transactions lt ON lt.merchant_id = i.merchant_id AND lt.id = i.ledger_transaction_id
    WHERE p_merchant IS NULL OR i.merchant_id = p_merchant GROUP BY 1, 2, 3;

  DELETE FROM payments_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO payments_daily (merchant_id, day, status, terminal_id, currency, payment_count, amount, amount_refunded)
    SELECT p.merchant_id, (p.created_at AT TIME ZONE m.time_zone)::date, p.status, p.terminal_id, p.currency,
      count(*), sum(p.amount), sum(p.amount_refunded)
    FROM payments p JOIN merchants m ON m.id = p.merchant_id
    WHERE p_merchant IS NULL OR p.merchant_id = p_merchant GROUP BY 1, 2, 3, 4, 5;
END;
$$;--> statement-breakpoint

-- Every rollup rebuilt from the rows (sales_daily first: the others are summed from it).
CREATE FUNCTION rebuild_rollups_from_rows(p_merchant text DEFAULT NULL::text) RETURNS void LANGUAGE plpgsql
  AS $$
BEGIN
  PERFORM rebuild_sales_daily(p_merchant);
  PERFORM rebuild_all_derived_rollups(p_merchant);
END;
$$;--> statement-breakpoint

-- The rebuild covers the new rollup too (after payments_daily, which it is summed from).
CREATE FUNCTION rebuild_all_derived_rollups(p_merchant text DEFAULT NULL::text) RETURNS void LANGUAGE plpgsql
  AS $$
BEGIN
  PERFORM rebuild_derived_rollups(p_merchant);
  PERFORM rebuild_payments_monthly(p_merchant);
END;
$$;--> statement-breakpoint

-- Each rollup (its slots summed) against the same figures computed from the rows; the
-- differences, none when every trigger did its job. A key whose measures are all zero
-- counts as absent.
CREATE FUNCTION rollup_discrepancies(p_merchant text DEFAULT NULL::text) RETURNS TABLE(rollup text, key text, stored text, from_rows text) LANGUAGE plpgsql STABLE
  AS $$
BEGIN
  RETURN QUERY
  WITH sd AS (SELECT * FROM sales_daily_from_rows WHERE p_merchant IS NULL OR merchant_id = p_merchant),
  stored AS (
    SELECT 'sales_daily' AS r, concat_ws('|', merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency) AS k,
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[] AS v
      FROM sales_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency
    UNION ALL
    SELECT 'sales_daily_totals', concat_ws('|', merchant_id, currency, day),
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[]
      FROM sales_daily_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, currency, day
    UNION ALL
    SELECT 'sales_monthly', concat_ws('|', merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency),
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[]
      FROM sales_monthly WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency
    UNION ALL
    SELECT 'payments_daily', concat_ws('|', merchant_id, day, status, terminal_id, currency), array[sum(payment_count), sum(amount), sum(amount_refunded)]::numeric[]
      FROM payments_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, day, status, terminal_id, currency
    UNION ALL
    SELECT 'payments_monthly', concat_ws('|', merchant_id, month, status, terminal_id, currency), array[sum(payment_count), sum(amount), sum(amount_refunded)]::numeric[]
      FROM payments_monthly WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, month, status, terminal_id, currency
    UNION ALL
    SELECT 'ledger_balances_daily', concat_ws('|', merchant_id, currency, account, day), array[sum(amount)]::numeric[]
      FROM ledger_balances_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, currency, account, day
    UNION ALL
    SELECT 'payout_item_totals', concat_ws('|', merchant_id, payout_id, category), array[sum(item_count), sum(gross), sum(fee), sum(net)]::numeric[]
      FROM payout_item_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, payout_id, category
  ),
  pd AS (
    SELECT p.merchant_id, (p.created_at AT TIME ZONE m.time_zone)::date AS day, p.status, p.terminal_id, p.currency,
      count(*) AS n, sum(p.amount) AS amount, sum(p.amount_refunded) AS refunded
    FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE p_merchant IS NULL OR p.merchant_id = p_merchant
    GROUP BY 1, 2, 3, 4, 5
  ),
  expected AS (
    SELECT 'sales_daily' AS r, concat_ws('|', merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency) AS k,
      array[attempt_count, captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount]::numeric[] AS v
      FROM sd
    UNION ALL
    SELECT 'sales_daily_totals', concat_ws('|', merchant_id, currency, day),
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[]
      FROM sd GROUP BY merchant_id, currency, day
    UNION ALL
    SELECT 'sales_monthly', concat_ws('|', merchant_id, date_trunc('month', day)::date, terminal_id, card_brand, issuer_bank, card_funding, currency),
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[]
      FROM sd GROUP BY merchant_id, date_trunc('month', day)::date, terminal_id, card_brand, issuer_bank, card_funding, currency
    UNION ALL
    SELECT 'payments_daily', concat_ws('|', merchant_id, day, status, terminal_id, currency), array[n, amount, refunded]::numeric[] FROM pd
    UNION ALL
    SELECT 'payments_monthly', concat_ws('|', merchant_id, date_trunc('month', day)::date, status, terminal_id, currency), array[sum(n), sum(amount), sum(refunded)]::numeric[]
      FROM pd GROUP BY merchant_id, date_trunc('month', day)::date, status, terminal_id, currency
    UNION ALL
    SELECT 'ledger_balances_daily', concat_ws('|', merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date), array[sum(amount)]::numeric[]
      FROM ledger_entries WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date
    UNION ALL
    SELECT 'payout_item_totals', concat_ws('|', i.merchant_id, i.payout_id, lt.category), array[count(*), sum(lt.gross), sum(lt.fee), sum(lt.net)]::numeric[]
      FROM payout_items i JOIN ledger_transactions lt ON lt.merchant_id = i.merchant_id AND lt.id = i.ledger_transaction_id
      WHERE p_merchant IS NULL OR i.merchant_id = p_merchant GROUP BY i.merchant_id, i.payout_id, lt.category
  )
  SELECT coalesce(s.r, e.r), coalesce(s.k, e.k), s.v::text, e.v::text
  FROM stored s FULL JOIN expected e ON e.r = s.r AND e.k = s.k
  WHERE coalesce(s.v, array_fill(0::numeric, array[cardinality(e.v)])) IS DISTINCT FROM coalesce(e.v, array_fill(0::numeric, array[cardinality(s.v)]))
  ORDER BY 1, 2;
END;
$$;--> statement-breakpoint

CREATE TRIGGER ledger_entries_derive AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_derive();--> statement-breakpoint
CREATE TRIGGER payments_derive AFTER INSERT OR DELETE OR UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION payments_derive();--> statement-breakpoint
CREATE TRIGGER payout_items_derive AFTER INSERT ON payout_items REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payout_items_derive();--> statement-breakpoint
CREATE TRIGGER refunds_derive AFTER INSERT OR DELETE OR UPDATE ON refunds FOR EACH ROW EXECUTE FUNCTION refunds_derive();--> statement-breakpoint

-- ================================================================================================
-- Payment links and hosted checkout
-- ================================================================================================

CREATE TABLE payment_links (
    merchant_id text NOT NULL,
    id text NOT NULL,
    terminal_id text NOT NULL,
    currency char(3) NOT NULL,
    amount bigint,
    min_amount bigint,
    max_amount bigint,
    description text NOT NULL,
    customer_fields text[] NOT NULL DEFAULT '{}'::text[],
    reusable boolean NOT NULL DEFAULT false,
    expires_at timestamptz,
    redirect_url text,
    status payment_link_status NOT NULL DEFAULT 'active',
    created_by_user_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deactivated_at timestamptz,
    CONSTRAINT payment_links_amount_shape CHECK (((amount IS NOT NULL) AND (amount > 0) AND (min_amount IS NULL) AND (max_amount IS NULL)) OR ((amount IS NULL) AND (min_amount > 0) AND (max_amount >= min_amount))),
    CONSTRAINT payment_links_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payment_links_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT payment_links_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE INDEX payment_links_created ON payment_links (merchant_id, created_at, id);--> statement-breakpoint

CREATE TABLE payment_link_routes (
    id text NOT NULL,
    merchant_id text NOT NULL,
    CONSTRAINT payment_link_routes_pkey PRIMARY KEY (id)
);--> statement-breakpoint

CREATE TABLE checkouts (
    merchant_id text NOT NULL,
    id text NOT NULL,
    link_id text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    customer_name text,
    customer_phone text,
    customer_email text,
    customer_note text,
    status checkout_status NOT NULL DEFAULT 'open',
    payment_id text,
    holds_link boolean NOT NULL DEFAULT false,
    client_ip text,
    locale text NOT NULL DEFAULT 'fa',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    save_card_mandate text,
    save_card_locale text,
    save_card_consent_at timestamptz,
    CONSTRAINT checkouts_amount_positive CHECK (amount > 0),
    CONSTRAINT checkouts_merchant_id_id_pk PRIMARY KEY (merchant_id, id)
);--> statement-breakpoint
CREATE INDEX checkouts_ip ON checkouts (merchant_id, client_ip, created_at);--> statement-breakpoint
CREATE INDEX checkouts_link ON checkouts (merchant_id, link_id, created_at);--> statement-breakpoint
CREATE UNIQUE INDEX checkouts_link_holder ON checkouts (merchant_id, link_id) WHERE holds_link;--> statement-breakpoint
CREATE UNIQUE INDEX checkouts_payment ON checkouts (merchant_id, payment_id);--> statement-breakpoint

CREATE TABLE checkout_secrets (
    merchant_id text NOT NULL,
    secret text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT checkout_secrets_pkey PRIMARY KEY (merchant_id),
    CONSTRAINT checkout_secrets_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint

CREATE TABLE checkout_blocks (
    merchant_id text NOT NULL,
    client_ip text NOT NULL,
    declines integer NOT NULL,
    blocked_at timestamptz NOT NULL,
    blocked_until timestamptz NOT NULL,
    CONSTRAINT checkout_blocks_merchant_id_client_ip_blocked_at_pk PRIMARY KEY (merchant_id, client_ip, blocked_at)
);--> statement-breakpoint
CREATE INDEX checkout_blocks_until ON checkout_blocks (merchant_id, blocked_until);--> statement-breakpoint

-- ================================================================================================
-- Events and webhooks
-- The events outbox (numbered per merchant, append-only) and its deliveries to webhook endpoints.
-- ================================================================================================

CREATE TABLE event_sequences (
    merchant_id text NOT NULL,
    last_seq bigint NOT NULL,
    CONSTRAINT event_sequences_pkey PRIMARY KEY (merchant_id)
);--> statement-breakpoint

CREATE TABLE events (
    merchant_id text NOT NULL,
    seq bigint,
    id text NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    gid bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT events_merchant_id_gid_pk PRIMARY KEY (merchant_id, gid)
);--> statement-breakpoint
CREATE UNIQUE INDEX events_id ON events (merchant_id, id);--> statement-breakpoint
CREATE UNIQUE INDEX events_seq ON events (merchant_id, seq);--> statement-breakpoint
CREATE INDEX events_type ON events (merchant_id, type, seq);--> statement-breakpoint
CREATE INDEX events_unnumbered ON events (merchant_id, gid) WHERE (seq IS NULL);--> statement-breakpoint

CREATE TABLE webhook_endpoints (
    merchant_id text NOT NULL,
    id text NOT NULL,
    url text NOT NULL,
    event_types jsonb NOT NULL,
    description text,
    status text NOT NULL DEFAULT 'enabled',
    disabled_reason text,
    secret text NOT NULL,
    previous_secret text,
    previous_secret_expires_at timestamptz,
    cursor_seq bigint NOT NULL DEFAULT 0,
    failing_since timestamptz,
    created_by_user_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT webhook_endpoints_status CHECK (status IN ('enabled', 'disabled')),
    CONSTRAINT webhook_endpoints_merchant_id_id_pk PRIMARY KEY (merchant_id, id)
);--> statement-breakpoint

CREATE TABLE webhook_deliveries (
    merchant_id text NOT NULL,
    id text NOT NULL,
    endpoint_id text NOT NULL,
    event_id text NOT NULL,
    event_seq bigint,
    event_type text NOT NULL,
    reason text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_attempt_at timestamptz,
    response_status integer,
    response_body text,
    duration_ms integer,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_merchant_id_id_pk PRIMARY KEY (merchant_id, id)
);--> statement-breakpoint
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (merchant_id, endpoint_id, created_at);--> statement-breakpoint
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (merchant_id, event_id);--> statement-breakpoint

CREATE TABLE webhook_attempts (
    merchant_id text NOT NULL,
    delivery_id text NOT NULL,
    attempt integer NOT NULL,
    endpoint_id text NOT NULL,
    at timestamptz NOT NULL,
    url text NOT NULL,
    response_status integer,
    response_body text,
    duration_ms integer NOT NULL,
    error text,
    CONSTRAINT webhook_attempts_merchant_id_delivery_id_attempt_pk PRIMARY KEY (merchant_id, delivery_id, attempt)
);--> statement-breakpoint
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (merchant_id, endpoint_id, at);--> statement-breakpoint

-- Events stay append-only; the one update allowed is the publisher's numbering: seq from null to a number, nothing else changed.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND NEW.gid = OLD.gid AND NEW.merchant_id = OLD.merchant_id AND NEW.id = OLD.id AND NEW.type = OLD.type
     AND NEW.data = OLD.data AND NEW.created_at = OLD.created_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'events are append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END $$;--> statement-breakpoint

CREATE TRIGGER events_append_only BEFORE DELETE OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();--> statement-breakpoint

-- ================================================================================================
-- Subscriptions
-- Saved cards, plans, subscriptions, their invoices and dunning, the hosted subscribe page and
-- plan changes.
-- ================================================================================================

CREATE TABLE payment_methods (
    merchant_id text NOT NULL,
    id text NOT NULL,
    customer_id text NOT NULL,
    processor_id text NOT NULL DEFAULT 'sandbox',
    card_token text NOT NULL,
    card_brand text NOT NULL,
    card_last4 text NOT NULL,
    card_exp_month smallint NOT NULL,
    card_exp_year smallint NOT NULL,
    mandate_text text NOT NULL,
    mandate_locale text NOT NULL,
    mandate_accepted_at timestamptz NOT NULL,
    mandate_ip text,
    status text NOT NULL DEFAULT 'active',
    removed_at timestamptz,
    removed_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payment_methods_last4 CHECK (card_last4 ~ '^[0-9]{4}$'),
    CONSTRAINT payment_methods_status CHECK (status IN ('active', 'removed')),
    CONSTRAINT payment_methods_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT payment_methods_merchant_id_customer_id_customers_merchant_id_i FOREIGN KEY (merchant_id, customer_id) REFERENCES customers(merchant_id, id)
);--> statement-breakpoint
CREATE INDEX payment_methods_customer ON payment_methods (merchant_id, customer_id);--> statement-breakpoint
CREATE UNIQUE INDEX payment_methods_one_active ON payment_methods (merchant_id, customer_id, card_token) WHERE (status = 'active');--> statement-breakpoint

CREATE TABLE plans (
    merchant_id text NOT NULL,
    id text NOT NULL,
    name text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    "interval" text NOT NULL,
    interval_count smallint NOT NULL DEFAULT 1,
    calendar text NOT NULL,
    trial_days smallint NOT NULL DEFAULT 0,
    active boolean NOT NULL DEFAULT true,
    idempotency_key text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plans_amount_positive CHECK (amount > 0),
    CONSTRAINT plans_calendar CHECK (calendar IN ('persian', 'gregory')),
    CONSTRAINT plans_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT plans_interval CHECK ("interval" = ANY (ARRAY['week', 'month', 'year'])),
    CONSTRAINT plans_interval_count CHECK ((interval_count >= 1) AND (interval_count <= 104)),
    CONSTRAINT plans_trial_days CHECK ((trial_days >= 0) AND (trial_days <= 730)),
    CONSTRAINT plans_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT plans_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE UNIQUE INDEX plans_idempotency ON plans (merchant_id, idempotency_key);--> statement-breakpoint

CREATE TABLE subscriptions (
    merchant_id text NOT NULL,
    id text NOT NULL,
    customer_id text NOT NULL,
    plan_id text NOT NULL,
    payment_method_id text,
    status subscription_status NOT NULL,
    quantity integer NOT NULL DEFAULT 1,
    anchor_at timestamptz NOT NULL,
    calendar text NOT NULL,
    time_zone text NOT NULL,
    "interval" text NOT NULL,
    interval_count smallint NOT NULL,
    start_at timestamptz NOT NULL,
    trial_end_at timestamptz,
    current_period_index integer,
    current_period_start timestamptz,
    current_period_end timestamptz,
    next_renewal_at timestamptz,
    cancel_at_period_end boolean NOT NULL DEFAULT false,
    canceled_at timestamptz,
    ended_at timestamptz,
    paused_at timestamptz,
    idempotency_key text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    credit_balance bigint NOT NULL DEFAULT 0,
    CONSTRAINT subscriptions_credit_balance CHECK (credit_balance >= 0),
    CONSTRAINT subscriptions_quantity CHECK ((quantity >= 1) AND (quantity <= 10000)),
    CONSTRAINT subscriptions_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT subscriptions_merchant_id_customer_id_customers_merchant_id_id_ FOREIGN KEY (merchant_id, customer_id) REFERENCES customers(merchant_id, id),
    CONSTRAINT subscriptions_merchant_id_payment_method_id_payment_methods_mer FOREIGN KEY (merchant_id, payment_method_id) REFERENCES payment_methods(merchant_id, id),
    CONSTRAINT subscriptions_merchant_id_plan_id_plans_merchant_id_id_fk FOREIGN KEY (merchant_id, plan_id) REFERENCES plans(merchant_id, id)
);--> statement-breakpoint
CREATE INDEX subscriptions_customer ON subscriptions (merchant_id, customer_id);--> statement-breakpoint
CREATE INDEX subscriptions_due ON subscriptions (next_renewal_at) WHERE (next_renewal_at IS NOT NULL);--> statement-breakpoint
CREATE UNIQUE INDEX subscriptions_idempotency ON subscriptions (merchant_id, idempotency_key);--> statement-breakpoint
CREATE INDEX subscriptions_status_created ON subscriptions (merchant_id, status, created_at);--> statement-breakpoint

CREATE TABLE invoices (
    merchant_id text NOT NULL,
    id text NOT NULL,
    subscription_id text NOT NULL,
    customer_id text NOT NULL,
    period_index integer NOT NULL,
    period_start timestamptz NOT NULL,
    period_end timestamptz NOT NULL,
    status invoice_status NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    attempt_count smallint NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    first_failed_at timestamptz,
    payment_id text,
    paid_at timestamptz,
    closed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL DEFAULT 'period',
    credit_applied bigint NOT NULL DEFAULT 0,
    customer_attempts smallint NOT NULL DEFAULT 0,
    CONSTRAINT invoices_amount_positive CHECK ((amount > 0) OR ((amount = 0) AND (credit_applied > 0))),
    CONSTRAINT invoices_credit_applied CHECK (credit_applied >= 0),
    CONSTRAINT invoices_kind CHECK (kind IN ('period', 'proration')),
    CONSTRAINT invoices_paid_has_payment CHECK ((status <> 'paid') OR (payment_id IS NOT NULL) OR (amount = 0)),
    CONSTRAINT invoices_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT invoices_merchant_id_subscription_id_subscriptions_merchant_id_ FOREIGN KEY (merchant_id, subscription_id) REFERENCES subscriptions(merchant_id, id)
);--> statement-breakpoint
CREATE INDEX invoices_attempt_due ON invoices (next_attempt_at) WHERE ((status = 'open') AND (next_attempt_at IS NOT NULL));--> statement-breakpoint
CREATE INDEX invoices_created ON invoices (merchant_id, created_at);--> statement-breakpoint
CREATE INDEX invoices_in_flight ON invoices (merchant_id) WHERE ((status = 'open') AND (next_attempt_at IS NULL));--> statement-breakpoint
CREATE UNIQUE INDEX invoices_one_per_period ON invoices (merchant_id, subscription_id, period_start);--> statement-breakpoint
CREATE INDEX invoices_subscription ON invoices (merchant_id, subscription_id, period_index);--> statement-breakpoint

CREATE TABLE card_updates (
    merchant_id text NOT NULL,
    id text NOT NULL,
    subscription_id text NOT NULL,
    invoice_id text,
    payment_id text,
    payment_method_id text,
    mandate_text text NOT NULL,
    mandate_locale text NOT NULL,
    mandate_accepted_at timestamptz NOT NULL,
    client_ip text,
    status text NOT NULL DEFAULT 'paying',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT card_updates_status CHECK (status IN ('paying', 'completed', 'declined')),
    CONSTRAINT card_updates_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT card_updates_merchant_id_subscription_id_subscriptions_merchant FOREIGN KEY (merchant_id, subscription_id) REFERENCES subscriptions(merchant_id, id)
);--> statement-breakpoint
CREATE INDEX card_updates_subscription ON card_updates (merchant_id, subscription_id, created_at);--> statement-breakpoint

CREATE TABLE subscribe_checkouts (
    merchant_id text NOT NULL,
    id text NOT NULL,
    plan_id text NOT NULL,
    customer_name text NOT NULL,
    customer_email text,
    customer_phone text,
    mandate_text text NOT NULL,
    mandate_locale text NOT NULL,
    mandate_accepted_at timestamptz NOT NULL,
    client_ip text,
    locale text NOT NULL,
    status text NOT NULL DEFAULT 'open',
    payment_id text,
    customer_id text,
    subscription_id text,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscribe_checkouts_status CHECK (status IN ('open', 'paying', 'completed', 'declined')),
    CONSTRAINT subscribe_checkouts_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT subscribe_checkouts_merchant_id_plan_id_plans_merchant_id_id_fk FOREIGN KEY (merchant_id, plan_id) REFERENCES plans(merchant_id, id)
);--> statement-breakpoint
CREATE INDEX subscribe_checkouts_ip ON subscribe_checkouts (merchant_id, client_ip, created_at);--> statement-breakpoint

CREATE TABLE subscription_plan_changes (
    merchant_id text NOT NULL,
    id text NOT NULL,
    subscription_id text NOT NULL,
    from_plan_id text NOT NULL,
    to_plan_id text NOT NULL,
    from_quantity integer NOT NULL,
    to_quantity integer NOT NULL,
    period_start timestamptz NOT NULL,
    period_end timestamptz NOT NULL,
    changed_at timestamptz NOT NULL,
    seconds_left integer NOT NULL,
    period_seconds integer NOT NULL,
    proration bigint NOT NULL,
    currency char(3) NOT NULL,
    invoice_id text,
    idempotency_key text,
    created_by_user_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscription_plan_changes_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT subscription_plan_changes_merchant_id_subscription_id_subscript FOREIGN KEY (merchant_id, subscription_id) REFERENCES subscriptions(merchant_id, id)
);--> statement-breakpoint
CREATE UNIQUE INDEX subscription_plan_changes_idempotency ON subscription_plan_changes (merchant_id, idempotency_key);--> statement-breakpoint
CREATE INDEX subscription_plan_changes_subscription ON subscription_plan_changes (merchant_id, subscription_id, changed_at);--> statement-breakpoint

-- ================================================================================================
-- Accounting and reports
-- VAT rates, numbered immutable fee statements, closed months (postings dated in one are booked
-- into the next open month), scheduled reports and saved views.
-- ================================================================================================

CREATE TABLE vat_rates (
    country text NOT NULL,
    effective_from date NOT NULL,
    rate_bps integer NOT NULL,
    note text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vat_rates_country_iso CHECK (country ~ '^[A-Z]{2}$'),
    CONSTRAINT vat_rates_rate_range CHECK ((rate_bps >= 0) AND (rate_bps <= 10000)),
    CONSTRAINT vat_rates_country_effective_from_pk PRIMARY KEY (country, effective_from)
);--> statement-breakpoint
-- VAT on our fees. Iran: 9 % until the end of 1402, 10 % from 1 Farvardin 1403 (2024-03-20),
-- the rate of the 1403 budget law (value added tax law, article 7, raised by the annual budget).
-- The United States has no VAT on payment processing fees. The operator keeps this table
-- (npm run vat -- list | set <country> <rate %> <from YYYY-MM-DD> [note]).
INSERT INTO vat_rates (country, effective_from, rate_bps, note) VALUES
  ('IR', '2000-01-01', 900, 'VAT 9 % (value added tax law)'),
  ('IR', '2024-03-20', 1000, 'VAT 10 % from 1 Farvardin 1403'),
  ('US', '2000-01-01', 0, 'No VAT on processing fees');--> statement-breakpoint

CREATE TABLE fee_statements (
    merchant_id text NOT NULL,
    id text NOT NULL,
    number integer NOT NULL,
    calendar text NOT NULL,
    year smallint NOT NULL,
    month smallint NOT NULL,
    time_zone text NOT NULL,
    period_start timestamptz NOT NULL,
    period_end timestamptz NOT NULL,
    currency char(3) NOT NULL,
    line_count integer NOT NULL,
    fee_total bigint NOT NULL,
    vat_total bigint NOT NULL,
    total bigint NOT NULL,
    vat_breakdown jsonb NOT NULL,
    merchant_details jsonb NOT NULL,
    provider_details jsonb NOT NULL,
    issued_at timestamptz NOT NULL,
    issued_by_user_id text,
    CONSTRAINT fee_statements_calendar CHECK (calendar IN ('gregorian', 'jalali')),
    CONSTRAINT fee_statements_month_range CHECK ((month >= 1) AND (month <= 12)),
    CONSTRAINT fee_statements_total CHECK (total = (fee_total + vat_total)),
    CONSTRAINT fee_statements_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT fee_statements_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE UNIQUE INDEX fee_statements_month ON fee_statements (merchant_id, calendar, year, month, currency);--> statement-breakpoint
CREATE UNIQUE INDEX fee_statements_number ON fee_statements (merchant_id, number);--> statement-breakpoint

CREATE TABLE fee_statement_lines (
    merchant_id text NOT NULL,
    statement_id text NOT NULL,
    line_no integer NOT NULL,
    ledger_transaction_id text NOT NULL,
    created_at timestamptz NOT NULL,
    category text NOT NULL,
    source_id text NOT NULL,
    description text,
    gross bigint NOT NULL,
    fee bigint NOT NULL,
    rate_bps integer NOT NULL,
    CONSTRAINT fee_statement_lines_merchant_id_statement_id_line_no_pk PRIMARY KEY (merchant_id, statement_id, line_no)
);--> statement-breakpoint
CREATE INDEX fee_statement_lines_txn ON fee_statement_lines (merchant_id, ledger_transaction_id);--> statement-breakpoint

CREATE TABLE month_closes (
    merchant_id text NOT NULL,
    calendar text NOT NULL,
    year smallint NOT NULL,
    month smallint NOT NULL,
    time_zone text NOT NULL,
    period_start timestamptz NOT NULL,
    period_end timestamptz NOT NULL,
    figures jsonb NOT NULL,
    closed_at timestamptz NOT NULL,
    closed_by_user_id text,
    CONSTRAINT month_closes_period CHECK (period_end > period_start),
    CONSTRAINT month_closes_merchant_id_period_start_pk PRIMARY KEY (merchant_id, period_start),
    CONSTRAINT month_closes_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE UNIQUE INDEX month_closes_month ON month_closes (merchant_id, calendar, year, month);--> statement-breakpoint

CREATE TABLE report_schedules (
    merchant_id text NOT NULL,
    id text NOT NULL,
    owner_user_id text NOT NULL,
    name text NOT NULL,
    report text NOT NULL,
    format text NOT NULL,
    filters text NOT NULL DEFAULT '',
    columns text[] NOT NULL,
    time_zone text NOT NULL,
    amounts text NOT NULL DEFAULT 'major',
    excel boolean NOT NULL DEFAULT false,
    jalali boolean NOT NULL DEFAULT false,
    frequency text NOT NULL,
    weekday smallint,
    month_day smallint,
    local_time text NOT NULL,
    calendar text NOT NULL,
    recipient_user_ids text[] NOT NULL,
    origin text NOT NULL,
    paused boolean NOT NULL DEFAULT false,
    next_run_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT report_schedules_calendar CHECK (calendar IN ('gregorian', 'jalali')),
    CONSTRAINT report_schedules_format CHECK (format IN ('csv', 'xlsx')),
    CONSTRAINT report_schedules_frequency CHECK (frequency IN ('daily', 'weekly', 'monthly')),
    CONSTRAINT report_schedules_time CHECK (local_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    CONSTRAINT report_schedules_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT report_schedules_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE INDEX report_schedules_due ON report_schedules (next_run_at) WHERE (NOT paused);--> statement-breakpoint

CREATE TABLE report_schedule_runs (
    merchant_id text NOT NULL,
    id text NOT NULL,
    schedule_id text NOT NULL,
    period_key text NOT NULL,
    period_start text NOT NULL,
    period_end text NOT NULL,
    scheduled_for timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'running',
    rows integer,
    bytes bigint,
    file_name text,
    params text,
    format text NOT NULL,
    report text NOT NULL,
    delivery text,
    sent_to text[] NOT NULL DEFAULT '{}'::text[],
    left_out jsonb NOT NULL DEFAULT '[]'::jsonb,
    failure text,
    link_token_hash text,
    link_expires_at timestamptz,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    sent_to_user_ids text[] NOT NULL DEFAULT '{}'::text[],
    failure_i18n jsonb,
    CONSTRAINT report_schedule_runs_status CHECK (status IN ('running', 'sent', 'failed', 'skipped')),
    CONSTRAINT report_schedule_runs_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT report_schedule_runs_merchant_id_schedule_id_report_schedules_m FOREIGN KEY (merchant_id, schedule_id) REFERENCES report_schedules(merchant_id, id) ON DELETE CASCADE
);--> statement-breakpoint
CREATE UNIQUE INDEX report_schedule_runs_period ON report_schedule_runs (merchant_id, schedule_id, period_key);--> statement-breakpoint

CREATE TABLE report_run_files (
    merchant_id text NOT NULL,
    run_id text NOT NULL,
    part integer NOT NULL,
    content bytea NOT NULL,
    CONSTRAINT report_run_files_merchant_id_run_id_part_pk PRIMARY KEY (merchant_id, run_id, part),
    CONSTRAINT report_run_files_merchant_id_run_id_report_schedule_runs_mercha FOREIGN KEY (merchant_id, run_id) REFERENCES report_schedule_runs(merchant_id, id) ON DELETE CASCADE
);--> statement-breakpoint

CREATE TABLE saved_views (
    merchant_id text NOT NULL,
    id text NOT NULL,
    owner_user_id text NOT NULL,
    list text NOT NULL,
    name text NOT NULL,
    query text NOT NULL DEFAULT '',
    shared boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT saved_views_name_length CHECK ((char_length(name) >= 1) AND (char_length(name) <= 60)),
    CONSTRAINT saved_views_query_length CHECK (char_length(query) <= 2000),
    CONSTRAINT saved_views_merchant_id_id_pk PRIMARY KEY (merchant_id, id),
    CONSTRAINT saved_views_merchant_id_merchants_id_fk FOREIGN KEY (merchant_id) REFERENCES merchants(id)
);--> statement-breakpoint
CREATE INDEX saved_views_list ON saved_views (merchant_id, list);--> statement-breakpoint
CREATE UNIQUE INDEX saved_views_owner_name ON saved_views (merchant_id, owner_user_id, list, lower(name));--> statement-breakpoint

-- A closed month never changes: a posting dated in it (a late correction) is booked at the
-- start of the next open month (past any run of closed months), and says so.
CREATE FUNCTION book_into_open_month() RETURNS trigger LANGUAGE plpgsql
  AS $$
DECLARE
  original timestamptz := NEW.created_at;
  closed_end timestamptz;
BEGIN
  LOOP
    SELECT period_end INTO closed_end FROM month_closes
      WHERE merchant_id = NEW.merchant_id AND NEW.created_at >= period_start AND NEW.created_at < period_end;
    EXIT WHEN closed_end IS NULL;
    NEW.created_at := closed_end;
  END LOOP;
  IF NEW.created_at <> original AND TG_TABLE_NAME = 'ledger_transactions' THEN
    NEW.description := concat_ws(' ', NEW.description,
      '(late correction dated ' || to_char(original AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC: its month is closed, booked in the next open month)');
  END IF;
  RETURN NEW;
END;
$$;--> statement-breakpoint

CREATE TRIGGER fee_statement_lines_immutable BEFORE DELETE OR UPDATE ON fee_statement_lines FOR EACH ROW EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint
CREATE TRIGGER fee_statement_lines_no_truncate BEFORE TRUNCATE ON fee_statement_lines FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint
CREATE TRIGGER fee_statements_immutable BEFORE DELETE OR UPDATE ON fee_statements FOR EACH ROW EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint
CREATE TRIGGER fee_statements_no_truncate BEFORE TRUNCATE ON fee_statements FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint
CREATE TRIGGER ledger_entries_book_into_open_month BEFORE INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION book_into_open_month();--> statement-breakpoint
CREATE TRIGGER ledger_transactions_book_into_open_month BEFORE INSERT ON ledger_transactions FOR EACH ROW EXECUTE FUNCTION book_into_open_month();--> statement-breakpoint
CREATE TRIGGER month_closes_immutable BEFORE DELETE OR UPDATE ON month_closes FOR EACH ROW EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint
CREATE TRIGGER month_closes_no_truncate BEFORE TRUNCATE ON month_closes FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint

-- ================================================================================================
-- Operations
-- Idempotency keys, the audit log (append-only), system state and the job workers' heartbeats.
-- ================================================================================================

CREATE TABLE idempotency_keys (
    merchant_id text NOT NULL,
    scope text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    state idempotency_state NOT NULL DEFAULT 'in_progress',
    response_status integer,
    response_body jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    CONSTRAINT idempotency_keys_merchant_id_scope_key_pk PRIMARY KEY (merchant_id, scope, key)
);--> statement-breakpoint
CREATE INDEX idempotency_keys_created ON idempotency_keys (merchant_id, created_at);--> statement-breakpoint

CREATE TABLE audit_events (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    merchant_id text,
    actor_user_id text,
    actor_email text,
    action text NOT NULL,
    outcome audit_outcome NOT NULL,
    target_type text,
    target_id text,
    ip text,
    user_agent text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_events_pkey PRIMARY KEY (id)
);--> statement-breakpoint
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, created_at);--> statement-breakpoint
CREATE INDEX audit_events_merchant ON audit_events (merchant_id, created_at);--> statement-breakpoint

CREATE TABLE system_state (
    key text NOT NULL,
    value jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT system_state_key_pk PRIMARY KEY (key)
);--> statement-breakpoint

CREATE TABLE job_workers (
    worker_id text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT job_workers_pkey PRIMARY KEY (worker_id)
);--> statement-breakpoint

CREATE TRIGGER audit_events_append_only BEFORE DELETE OR UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_mutation();--> statement-breakpoint

-- ================================================================================================
-- Sandbox provider
-- The built-in test processor, bank and SMS provider.
-- ================================================================================================

CREATE TABLE sandbox_cards (
    token text NOT NULL,
    pan_ciphertext bytea NOT NULL,
    pan_iv bytea NOT NULL,
    pan_tag bytea NOT NULL,
    key_id text NOT NULL,
    bin text NOT NULL,
    last4 text NOT NULL,
    brand text NOT NULL,
    funding text NOT NULL,
    exp_month smallint NOT NULL,
    exp_year smallint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sandbox_cards_pkey PRIMARY KEY (token)
);--> statement-breakpoint

CREATE TABLE sandbox_authorizations (
    id text NOT NULL,
    merchant_reference text NOT NULL,
    account_id text NOT NULL,
    card_token text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    status text NOT NULL,
    decline_code text,
    captured_amount bigint NOT NULL DEFAULT 0,
    refunded_amount bigint NOT NULL DEFAULT 0,
    visible_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    channel text NOT NULL DEFAULT 'api',
    auth_method text,
    auth_state text,
    auth_code text,
    auth_code_expires_at timestamptz,
    auth_attempts smallint NOT NULL DEFAULT 0,
    auth_expires_at timestamptz,
    return_url text,
    merchant_label text,
    CONSTRAINT sandbox_authorizations_amount_positive CHECK (amount > 0),
    CONSTRAINT sandbox_authorizations_pkey PRIMARY KEY (id)
);--> statement-breakpoint
CREATE UNIQUE INDEX sandbox_authorizations_ref ON sandbox_authorizations (account_id, merchant_reference);--> statement-breakpoint

CREATE TABLE sandbox_refunds (
    id text NOT NULL,
    authorization_id text NOT NULL,
    merchant_reference text NOT NULL,
    account_id text NOT NULL,
    amount bigint NOT NULL,
    status text NOT NULL,
    failure_code text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sandbox_refunds_pkey PRIMARY KEY (id)
);--> statement-breakpoint
CREATE UNIQUE INDEX sandbox_refunds_ref ON sandbox_refunds (account_id, merchant_reference);--> statement-breakpoint

CREATE TABLE sandbox_bank_transfers (
    id text NOT NULL,
    merchant_reference text NOT NULL,
    account_number text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    status text NOT NULL,
    failure_code text,
    trace_number text,
    created_at timestamptz NOT NULL DEFAULT now(),
    settled_at timestamptz,
    CONSTRAINT sandbox_bank_transfers_pkey PRIMARY KEY (id)
);--> statement-breakpoint
CREATE INDEX sandbox_bank_transfers_created ON sandbox_bank_transfers (created_at);--> statement-breakpoint
CREATE UNIQUE INDEX sandbox_bank_transfers_ref ON sandbox_bank_transfers (merchant_reference);--> statement-breakpoint

CREATE TABLE sandbox_sms_messages (
    id text NOT NULL,
    account_id text NOT NULL,
    "to" text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sandbox_sms_messages_pkey PRIMARY KEY (id)
);--> statement-breakpoint
CREATE INDEX sandbox_sms_messages_to ON sandbox_sms_messages ("to", created_at);
