# Shared set-up for scripts/serve and scripts/test: sourced, not run.
# Installs what is missing and nothing else, so a second run starts at once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Debian packages, installed only when missing and only where we are root.
need_debian() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "please install: ${missing[*]} (sudo apt-get install ${missing[*]})"
    return 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

python_env() {
  local py="${PYTHON:-python3}"
  if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "Paja needs Python 3.11 or newer"; return 1
  fi
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv 2>/dev/null || { need_debian python3-venv && "$py" -m venv .venv; }
  fi
  local stamp=.venv/.paja-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    say "installing Python packages into .venv"
    .venv/bin/pip install -q --upgrade pip >/dev/null
    # Pinned by constraints.txt: a new release of a checker or library must not turn a
    # fresh checkout red (mypy and redis-py once did).
    .venv/bin/pip install -q -c constraints.txt -e '.[dev]'
    touch "$stamp"
  fi
}

node_packages() {  # node_packages DIR: npm ci when the lock file changed
  local dir="$1"
  command -v npm >/dev/null || need_debian nodejs npm
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.paja-installed" ]; then
    say "installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules/.paja-installed"
  fi
}

build_client() {
  [ -f client/package.json ] || return 0
  node_packages client
  say "building the browser client"
  (cd client && npm run --silent build)
}

# The browser tests drive Debian's Chromium through Python playwright (a dev dependency);
# a browser is never downloaded. Fonts so that pages render with real glyphs.
browser_tests() {
  need_debian chromium fonts-dejavu-core
}

client_unit_tests() {
  [ -f client/package.json ] || return 0
  say "vitest (client)"
  (cd client && npx --no-install vitest run --reporter=dot)
}
