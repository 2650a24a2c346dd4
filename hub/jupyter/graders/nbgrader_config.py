"""nbgrader settings for the grader's server: where the course directory is.

Formgrader (and every `nbgrader` or `pglab` command typed in this server's terminals) reads
the course's own nbgrader_config.py from there, which configures pglab's grading.
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.expanduser("~/" + os.environ.get("PGLAB_COURSE", "pglab"))
