-- The team store: one row per case (JSONB validated by kronobarn's Case model, plus the
-- columns list and remind filter on), teams and their members, row-level security per team,
-- and an append-only journal that names the database user.
-- Applied in one transaction by `kronobarn db init`; recorded in kronobarn.schema_version.

CREATE TABLE kronobarn.settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE kronobarn.teams (
    name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$')
);

-- Which database roles work in which team (a role sees and changes only its teams' cases).
CREATE TABLE kronobarn.team_members (
    role name NOT NULL,
    team text NOT NULL REFERENCES kronobarn.teams (name) ON DELETE CASCADE,
    PRIMARY KEY (role, team)
);

CREATE TABLE kronobarn.cases (
    id            text PRIMARY KEY CHECK (id ~ '^[a-hj-km-np-z2-9]{6}$'),
    team          text NOT NULL REFERENCES kronobarn.teams (name),
    revision      bigint NOT NULL DEFAULT 1 CHECK (revision >= 1),
    data          jsonb NOT NULL,
    status        text NOT NULL,
    created       timestamptz NOT NULL,
    updated       timestamptz NOT NULL,
    closed_on     date,
    next_meeting  date,
    coordinator   text,
    organisations text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX cases_team_status ON kronobarn.cases (team, status);
CREATE INDEX cases_updated ON kronobarn.cases (updated);
CREATE INDEX cases_next_meeting ON kronobarn.cases (next_meeting);
CREATE INDEX cases_coordinator ON kronobarn.cases (coordinator);
CREATE INDEX cases_organisations ON kronobarn.cases USING gin (organisations);

-- Who changed which case when, with which command and which fields: never text a user typed
-- (that stays in the case's own journal, in `data`, and goes with the case). Rows are kept
-- when their case is deleted; a deletion is itself a row (event 'delete').
CREATE TABLE kronobarn.journal (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     text NOT NULL,
    team        text NOT NULL,
    event       text NOT NULL CHECK (event IN ('entry', 'delete')),
    at          timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    db_user     name NOT NULL DEFAULT current_user,
    app_user    text,
    command     text,
    fields      text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX journal_case ON kronobarn.journal (case_id);

CREATE FUNCTION kronobarn.journal_names_its_writer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.db_user := current_user;
    NEW.recorded_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER journal_names_its_writer BEFORE INSERT ON kronobarn.journal
    FOR EACH ROW EXECUTE FUNCTION kronobarn.journal_names_its_writer();

CREATE FUNCTION kronobarn.journal_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kronobarn.journal is append-only' USING ERRCODE = 'KB001';
END
$$;

CREATE TRIGGER journal_is_append_only BEFORE UPDATE OR DELETE ON kronobarn.journal
    FOR EACH ROW EXECUTE FUNCTION kronobarn.journal_is_append_only();
CREATE TRIGGER journal_is_never_truncated BEFORE TRUNCATE ON kronobarn.journal
    FOR EACH STATEMENT EXECUTE FUNCTION kronobarn.journal_is_append_only();

-- Row-level security: a role reaches the cases (and journal rows) of the teams it, or a role
-- it is a member of, belongs to. The owner (who ran `db init`) is not bound by it.
ALTER TABLE kronobarn.team_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_memberships ON kronobarn.team_members FOR SELECT
    USING (EXISTS (
        SELECT 1 FROM pg_catalog.pg_roles r
        WHERE r.rolname = role AND pg_has_role(current_user, r.oid, 'MEMBER')
    ));

ALTER TABLE kronobarn.cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY team_cases ON kronobarn.cases FOR ALL
    USING (team IN (SELECT m.team FROM kronobarn.team_members m))
    WITH CHECK (team IN (SELECT m.team FROM kronobarn.team_members m));

ALTER TABLE kronobarn.journal ENABLE ROW LEVEL SECURITY;
CREATE POLICY team_journal_read ON kronobarn.journal FOR SELECT
    USING (team IN (SELECT m.team FROM kronobarn.team_members m));
CREATE POLICY team_journal_write ON kronobarn.journal FOR INSERT
    WITH CHECK (team IN (SELECT m.team FROM kronobarn.team_members m));
