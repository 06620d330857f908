-- What `list` and `remind` read without reading a case (see summary.py): each case's `list`
-- item and the days its reminders hold for, and one row per reminder it may give, written
-- with the case in the same transaction. Rows are kept in the order `remind` prints them
-- (COLLATE "C": the order of the characters' code points, as kronobarn sorts).
-- Cases saved before this migration get theirs from the first `list` or `remind`.

ALTER TABLE kronobarn.cases
    ADD COLUMN listed text,
    ADD COLUMN valid_from date,
    ADD COLUMN valid_to date;

-- A case changed without its summary (by hand, in SQL) has none until `list` or `remind`
-- writes it anew: they then read the case itself, and report it if it is no case.
CREATE FUNCTION kronobarn.summary_follows_the_case() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.data IS DISTINCT FROM OLD.data OR NEW.team IS DISTINCT FROM OLD.team)
       AND NEW.valid_from IS NOT DISTINCT FROM OLD.valid_from THEN
        NEW.valid_from := NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER summary_follows_the_case BEFORE UPDATE ON kronobarn.cases
    FOR EACH ROW EXECUTE FUNCTION kronobarn.summary_follows_the_case();

CREATE TABLE kronobarn.reminders (
    group_organisation  text COLLATE "C" NOT NULL,
    due_key             text COLLATE "C" NOT NULL,
    case_id             text COLLATE "C" NOT NULL
                        REFERENCES kronobarn.cases (id) ON DELETE CASCADE,
    kind                text COLLATE "C" NOT NULL,
    name                text COLLATE "C" NOT NULL,
    seq                 integer NOT NULL,
    group_coordinator   text COLLATE "C" NOT NULL,
    status              text NOT NULL,
    due                 text COLLATE "C",
    dated               integer NOT NULL,
    after_waiting       integer NOT NULL,
    organisation_id     text,
    organisation        text,
    coordinator         text,
    coordinator_key     text NOT NULL,
    organisation_key    text NOT NULL,
    organisation_id_key text NOT NULL,
    text                text NOT NULL,
    child               text NOT NULL,
    head                text NOT NULL,
    tail                text NOT NULL,
    child_json          text NOT NULL,
    csv_head            text NOT NULL,
    csv_tail            text NOT NULL,
    child_csv           text NOT NULL,
    team                text NOT NULL REFERENCES kronobarn.teams (name),
    PRIMARY KEY (group_organisation, due_key, case_id, kind, name, seq)
);
CREATE INDEX reminders_by_coordinator
    ON kronobarn.reminders (group_coordinator, due_key, case_id, kind, name, seq);
CREATE INDEX reminders_case ON kronobarn.reminders (case_id);
-- The few reminders due on the day asked about or after a wait: found without reading every row.
CREATE INDEX reminders_undated ON kronobarn.reminders (case_id) WHERE dated = 0;

ALTER TABLE kronobarn.reminders ENABLE ROW LEVEL SECURITY;
CREATE POLICY team_reminders ON kronobarn.reminders FOR ALL
    USING (team IN (SELECT m.team FROM kronobarn.team_members m))
    WITH CHECK (team IN (SELECT m.team FROM kronobarn.team_members m));

-- Roles already in a team may use the new table as they use the cases.
DO $$
DECLARE
    member record;
BEGIN
    FOR member IN SELECT DISTINCT role FROM kronobarn.team_members LOOP
        EXECUTE format(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON kronobarn.reminders TO %I', member.role
        );
    END LOOP;
END
$$;

-- A case moved to another team (by hand, in SQL) takes its reminder rows along: the old
-- team no longer sees them. Run as the owner, whom row-level security does not hide rows from.
CREATE FUNCTION kronobarn.reminders_follow_the_team() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, kronobarn AS $$
BEGIN
    UPDATE kronobarn.reminders SET team = NEW.team WHERE case_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER reminders_follow_the_team AFTER UPDATE OF team ON kronobarn.cases
    FOR EACH ROW WHEN (NEW.team IS DISTINCT FROM OLD.team)
    EXECUTE FUNCTION kronobarn.reminders_follow_the_team();
