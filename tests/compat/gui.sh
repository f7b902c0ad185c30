# Shared by the tests that drive virt-manager: a display of its own (Xvfb)
# and a home of its own, removed on exit by stop_gui (call it from the trap).
XVFB_PID=
VM_PID=

start_gui() {
  for tool in virt-manager Xvfb xdotool; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/deps.sh)"; exit 1; }
  done
  # Xvfb picks a free display number and writes it to fd 3.
  Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$TMP/display" >"$TMP/xvfb.log" 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 100); do [[ -s $TMP/display ]] && break; sleep 0.1; done
  [[ -s $TMP/display ]] || { echo "FAIL: Xvfb did not start"; cat "$TMP/xvfb.log"; exit 1; }
  export DISPLAY=:$(head -1 "$TMP/display")
  # virt-manager keeps its settings and log in a home of its own.
  export HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config XDG_CACHE_HOME=$TMP/home/.cache
  export GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
  mkdir -p "$HOME"
}

stop_gui() {
  local pids=($VM_PID $XVFB_PID)  # either may be empty
  if [[ ${#pids[@]} -gt 0 ]]; then
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  VM_PID= XVFB_PID=
}

# screenshot FILE: the whole display as PNG.
screenshot() {
  /usr/bin/python3 - "$1" <<'PY'
import sys, gi
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk
root = Gdk.get_default_root_window()
Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height()).savev(
    sys.argv[1], "png", [], [])
PY
  echo "screenshot: $1"
}
