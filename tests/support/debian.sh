# Sourced by the test scripts that need a program from Debian's packages.
#
#   need_debian_package nvim neovim     # installs `neovim` unless `nvim` is on the PATH
#
# Installs with apt-get (through sudo when not root), refreshing the package lists once if
# the first attempt fails (a fresh machine may have none).
need_debian_package() {
  local command="$1"
  shift
  command -v "$command" >/dev/null && return 0
  echo "installing Debian's $* (for $command)" >&2
  local apt=(apt-get)
  [ "$(id -u)" = 0 ] || apt=(sudo apt-get)
  "${apt[@]}" install -y -q "$@" >/dev/null 2>&1 \
    || { "${apt[@]}" update -q >/dev/null && "${apt[@]}" install -y -q "$@" >/dev/null; }
}
