"""nbgrader settings for every user's server on the course hub (`make hub`, docs/deploy.md).

The hub puts this folder on JUPYTER_CONFIG_PATH of every single-user server, after the
role's own folder (hub/jupyter/students or hub/jupyter/graders). It says where the shared
exchange is; fetched assignments and feedback land in the user's home directory.
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = os.environ.get("PGLAB_COURSE", "pglab")
c.Exchange.root = os.environ.get("PGLAB_EXCHANGE", "/srv/nbgrader/exchange")
