# Sourced by the scripts: a pinned Python virtualenv under .venv/, rebuilt when its
# requirements file changes.
install_venv() { # name requirements-file
  local venv=.venv/$1 stamp=.venv/$1/.installed
  if [ ! -f "$stamp" ] || ! cmp -s "$2" "$stamp"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$2"
    cp "$2" "$stamp"
  fi
}
