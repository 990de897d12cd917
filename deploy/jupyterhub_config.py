"""JupyterHub for one cohort on one server, with nbgrader: the formgrader for instructors,
the Assignments panel for learners, one exchange folder inside the cohort.

    jupyterhub -f deploy/jupyterhub_config.py

Settings come from the environment (see docs/deploy.md):

MASTERY_HUB_COHORT       the cohort folder (`mastery cohort create`); required
MASTERY_HUB_INSTRUCTORS  instructor user names, comma-separated; they get the formgrader
MASTERY_HUB_LEARNERS     learner user names; default: the cohort's roster (gradebook)
MASTERY_HUB_AUTH         pam (default: the machine's accounts) | native | dummy (demos, tests)
MASTERY_HUB_SPAWNER      local (default: one system user per person) | simple (everyone runs
                         as the hub's user, homes under MASTERY_HUB_HOMES; demos and tests)
MASTERY_HUB_PORT, MASTERY_HUB_STATE (hub database, cookie secret), MASTERY_HUB_API_TOKEN
(an admin service token, for automation and tests)

Every user's server gets its own Jupyter config folder written by ``pre_spawn_hook``:
nbgrader settings (course id, exchange, their learner id) and, for learners, the formgrader
and create-assignment extensions switched off in the server and in JupyterLab.
"""

import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

c = get_config()  # noqa: F821

COURSE_ID = "serverless-mastery"
cohort = Path(os.environ["MASTERY_HUB_COHORT"]).resolve()
state = Path(os.environ.get("MASTERY_HUB_STATE", cohort / "hub")).resolve()
state.mkdir(parents=True, exist_ok=True)
instructors = {u.strip() for u in os.environ.get("MASTERY_HUB_INSTRUCTORS", "").split(",") if u.strip()}


def roster() -> set[str]:
    if os.environ.get("MASTERY_HUB_LEARNERS"):
        return {u.strip() for u in os.environ["MASTERY_HUB_LEARNERS"].split(",") if u.strip()}
    db = cohort / "gradebook.db"
    if not db.is_file():
        return set()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return {row[0] for row in con.execute("SELECT id FROM student")}


learners = roster()

# ---------------------------------------------------------------- hub, proxy, state
c.JupyterHub.bind_url = f"http://{os.environ.get('MASTERY_HUB_IP', '127.0.0.1')}:" \
                        f"{os.environ.get('MASTERY_HUB_PORT', '8000')}"
if os.environ.get("MASTERY_HUB_INTERNAL_PORT"):
    c.JupyterHub.hub_port = int(os.environ["MASTERY_HUB_INTERNAL_PORT"])
if os.environ.get("MASTERY_HUB_PROXY_API_PORT"):
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['MASTERY_HUB_PROXY_API_PORT']}"
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.cleanup_servers = True

# --------------------------------------------------------------------------- who
auth = os.environ.get("MASTERY_HUB_AUTH", "pam")
if auth == "dummy":  # any password: demos and tests only
    c.JupyterHub.authenticator_class = "dummy"
elif auth == "native":  # sign-up with admin approval (pip install jupyterhub-nativeauthenticator)
    c.JupyterHub.authenticator_class = "native"
else:
    c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = learners | instructors
c.Authenticator.admin_users = set(instructors)

if os.environ.get("MASTERY_HUB_API_TOKEN"):
    c.JupyterHub.services = [{"name": "mastery-admin", "api_token": os.environ["MASTERY_HUB_API_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "mastery-admin",
        "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"],
        "services": ["mastery-admin"],
    }]

# ----------------------------------------------------------------------- spawner
if os.environ.get("MASTERY_HUB_SPAWNER", "local") == "simple":
    c.JupyterHub.spawner_class = "simple"
    homes = Path(os.environ.get("MASTERY_HUB_HOMES", state / "homes")).resolve()
    c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")
else:
    c.JupyterHub.spawner_class = "localprocess"  # needs a system account per user
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180
if hasattr(os, "geteuid") and os.geteuid() == 0 and os.environ.get("MASTERY_HUB_SPAWNER") == "simple":
    c.Spawner.args = ["--ServerApp.allow_root=True"]
# the course's own variables (backend port, course root) reach every server
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "MASTERY_PORT", "MASTERY_COURSE_ROOT", "MASTERY_STATE_DIR"]

LEARNER_ONLY_OFF = {
    "server": {"nbgrader.server_extensions.formgrader": False},
    "lab": {"@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:create-assignment": True},
}


def user_config_dir(name: str, is_instructor: bool, home: str | None) -> Path:
    """A Jupyter config folder for one user: nbgrader settings, and the extensions of their role."""
    d = state / "jupyter-config" / name
    (d / "labconfig").mkdir(parents=True, exist_ok=True)
    lines = ["c = get_config()  # noqa: F821",
             f"c.CourseDirectory.course_id = {COURSE_ID!r}",
             f"c.Exchange.root = {str(cohort / 'exchange')!r}"]
    if is_instructor:
        lines.append("# the instructor's formgrader reads the cohort's own settings (gradebook, folders)")
        lines.append(f"load_subconfig({str(cohort / 'nbgrader_config.py')!r})")
    else:
        lines.append(f"c.CourseDirectory.student_id = {name!r}")
        if home:
            lines.append(f"c.Exchange.cache = {str(Path(home) / '.nbgrader-cache')!r}")
    (d / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    server = {} if is_instructor else {"ServerApp": {"jpserver_extensions": LEARNER_ONLY_OFF["server"]}}
    (d / "jupyter_server_config.json").write_text(json.dumps(server, indent=2))
    page = {} if is_instructor else {"disabledExtensions": LEARNER_ONLY_OFF["lab"]}
    (d / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2))
    return d


# A learner's server never holds solutions/: its course folder (MASTERY_COURSE_ROOT: data and
# lessons) is a copy made here without it, and `check()` takes the release from the exchange.
# (With MASTERY_HUB_SPAWNER=local, also keep the checkout unreadable to learners' accounts.)
LEARNER_COURSE = state / "course"
for _tree in ("data", "notebooks"):
    shutil.copytree(Path(__file__).resolve().parents[1] / _tree, LEARNER_COURSE / _tree, dirs_exist_ok=True)
# the learner's JupyterLab: terminal finds `mastery`, no news toast, no instructor panels
LEARNER_JUPYTER = Path(__file__).resolve().parents[1] / "src" / "mastery" / "jupyter" / "learner"


def pre_spawn_hook(spawner):
    name = spawner.user.name
    is_instructor = name in instructors
    home = getattr(spawner, "home_dir", None)
    if home:
        Path(home).mkdir(parents=True, exist_ok=True)
    confdir = user_config_dir(name, is_instructor, home)
    spawner.environment.update({
        "JUPYTER_CONFIG_DIR": str(confdir),
        "MASTERY_EXCHANGE": str(cohort / "exchange"),
        "MASTERY_LEARNER": name,
    })
    if is_instructor:
        # the formgrader wants the cohort inside the server's root folder
        spawner.notebook_dir = str(cohort)
    else:
        spawner.environment.update({"MASTERY_COURSE_ROOT": str(LEARNER_COURSE),
                                    "JUPYTER_CONFIG_PATH": str(_learner_jupyter())})


def _learner_jupyter() -> Path:
    """The installed package's learner settings (the checkout's when installed in place)."""
    try:
        import mastery

        return Path(mastery.__file__).parent / "jupyter" / "learner"
    except ImportError:
        return LEARNER_JUPYTER


c.Spawner.pre_spawn_hook = pre_spawn_hook
