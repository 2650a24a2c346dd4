"""nbgrader settings for running the whole course on one machine (`make lab`).

`make lab` puts this folder on JUPYTER_CONFIG_PATH, so JupyterLab's nbgrader extensions
(Assignments, Courses, Formgrader, Validate) and every `nbgrader` command run from a
terminal inside that JupyterLab read it next to the course's own ``nbgrader_config.py``.
It only says where things live; grading is configured in the course directory's config.

- the course directory is the repository (``PGLAB_COURSE_ROOT`` overrides it),
- the exchange, nbgrader's "mailbox" between instructor and students, is ``.exchange/``
  in the course directory (``PGLAB_EXCHANGE`` overrides it),
- fetched assignments and their feedback land in ``student/`` (``PGLAB_STUDENT_DIR``).

On a JupyterHub the exchange is shared by every user instead: see docs/deploy.md.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

_course = Path(os.environ.get("PGLAB_COURSE_ROOT") or Path(__file__).resolve().parent.parent)

c.CourseDirectory.root = str(_course)
c.CourseDirectory.course_id = "pglab"
c.Exchange.root = os.environ.get("PGLAB_EXCHANGE") or str(_course / ".exchange")
c.Exchange.assignment_dir = os.environ.get("PGLAB_STUDENT_DIR") or str(_course / "student")
