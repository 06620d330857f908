-- The journal's server-set columns by defaults and column privileges, not by a trigger run for
-- each row (issue 26: on `db import` the trigger cost more than the rows it wrote). A member of
-- a team may insert only the columns a client writes; `at`, `recorded_at` and `db_user` take
-- the server's defaults (the transaction's time, the database user), as the trigger set them.
-- Applied by `kronobarn db upgrade`.

ALTER TABLE kronobarn.journal ALTER COLUMN at SET DEFAULT now();
DROP TRIGGER journal_names_its_writer ON kronobarn.journal;
DROP FUNCTION kronobarn.journal_names_its_writer();

-- Roles already in a team: INSERT on the whole table (which would let them write the time and
-- the user) becomes INSERT on the client's columns, as `db grant` grants it to new ones.
DO $$
DECLARE
    member record;
BEGIN
    FOR member IN SELECT DISTINCT role FROM kronobarn.team_members LOOP
        EXECUTE format('REVOKE INSERT ON kronobarn.journal FROM %I', member.role);
        EXECUTE format(
            'GRANT INSERT (case_id, team, event, app_user, command, fields)'
            ' ON kronobarn.journal TO %I', member.role
        );
    END LOOP;
END
$$;
