# Sourced by scripts/build, scripts/test and scripts/serve: check the prerequisites, then create .venv
# from the pinned, hashed requirements when it is missing or stale. Safe to run again and again.
# The build needs requirements.txt; scripts/test needs requirements-test.txt as well (it includes the other).

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
export NO_MKDOCS_2_WARNING=1     # Material's notice about MkDocs 2.0; this project pins MkDocs 1.6

fail() { printf 'Error: %s\n' "$*" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 \
  || fail "Python 3.10 or newer is needed and '$PYTHON' was not found. Install it (Debian/Ubuntu: sudo apt-get install python3 python3-venv; macOS: brew install python), or set PYTHON=/path/to/python3."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || fail "Python 3.10 or newer is needed; '$PYTHON' is $("$PYTHON" --version 2>&1). Set PYTHON=/path/to/python3.10+."

sha256() { "$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(b"".join(open(f, "rb").read() for f in sys.argv[1:])).hexdigest())' "$@"; }
stamp=.venv/.requirements.sha256
build_set=$(sha256 requirements.txt)
test_set=$(sha256 requirements.txt requirements-test.txt)
# The script that sourced this file: the tests need their own packages too; build and serve do not.
case "${BASH_SOURCE[1]:-}" in
  */test) requirements=requirements-test.txt; accepted=("$test_set") ;;
  *) requirements=requirements.txt; accepted=("$build_set" "$test_set") ;;
esac
have=$(cat "$stamp" 2>/dev/null || true)
if [ ! -x .venv/bin/python ] || [[ ! " ${accepted[*]} " == *" $have "* ]]; then
  # Never half-rewrite an environment that belongs to someone else (a shared school computer, sudo once).
  [ -L .venv ] && fail ".venv is a link to another checkout's environment ($(readlink .venv)), made from other requirements than this checkout's; it was left as it is. Remove the link and run the command again to make an environment of your own."
  if [ -e .venv ] && { [ ! -w .venv ] || [ "$(stat -c %u .venv 2>/dev/null || stat -f %u .venv)" != "$(id -u)" ]; }; then
    fail ".venv needs updating but belongs to another user ($(ls -ld .venv | awk '{print $3}')), so it was left as it is. Ask them to run this command, or remove it (rm -rf .venv, with sudo if needed) and run the command again to make your own."
  fi
  echo "Setting up .venv from $requirements (first run, or the requirements changed)..."
  "$PYTHON" -m venv .venv \
    || fail "could not create .venv. On Debian/Ubuntu install the venv module: sudo apt-get install python3-venv"
  rm -f "$stamp"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$requirements" \
    || fail "installing the packages in $requirements failed (see above). Check your connection to PyPI and run the command again. (A hash mismatch means a downloaded file is not the one pinned: do not edit the hash; see the file's header.)"
  if [ "$requirements" = requirements-test.txt ]; then echo "$test_set" > "$stamp"; else echo "$build_set" > "$stamp"; fi
fi
# The renderer package in src/ is imported by the hooks as `handouts`: put src/ on the venv's path, as an
# editable install would.
# A .venv that is a symlink belongs to another checkout (the tests' copies of the project use the working
# tree's): leave its .pth alone and put this checkout's src/ first on the path instead.
if [ -L .venv ]; then
  export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
else
  site_packages=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
  [ "$(cat "$site_packages/stalin_mao_module.pth" 2>/dev/null)" = "$PWD/src" ] || echo "$PWD/src" > "$site_packages/stalin_mao_module.pth" \
    || fail "cannot write $site_packages/stalin_mao_module.pth (the line that puts src/ on .venv's path); check that .venv is yours."
fi

.venv/bin/python - <<'PY' || exit 1
import sys
try:
    import weasyprint  # noqa: F401  (loads Pango through its C library)
except OSError as error:
    sys.exit("Error: WeasyPrint cannot load the Pango libraries it needs (%s).\n"
             "Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0\n"
             "macOS: brew install pango\nThen run the command again." % error)
PY
