# JupyterLab's terminal for a learner (see jupyter_server_config.py beside this file):
# the learner's own ~/.bashrc, then the course's environment first on PATH.
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
case ":$PATH:" in
  *":$MASTERY_BIN:"*) ;;
  *) [ -n "$MASTERY_BIN" ] && export PATH="$MASTERY_BIN:$PATH" ;;
esac
