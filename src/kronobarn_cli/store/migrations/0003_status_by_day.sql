-- A case's `list` item now says its status as of the day it is read for (a consent run out
-- makes an activated case wait for consent, as a withdrawal does). Items written before say
-- the status of the case's last change: every summary is written anew by the next `list` or
-- `remind` (see summary.py).

UPDATE kronobarn.cases SET valid_from = NULL;
