-- What `list` and `remind` read, found without reading every row (issue 26): the cases whose
-- summary is missing or not for the day asked about (each term of the test in `indexed` an
-- index of its own, so that a day within every summary's days reads none), the `list` items in
-- the order they are printed, and the reminders of one organisation (`remind --organisation`).
-- Applied by `kronobarn db upgrade`; nothing in the rows changes.

CREATE INDEX cases_unsummarised ON kronobarn.cases (id) WHERE valid_from IS NULL;
CREATE INDEX cases_valid_from ON kronobarn.cases (valid_from);
CREATE INDEX cases_valid_to ON kronobarn.cases (valid_to);
CREATE INDEX cases_listed ON kronobarn.cases (id COLLATE "C") WHERE listed IS NOT NULL;

CREATE INDEX reminders_coordinator_key ON kronobarn.reminders (coordinator_key);
CREATE INDEX reminders_organisation_key ON kronobarn.reminders (organisation_key);
CREATE INDEX reminders_organisation_id_key ON kronobarn.reminders (organisation_id_key);
