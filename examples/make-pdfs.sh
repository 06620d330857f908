#!/bin/sh
# Gör om exemplens PDF:er (Barnets plan, inbjudan, samtyckesblankett) av examples/svar.yaml:
#   sh examples/make-pdfs.sh        (KRONOBARN=.venv/bin/kronobarn om kommandot inte ligger i PATH)
# Ärendet skapas i en tillfällig katalog som tas bort efteråt; dina egna ärenden rörs inte.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kronobarn=${KRONOBARN:-kronobarn}
KRONOBARN_HOME=$(mktemp -d)
export KRONOBARN_HOME
trap 'rm -rf "$KRONOBARN_HOME"' EXIT
id=$("$kronobarn" new-case --answers "$here/svar.yaml" </dev/null 2>&1 |
    sed -n 's/^Ärende \([a-z0-9]*\) skapat.*/\1/p')
[ -n "$id" ] || { echo "Fel: ärendet kunde inte skapas av $here/svar.yaml." >&2; exit 1; }
"$kronobarn" export "$id" --format pdf --force --output "$here/barnets-plan.pdf"
"$kronobarn" export "$id" --kind invitation --format pdf --force --output "$here/inbjudan.pdf"
"$kronobarn" export "$id" --kind consent-form --force --output "$here/samtyckesblankett.pdf"
