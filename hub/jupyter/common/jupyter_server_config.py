"""Jupyter Server settings for every user's server on the course hub."""

c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file

# A terminal's shell is a plain (non-login) bash: a login shell reads /etc/profile, which
# resets PATH and hides the course environment's `nbgrader`, `pglab` and `alembic`.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}
# No "would you like Jupyter news?" prompt, no update check against the internet.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
