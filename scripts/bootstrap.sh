# Sourced by scripts/build, scripts/test and scripts/serve: check the prerequisites, then create .venv
# from requirements.txt when it is missing or stale. Safe to run again and again.

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
export NO_MKDOCS_2_WARNING=1     # Material's notice about MkDocs 2.0; this project pins MkDocs 1.6

fail() { printf 'Error: %s\n' "$*" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 \
  || fail "Python 3.10 or newer is needed and '$PYTHON' was not found. Install it (Debian/Ubuntu: sudo apt-get install python3 python3-venv; macOS: brew install python), or set PYTHON=/path/to/python3."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || fail "Python 3.10 or newer is needed; '$PYTHON' is $("$PYTHON" --version 2>&1). Set PYTHON=/path/to/python3.10+."

stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt | "$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Setting up .venv from requirements.txt (first run, or the requirements changed)..."
  "$PYTHON" -m venv .venv \
    || fail "could not create .venv. On Debian/Ubuntu install the venv module: sudo apt-get install python3-venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt \
    || fail "installing the packages in requirements.txt failed (see above). Check your connection to PyPI and run the command again."
  echo "$wanted" > "$stamp"
fi
# The renderer package in src/ is imported by the hooks as `handouts`: put src/ on the venv's path, as an
# editable install would.
site_packages=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
[ "$(cat "$site_packages/stalin_mao_module.pth" 2>/dev/null)" = "$PWD/src" ] || echo "$PWD/src" > "$site_packages/stalin_mao_module.pth"

.venv/bin/python - <<'PY' || exit 1
import sys
try:
    import weasyprint  # noqa: F401  (loads Pango through its C library)
except OSError as error:
    sys.exit("Error: WeasyPrint cannot load the Pango libraries it needs (%s).\n"
             "Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0\n"
             "macOS: brew install pango\nThen run the command again." % error)
PY
