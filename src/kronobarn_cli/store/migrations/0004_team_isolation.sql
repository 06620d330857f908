-- Teams kept apart where the first schema let one team learn of, or get in the way of,
-- another team's cases (issue 27, items 10-12). Applied by `kronobarn db upgrade`.

-- 1. A case id is unique within its team, not across teams: importing a case whose id another
--    team already has is not refused (a refusal would tell that the id exists), and a case
--    handed over between two teams of one database keeps its id in both. The reminder rows
--    follow their case by (team, id); a case moved to another team by hand takes them along.
ALTER TABLE kronobarn.reminders DROP CONSTRAINT reminders_case_id_fkey;
ALTER TABLE kronobarn.reminders DROP CONSTRAINT reminders_pkey;
ALTER TABLE kronobarn.cases DROP CONSTRAINT cases_pkey;
ALTER TABLE kronobarn.cases ADD PRIMARY KEY (team, id);
CREATE INDEX cases_id ON kronobarn.cases (id);
ALTER TABLE kronobarn.reminders
    ADD PRIMARY KEY (group_organisation, due_key, case_id, kind, name, seq, team),
    ADD FOREIGN KEY (team, case_id) REFERENCES kronobarn.cases (team, id)
        ON DELETE CASCADE ON UPDATE CASCADE;
DROP INDEX kronobarn.reminders_case;
CREATE INDEX reminders_case ON kronobarn.reminders (team, case_id);
DROP TRIGGER reminders_follow_the_team ON kronobarn.cases;
DROP FUNCTION kronobarn.reminders_follow_the_team();

-- 2. Case locks. The advisory-lock key of a case is a hash of a secret, the team and the id;
--    only these functions read the secret, and they take or release a lock only for a team the
--    calling login role (or a role it is a member of) belongs to, or for the schema's owner.
--    Another team cannot work out the key of a case, so it cannot hold a case of this team.
CREATE TABLE kronobarn.lock_secret (secret text NOT NULL);
INSERT INTO kronobarn.lock_secret (secret)
    VALUES (gen_random_uuid()::text || gen_random_uuid()::text);
REVOKE ALL ON kronobarn.lock_secret FROM PUBLIC;

CREATE FUNCTION kronobarn.case_lock_key(p_team text, p_id text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, kronobarn AS $$
    SELECT ('x' || substr(encode(sha256(convert_to(
               s.secret || ':' || p_team || ':' || p_id, 'UTF8')), 'hex'), 1, 16))::bit(64)::bigint
    FROM kronobarn.lock_secret s
    WHERE pg_has_role(session_user,
                      (SELECT n.nspowner FROM pg_namespace n WHERE n.nspname = 'kronobarn'),
                      'MEMBER')
       OR EXISTS (SELECT 1 FROM kronobarn.team_members m
                  JOIN pg_roles r ON r.rolname = m.role
                  WHERE m.team = p_team AND pg_has_role(session_user, r.oid, 'MEMBER'))
$$;
REVOKE ALL ON FUNCTION kronobarn.case_lock_key(text, text) FROM PUBLIC;

-- NULL: not a team of the caller's. Else whether the lock was taken (with p_wait it waits,
-- under the session's lock_timeout).
CREATE FUNCTION kronobarn.lock_case(p_team text, p_id text, p_wait boolean) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, kronobarn AS $$
DECLARE
    key bigint := kronobarn.case_lock_key(p_team, p_id);
BEGIN
    IF key IS NULL THEN
        RETURN NULL;
    END IF;
    IF p_wait THEN
        PERFORM pg_advisory_lock(key);
        RETURN true;
    END IF;
    RETURN pg_try_advisory_lock(key);
END
$$;

CREATE FUNCTION kronobarn.unlock_case(p_team text, p_id text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, kronobarn AS $$
DECLARE
    key bigint := kronobarn.case_lock_key(p_team, p_id);
BEGIN
    IF key IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN pg_advisory_unlock(key);
END
$$;
REVOKE ALL ON FUNCTION kronobarn.lock_case(text, text, boolean), kronobarn.unlock_case(text, text)
    FROM PUBLIC;

-- 3. The journal table: a role adds rows only for cases of its own teams (the subquery sees
--    only the cases row-level security lets it see), and the server sets the time as well as
--    the database user; a client cannot write either.
DROP POLICY team_journal_write ON kronobarn.journal;
CREATE POLICY team_journal_write ON kronobarn.journal FOR INSERT
    WITH CHECK (EXISTS (
        SELECT 1 FROM kronobarn.cases c
        WHERE c.team = journal.team AND c.id = journal.case_id
    ));

CREATE OR REPLACE FUNCTION kronobarn.journal_names_its_writer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.db_user := current_user;
    NEW.recorded_at := now();
    NEW.at := now();
    RETURN NEW;
END
$$;

-- Roles already in a team may take and release locks, as `db grant` lets new ones.
DO $$
DECLARE
    member record;
BEGIN
    -- (A role dropped without `db revoke` leaves its row behind: skipped, not an error.)
    FOR member IN SELECT DISTINCT m.role FROM kronobarn.team_members m
                  JOIN pg_roles r ON r.rolname = m.role LOOP
        EXECUTE format(
            'GRANT EXECUTE ON FUNCTION kronobarn.lock_case(text, text, boolean),'
            ' kronobarn.unlock_case(text, text) TO %I', member.role
        );
    END LOOP;
END
$$;
