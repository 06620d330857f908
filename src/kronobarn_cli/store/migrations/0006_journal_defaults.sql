-- The journal's server-set columns by defaults and column privileges, not by a trigger run for
-- each row (issue 26: on `db import` the trigger cost more than the rows it wrote). A member of
-- a team may insert only the columns a client writes; `at`, `recorded_at` and `db_user` take
-- the server's defaults (the transaction's time, the database user), as the trigger set them.
-- Applied by `kronobarn db upgrade`.

ALTER TABLE kronobarn.journal ALTER COLUMN at SET DEFAULT now();
DROP TRIGGER journal_names_its_writer ON kronobarn.journal;
DROP FUNCTION kronobarn.journal_names_its_writer();

-- Every role that holds INSERT on the whole table (which would now let it write the time and
-- the user) loses it: whoever granted it, and whether or not it is still in a team (a team
-- removed by hand leaves its members' privileges). Those in a team, and only those that had
-- INSERT, get INSERT on the client's columns, as `db grant` grants it to new ones. Read from
-- the table's privileges, not from team_members, so a role dropped without `db revoke` (a row
-- left behind) does not stop the upgrade.
DO $$
DECLARE
    holder oid;
    role_name text;
BEGIN
    FOR holder IN
        SELECT DISTINCT a.grantee FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'kronobarn.journal'::regclass AND a.privilege_type = 'INSERT'
          AND a.grantee <> c.relowner
    LOOP
        IF holder = 0 THEN
            REVOKE INSERT ON kronobarn.journal FROM PUBLIC;
            CONTINUE;
        END IF;
        role_name := pg_get_userbyid(holder);
        EXECUTE format('REVOKE INSERT ON kronobarn.journal FROM %I', role_name);
        IF EXISTS (SELECT 1 FROM kronobarn.team_members m WHERE m.role = role_name) THEN
            EXECUTE format(
                'GRANT INSERT (case_id, team, event, app_user, command, fields)'
                ' ON kronobarn.journal TO %I', role_name
            );
        END IF;
    END LOOP;
END
$$;
